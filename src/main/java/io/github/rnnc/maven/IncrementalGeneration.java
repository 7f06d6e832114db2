package io.github.rnnc.maven;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.GeneratedSource;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.Severity;
import io.github.rnnc.ir.NetworkIr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.SourceVersion;

/**
 * One run of the plugin, free of Maven types so that tests can drive it: finds the specs, compiles those whose
 * inputs (the spec and what it imports) or outputs changed since the last successful run, writes the generated
 * classes whose text changed, removes the classes of deleted specs, and records the new state. A run with
 * errors (or warnings, with {@code failOnWarning}) writes nothing, so the next run tries the same specs again.
 */
final class IncrementalGeneration {
    /**
     * @param baseDirectory   the project directory; specs are compiled and reported by their path relative to it
     * @param packageName     the package of specs without a {@code package} line; empty to derive it from the
     *                        spec's folder below {@code sourceDirectory}
     * @param fingerprint     everything besides the specs that decides the output (rnnc version, options); when
     *                        it changes every spec is compiled again
     */
    record Settings(Path baseDirectory, Path sourceDirectory, List<String> includes, List<String> excludes,
            Path outputDirectory, Path stateFile, Optional<String> packageName, CompileRequest.Options options,
            boolean failOnWarning, String fingerprint) {
        Settings {
            packageName.ifPresent(name -> {
                if (!SourceVersion.isName(name)) {
                    throw new IllegalArgumentException("packageName '" + name + "' is not a Java package name");
                }
            });
            baseDirectory = baseDirectory.toAbsolutePath().normalize();
            sourceDirectory = baseDirectory.resolve(sourceDirectory).normalize();
            outputDirectory = baseDirectory.resolve(outputDirectory).normalize();
            stateFile = baseDirectory.resolve(stateFile).normalize();
            includes = List.copyOf(includes);
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * @param diagnostics what the compiler reported (only for the specs it compiled this time)
     * @param problems    errors that are not about a place in a spec (two specs generating one class, a folder
     *                    that is no Java package name), as {@code path: error: message}
     * @param specs       every spec found, relative to the project
     * @param compiled    the specs compiled this time
     * @param written     generated files written because their text changed (or was missing)
     * @param deleted     generated files removed because their spec or network is gone
     */
    record Outcome(List<Diagnostic> diagnostics, List<String> problems, List<String> specs, List<String> compiled,
            List<Path> written, List<Path> deleted, boolean failed) {
        long errors() {
            return diagnostics.stream().filter(Diagnostic::isError).count() + problems.size();
        }

        long warnings() {
            return diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count();
        }

        /** Files with at least one error (a problem counts against the file it names). */
        long filesWithErrors() {
            Set<String> files = new LinkedHashSet<>();
            diagnostics.stream().filter(Diagnostic::isError).forEach(d -> files.add(d.path()));
            problems.forEach(p -> files.add(p.substring(0, p.indexOf(": error: "))));
            return files.size();
        }
    }

    private final Settings settings;

    private IncrementalGeneration(Settings settings) {
        this.settings = settings;
    }

    static Outcome run(Settings settings) throws IOException {
        return new IncrementalGeneration(settings).run();
    }

    private Outcome run() throws IOException {
        List<String> specs = new ArrayList<>();
        for (String relative : new SpecScanner(settings.includes(), settings.excludes())
                .scan(settings.sourceDirectory())) {
            specs.add(display(settings.sourceDirectory().resolve(relative)));
        }
        BuildState old = BuildState.read(settings.stateFile()).orElse(BuildState.empty());
        String outputDirectory = display(settings.outputDirectory());
        boolean sameSettings = old.fingerprint().equals(settings.fingerprint())
                && old.outputDirectory().equals(outputDirectory);
        Map<String, BuildState.Entry> kept = new LinkedHashMap<>();
        List<String> stale = new ArrayList<>();
        for (String spec : specs) {
            BuildState.Entry entry = sameSettings ? old.specs().get(spec) : null;
            if (entry != null && upToDate(entry)) {
                kept.put(spec, entry);
            } else {
                stale.add(spec);
            }
        }

        Map<String, BuildState.Entry> fresh = new LinkedHashMap<>();
        Map<Path, byte[]> sources = new LinkedHashMap<>();
        List<Diagnostic> diagnostics = List.of();
        if (!stale.isEmpty()) {
            CompileResult result = compile(stale);
            List<String> problems = new ArrayList<>();
            boolean warningsFail = settings.failOnWarning()
                    && result.diagnostics().stream().anyMatch(d -> d.severity() == Severity.WARNING);
            if (!result.hasErrors()) {
                collect(result, kept, fresh, sources, problems);
            }
            if (result.hasErrors() || warningsFail || !problems.isEmpty()) {
                return new Outcome(result.diagnostics(), problems, specs, stale, List.of(), List.of(), true);
            }
            diagnostics = result.diagnostics();
        }

        List<Path> written = new ArrayList<>();
        for (Map.Entry<Path, byte[]> source : sources.entrySet()) {
            Path file = source.getKey();
            if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), source.getValue())) {
                continue; // keeps its timestamp, so the Java compiler sees nothing new
            }
            Files.createDirectories(file.getParent());
            Files.write(file, source.getValue());
            written.add(file);
        }

        Map<String, BuildState.Entry> now = new TreeMap<>(kept);
        now.putAll(fresh);
        List<Path> deleted = sameOutputDirectory(old, outputDirectory) ? deleteOrphans(old, now) : List.of();
        if (!now.isEmpty() || Files.exists(settings.stateFile())) {
            new BuildState(settings.fingerprint(), outputDirectory, now).write(settings.stateFile());
        }
        return new Outcome(diagnostics, List.of(), specs, stale, written, deleted, false);
    }

    private CompileResult compile(List<String> stale) {
        List<Path> files = new ArrayList<>();
        Map<Path, String> defaultPackages = new LinkedHashMap<>();
        for (String spec : stale) {
            Path given = Path.of(spec);
            files.add(given);
            defaultPackage(spec).filter(SourceVersion::isName).ifPresent(name -> defaultPackages.put(given, name));
        }
        return RnnCompiler.compile(new CompileRequest(files, CompileRequest.Goal.GENERATE, Optional.empty(),
                settings.options(), Optional.of(settings.baseDirectory()), defaultPackages));
    }

    /** The configured package, else the spec's folder below the source directory (empty at the top). */
    private Optional<String> defaultPackage(String spec) {
        if (settings.packageName().isPresent()) {
            return settings.packageName();
        }
        Path folder = settings.sourceDirectory().relativize(settings.baseDirectory().resolve(spec)).getParent();
        return folder == null ? Optional.empty() : Optional.of(folder.toString().replace('\\', '/').replace('/', '.'));
    }

    /** Sorts the generated sources by spec, and finds classes generated twice or into an invalid package. */
    private void collect(CompileResult result, Map<String, BuildState.Entry> kept,
            Map<String, BuildState.Entry> fresh, Map<Path, byte[]> sources, List<String> problems) throws IOException {
        Map<String, String> specOfClass = new LinkedHashMap<>();
        for (NetworkIr network : result.networks()) {
            specOfClass.put(qualified(network.javaPackage(), network.className()), network.sourcePath());
        }
        Map<String, String> owners = new LinkedHashMap<>();
        kept.forEach((spec, entry) -> entry.outputs().forEach(output -> owners.put(output.path(), spec)));
        Map<String, List<BuildState.Hashed>> outputs = new LinkedHashMap<>();
        for (GeneratedSource source : result.sources()) {
            String spec = specKey(specOfClass.get(source.qualifiedName()), source);
            String owner = owners.putIfAbsent(source.relativePath(), spec);
            if (owner != null && !owner.equals(spec)) {
                problems.add(spec + ": error: network class " + source.qualifiedName() + " is also generated from "
                        + owner + "; rename one of the networks or give the specs different packages");
                continue;
            }
            Optional<String> folderPackage = defaultPackage(spec);
            if (source.packageName().isEmpty() && folderPackage.isPresent()
                    && !SourceVersion.isName(folderPackage.get())) {
                problems.add(spec + ": error: the folder of this spec, '" + folderPackage.get().replace('.', '/')
                        + "', is no Java package name; add a package line to the spec, rename the folder or "
                        + "configure <packageName>");
                continue;
            }
            byte[] bytes = source.code().getBytes(StandardCharsets.UTF_8);
            sources.put(settings.outputDirectory().resolve(source.relativePath()), bytes);
            outputs.computeIfAbsent(spec, s -> new ArrayList<>()).add(new BuildState.Hashed(source.relativePath(),
                    sha256(bytes)));
        }
        for (Map.Entry<String, List<Path>> read : result.inputs().entrySet()) {
            String spec = display(settings.baseDirectory().resolve(read.getKey()));
            List<BuildState.Hashed> inputs = new ArrayList<>();
            for (Path input : read.getValue()) {
                inputs.add(new BuildState.Hashed(display(input), sha256(Files.readAllBytes(input))));
            }
            fresh.put(spec, new BuildState.Entry(inputs, outputs.getOrDefault(spec, List.of())));
        }
    }

    private String specKey(String sourcePath, GeneratedSource source) {
        if (sourcePath == null) {
            throw new IllegalStateException("rnnc generated " + source.qualifiedName() + " from no network");
        }
        return display(settings.baseDirectory().resolve(sourcePath));
    }

    private boolean upToDate(BuildState.Entry entry) throws IOException {
        for (BuildState.Hashed input : entry.inputs()) {
            if (!matches(settings.baseDirectory().resolve(input.path()), input.sha256())) {
                return false;
            }
        }
        for (BuildState.Hashed output : entry.outputs()) {
            if (!matches(settings.outputDirectory().resolve(output.path()), output.sha256())) {
                return false;
            }
        }
        return !entry.inputs().isEmpty();
    }

    private static boolean matches(Path file, String sha256) throws IOException {
        return Files.isRegularFile(file) && sha256(Files.readAllBytes(file)).equals(sha256);
    }

    private boolean sameOutputDirectory(BuildState old, String outputDirectory) {
        return old.outputDirectory().isEmpty() || old.outputDirectory().equals(outputDirectory);
    }

    /** Removes what the last run generated and this one did not, and folders that become empty. */
    private List<Path> deleteOrphans(BuildState old, Map<String, BuildState.Entry> now) throws IOException {
        Set<String> current = new LinkedHashSet<>();
        now.values().forEach(entry -> entry.outputs().forEach(output -> current.add(output.path())));
        List<Path> deleted = new ArrayList<>();
        for (BuildState.Entry entry : old.specs().values()) {
            for (BuildState.Hashed output : entry.outputs()) {
                Path file = settings.outputDirectory().resolve(output.path()).normalize();
                if (current.contains(output.path()) || !file.startsWith(settings.outputDirectory())
                        || !Files.deleteIfExists(file)) {
                    continue;
                }
                deleted.add(file);
                for (Path dir = file.getParent(); !dir.equals(settings.outputDirectory()); dir = dir.getParent()) {
                    try (var entries = Files.list(dir)) {
                        if (entries.findAny().isPresent()) {
                            break;
                        }
                    }
                    Files.delete(dir);
                }
            }
        }
        return deleted;
    }

    /** A path relative to the project directory with '/' separators, or absolute when outside it. */
    private String display(Path file) {
        Path absolute = settings.baseDirectory().resolve(file).normalize();
        return absolute.startsWith(settings.baseDirectory())
                ? settings.baseDirectory().relativize(absolute).toString().replace('\\', '/')
                : absolute.toString();
    }

    private static String qualified(String packageName, String className) {
        return packageName.isEmpty() ? className : packageName + "." + className;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
