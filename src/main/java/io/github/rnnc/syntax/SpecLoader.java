package io.github.rnnc.syntax;

import io.github.rnnc.ast.SpecFile;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the requested spec files and, transitively, the files they import; reports missing and cyclic imports. */
public final class SpecLoader {
    /** What was read: the requested files that parsed, and every parsed file's direct imports. */
    public record Loaded(List<SpecFile> requested, Map<SourceFile, List<SpecFile>> imports,
            Map<SourceFile, Path> paths) {
        /** The files a parsed file depends on: itself, then its imports, transitively (absolute paths). */
        public List<Path> inputsOf(SpecFile file) {
            Set<Path> inputs = new LinkedHashSet<>();
            collectInputs(file, inputs);
            return List.copyOf(inputs);
        }

        private void collectInputs(SpecFile file, Set<Path> into) {
            Path path = paths.get(file.source());
            if (path == null || !into.add(path.toAbsolutePath().normalize())) {
                return;
            }
            for (SpecFile imported : imports.getOrDefault(file.source(), List.of())) {
                collectInputs(imported, into);
            }
        }
    }

    private final Diagnostics diagnostics;
    private final Map<Path, Optional<SpecFile>> byPath = new LinkedHashMap<>();
    private final Map<SourceFile, List<SpecFile>> imports = new HashMap<>();
    private final Map<SourceFile, Path> paths = new HashMap<>();
    /** Files whose own text or some import failed; their networks are not checked, to avoid cascades. */
    private final Map<Path, Boolean> complete = new HashMap<>();

    private SpecLoader(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    public static Loaded load(List<Path> files, Diagnostics diagnostics) {
        return load(files, Optional.empty(), diagnostics);
    }

    /**
     * @param baseDirectory where relative files are read from (empty: the working directory); diagnostics quote
     *                      the files as given either way
     */
    public static Loaded load(List<Path> files, Optional<Path> baseDirectory, Diagnostics diagnostics) {
        SpecLoader loader = new SpecLoader(diagnostics);
        List<SpecFile> requested = new ArrayList<>();
        for (Path given : files) {
            Path file = baseDirectory.map(base -> base.resolve(given)).orElse(given);
            Optional<SpecFile> spec = loader.read(file, given.toString(), null, new ArrayList<>());
            if (spec.isPresent() && loader.complete.getOrDefault(key(file), false)
                    && requested.stream().noneMatch(s -> s == spec.get())) {
                requested.add(spec.get());
            }
        }
        return new Loaded(requested, loader.imports, loader.paths);
    }

    private Optional<SpecFile> read(Path file, String displayPath, SpecFile.ImportDecl site, List<Path> chain) {
        Path key = key(file);
        if (chain.contains(key)) {
            List<String> cycle = new ArrayList<>();
            for (Path p : chain.subList(chain.indexOf(key), chain.size())) {
                cycle.add(p.getFileName().toString());
            }
            cycle.add(key.getFileName().toString());
            diagnostics.error(DiagnosticCode.IMPORT_CYCLE, site.span(), "files import each other in a cycle: "
                    + String.join(" -> ", cycle));
            complete.put(chain.get(chain.size() - 1), false);
            return Optional.empty();
        }
        if (byPath.containsKey(key)) {
            return byPath.get(key);
        }
        Optional<String> text = text(file, displayPath, site);
        if (text.isEmpty()) {
            byPath.put(key, Optional.empty());
            return Optional.empty();
        }
        SourceFile source = new SourceFile(displayPath, text.get());
        Optional<SpecFile> spec = SpecParser.parse(source, diagnostics);
        byPath.put(key, spec);
        if (spec.isEmpty()) {
            complete.put(key, false);
            return spec;
        }
        paths.put(source, file);
        boolean ok = true;
        List<SpecFile> direct = new ArrayList<>();
        chain.add(key);
        for (SpecFile.ImportDecl importDecl : spec.get().imports()) {
            Path target;
            String targetDisplay;
            try {
                target = file.toAbsolutePath().normalize().resolveSibling(importDecl.path()).normalize();
                targetDisplay = displayOf(displayPath, importDecl.path());
            } catch (java.nio.file.InvalidPathException e) {
                diagnostics.error(DiagnosticCode.IMPORT_NOT_FOUND, importDecl.span(), "'" + importDecl.path()
                        + "' is not a valid file path");
                ok = false;
                continue;
            }
            Optional<SpecFile> imported = read(target, targetDisplay, importDecl, chain);
            if (imported.isEmpty() || !complete.getOrDefault(key(target), false)) {
                ok = false;
            }
            imported.filter(i -> !direct.contains(i)).ifPresent(direct::add);
        }
        chain.remove(chain.size() - 1);
        imports.put(source, direct);
        complete.merge(key, ok, Boolean::logicalAnd);
        return spec;
    }

    private Optional<String> text(Path file, String displayPath, SpecFile.ImportDecl site) {
        if (site != null && !Files.exists(file)) {
            diagnostics.error(DiagnosticCode.IMPORT_NOT_FOUND, site.span(), "imported file '" + site.path()
                    + "' does not exist (looked for " + displayPath + ")");
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            fileError(displayPath, site, "is not UTF-8 text");
        } catch (IOException | SecurityException e) {
            fileError(displayPath, site, Files.exists(file) ? "cannot be read (" + e.getClass().getSimpleName() + ")"
                    : "does not exist");
        }
        return Optional.empty();
    }

    private void fileError(String displayPath, SpecFile.ImportDecl site, String problem) {
        if (site != null) {
            diagnostics.error(DiagnosticCode.FILE_UNREADABLE, site.span(), "imported file '" + site.path() + "' "
                    + problem);
        } else {
            diagnostics.add(new Diagnostic(io.github.rnnc.diagnostics.Severity.ERROR, DiagnosticCode.FILE_UNREADABLE,
                    "file " + problem, null, displayPath, List.of()));
        }
    }

    private static String displayOf(String importerDisplay, String importPath) {
        int slash = Math.max(importerDisplay.lastIndexOf('/'), importerDisplay.lastIndexOf('\\'));
        String dir = slash < 0 ? "" : importerDisplay.substring(0, slash + 1);
        return Path.of(dir + importPath).normalize().toString().replace('\\', '/');
    }

    private static Path key(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (IOException | SecurityException e) {
            return absolute;
        }
    }
}
