package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.ast.Identifier;
import io.github.rnnc.ast.NetworkDecl;
import io.github.rnnc.ast.SpecFile;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The semantics stage: parsed files in, checked networks out. The AST is never changed; what is learned lives
 * in side tables ({@link CellInstance}, {@link NetworkModel}).
 */
public final class Checker {
    private final Diagnostics diagnostics;
    private final Map<CellDecl, CellFacts> facts = new IdentityHashMap<>();
    private final Set<CellDecl> builtins = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private Checker(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /**
     * @param requested the files to compile, in order
     * @param imports   for every parsed file (requested or imported), the parsed files it imports directly
     */
    public static List<CheckedSpec> check(List<SpecFile> requested, Map<SourceFile, List<SpecFile>> imports,
            Diagnostics diagnostics) {
        return check(requested, imports, Map.of(), diagnostics);
    }

    /**
     * @param defaultPackages the Java package of the networks of a requested file that has no {@code package}
     *                        line, by the file's display path (the unnamed package for files not in the map)
     */
    public static List<CheckedSpec> check(List<SpecFile> requested, Map<SourceFile, List<SpecFile>> imports,
            Map<String, String> defaultPackages, Diagnostics diagnostics) {
        return new Checker(diagnostics).run(requested, imports, defaultPackages);
    }

    private List<CheckedSpec> run(List<SpecFile> requested, Map<SourceFile, List<SpecFile>> imports,
            Map<String, String> defaultPackages) {
        SpecFile prelude = Prelude.file();
        builtins.addAll(prelude.cells());
        Map<String, CellDecl> preludeCells = new LinkedHashMap<>();
        prelude.cells().forEach(c -> preludeCells.put(c.name().text(), c));

        // Every file that is requested or imported, each once, in a stable order.
        List<SpecFile> files = new ArrayList<>();
        Set<SourceFile> seen = new HashSet<>();
        for (SpecFile file : requested) {
            collect(file, imports, files, seen);
        }
        Map<SourceFile, Map<String, CellDecl>> scopes = new HashMap<>();
        for (SpecFile file : files) {
            scopes.put(file.source(), scopeOf(file, imports, preludeCells));
        }
        Map<String, CellDecl> preludeScope = new LinkedHashMap<>(preludeCells);
        prelude.cells().forEach(c -> facts.put(c, CellRules.check(c, preludeScope, diagnostics)));
        for (SpecFile file : files) {
            checkPackage(file);
            for (CellDecl cell : file.cells()) {
                facts.put(cell, CellRules.check(cell, scopes.get(file.source()), diagnostics));
            }
        }
        reportRecursion(files);
        List<CheckedSpec> checked = new ArrayList<>();
        for (SpecFile file : files) {
            Scope scope = new Scope(scopes.get(file.source()), facts, builtins);
            boolean isRequested = requested.contains(file);
            List<NetworkModel> networks = new ArrayList<>();
            Set<CellDecl> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            Map<String, NetworkDecl> names = new LinkedHashMap<>();
            for (NetworkDecl network : file.networks()) {
                NetworkDecl earlier = names.putIfAbsent(network.name().text(), network);
                if (earlier != null) {
                    diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_DECLARATION, network.name().span(),
                            "network '" + network.name().text() + "' is already declared in this file")
                            .withNote("first declared here", earlier.name().span()));
                    continue;
                }
                markUsedCells(network, scope, used);
                if (isRequested) {
                    String javaPackage = file.packageDecl().map(SpecFile.PackageDecl::name)
                            .orElse(defaultPackages.getOrDefault(file.source().displayPath(), ""));
                    NetworkChecker.check(network, javaPackage, scope, diagnostics).ifPresent(networks::add);
                }
            }
            for (CellDecl cell : file.cells()) {
                if (!used.contains(cell) && isRequested) {
                    probe(cell);
                }
            }
            if (isRequested) {
                checked.add(new CheckedSpec(file, networks));
            }
        }
        return checked;
    }

    private static void collect(SpecFile file, Map<SourceFile, List<SpecFile>> imports, List<SpecFile> into,
            Set<SourceFile> seen) {
        if (!seen.add(file.source())) {
            return;
        }
        into.add(file);
        for (SpecFile imported : imports.getOrDefault(file.source(), List.of())) {
            collect(imported, imports, into, seen);
        }
    }

    /** Cell names visible in a file; duplicates and clashes with built-ins are reported here. */
    private Map<String, CellDecl> scopeOf(SpecFile file, Map<SourceFile, List<SpecFile>> imports,
            Map<String, CellDecl> preludeCells) {
        Map<String, CellDecl> scope = new LinkedHashMap<>(preludeCells);
        for (SpecFile imported : imports.getOrDefault(file.source(), List.of())) {
            for (CellDecl cell : imported.cells()) {
                CellDecl earlier = scope.get(cell.name().text());
                if (earlier == null) {
                    scope.put(cell.name().text(), cell);
                } else if (earlier != cell && !preludeCells.containsKey(cell.name().text())) {
                    diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_DECLARATION, cell.name().span(),
                            "cell '" + cell.name().text() + "' is declared in two imported files")
                            .withNote("also declared here", earlier.name().span()));
                }
            }
        }
        for (CellDecl cell : file.cells()) {
            String name = cell.name().text();
            CellDecl earlier = scope.get(name);
            if (preludeCells.containsKey(name) || Names.LAYERS.contains(name) || Names.FUNCTIONS.contains(name)
                    || name.equals(Names.INPUT)) {
                diagnostics.error(DiagnosticCode.REDEFINES_BUILTIN, cell.name().span(), "'" + name + "' is a "
                        + (Names.FUNCTIONS.contains(name) ? "built-in function" : name.equals(Names.INPUT)
                        ? "cell's input" : "built-in layer") + "; choose another name for this cell");
            } else if (earlier != null) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_DECLARATION, cell.name().span(),
                        "cell '" + name + "' is already declared").withNote("first declared here",
                        earlier.name().span()));
            } else if (Names.isJavaReserved(name)) {
                diagnostics.error(DiagnosticCode.JAVA_RESERVED_NAME, cell.name().span(), "'" + name
                        + "' is a Java keyword and cannot name a cell");
                scope.put(name, cell); // reported; uses of the cell are not unknown layers as well
            } else {
                scope.put(name, cell);
            }
        }
        return scope;
    }

    private void checkPackage(SpecFile file) {
        file.packageDecl().ifPresent(p -> {
            for (Identifier segment : p.segments()) {
                if (Names.isJavaReserved(segment.text())) {
                    diagnostics.error(DiagnosticCode.JAVA_RESERVED_NAME, segment.span(), "'" + segment.text()
                            + "' is a Java keyword and cannot be part of a package name");
                }
            }
        });
    }

    /** Cells that reach themselves through calls in their equations; they are then not instantiated. */
    private void reportRecursion(List<SpecFile> files) {
        Set<CellDecl> reported = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SpecFile file : files) {
            for (CellDecl cell : file.cells()) {
                List<CellDecl> path = new ArrayList<>();
                Optional<Expr.Call> site = cycleFrom(cell, cell, path, new HashSet<>());
                if (site.isPresent() && !reported.contains(cell)) {
                    reported.add(cell);
                    reported.addAll(path); // one report per cycle, not one per cell on it
                    List<String> names = new ArrayList<>();
                    names.add(cell.name().text());
                    path.forEach(c -> names.add(c.name().text()));
                    diagnostics.error(DiagnosticCode.CELL_RECURSION, site.get().callee().span(), "cell '"
                            + cell.name().text() + "' uses itself: " + String.join(" -> ", names));
                    CellFacts f = facts.get(cell);
                    facts.put(cell, new CellFacts(f.cell(), f.sizeParameters(), f.functionParameters(), f.learnable(),
                            f.declared(), f.locals(), f.cellCalls(), false));
                }
            }
        }
    }

    /** Depth-first search for a call path from {@code current} back to {@code start}; returns the first call. */
    private Optional<Expr.Call> cycleFrom(CellDecl start, CellDecl current, List<CellDecl> path, Set<String> visiting) {
        CellFacts f = facts.get(current);
        if (f == null || !visiting.add(current.name().text() + "@" + System.identityHashCode(current))) {
            return Optional.empty();
        }
        for (Map.Entry<Expr.Call, CellDecl> call : sortedCalls(f)) {
            path.add(call.getValue());
            if (call.getValue() == start) {
                return Optional.of(call.getKey());
            }
            if (cycleFrom(start, call.getValue(), path, visiting).isPresent()) {
                return Optional.of(call.getKey());
            }
            path.remove(path.size() - 1);
        }
        return Optional.empty();
    }

    private static List<Map.Entry<Expr.Call, CellDecl>> sortedCalls(CellFacts f) {
        List<Map.Entry<Expr.Call, CellDecl>> calls = new ArrayList<>(f.cellCalls().entrySet());
        calls.sort(java.util.Comparator.comparingInt(e -> e.getKey().span().start()));
        return calls;
    }

    private void markUsedCells(NetworkDecl network, Scope scope, Set<CellDecl> used) {
        for (NetworkDecl.NetworkStatement statement : network.body()) {
            if (statement instanceof NetworkDecl.Layer layer) {
                markUsed(layer.call(), scope, used);
            }
        }
    }

    private void markUsed(Expr.Call call, Scope scope, Set<CellDecl> used) {
        CellDecl cell = scope.cell(call.callee().text());
        if (cell != null && used.add(cell)) {
            facts.get(cell).cellCalls().values().forEach(c -> used.add(c));
        }
        call.arguments().forEach(a -> {
            if (a.value() instanceof Expr.Call inner) {
                markUsed(inner, scope, used);
            }
        });
    }

    /** A cell no network uses is still shape-checked, with stand-in sizes that are unlikely to coincide. */
    private void probe(CellDecl cell) {
        CellFacts f = facts.get(cell);
        if (f == null || !f.valid()) {
            return;
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        // Multiples of 120 divide evenly by 2, 3, 4, 5, 6 and 8, so halved or quartered sizes stay whole.
        int[] standIns = {120, 240, 360, 480, 600, 720, 840, 960, 1080, 1200};
        int next = 1;
        for (Map.Entry<String, Integer> parameter : f.sizeParameters().entrySet()) {
            sizes.put(parameter.getKey(), parameter.getValue() != null ? parameter.getValue()
                    : standIns[next++ % standIns.length]);
        }
        Map<String, String> functions = new LinkedHashMap<>();
        f.functionParameters().forEach((name, fallback) -> functions.put(name, fallback != null ? fallback : "identity"));
        CellInstantiator.instantiate(f, facts, sizes, functions, standIns[0], false, true, diagnostics);
    }
}
