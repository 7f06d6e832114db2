package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The cells visible from one file: the prelude's, the file's own and those of the files it imports. */
final class Scope {
    private final Map<String, CellDecl> cells;
    private final Map<CellDecl, CellFacts> allFacts;
    private final Set<CellDecl> builtins;

    Scope(Map<String, CellDecl> cells, Map<CellDecl, CellFacts> allFacts, Set<CellDecl> builtins) {
        this.cells = cells;
        this.allFacts = allFacts;
        this.builtins = builtins;
    }

    CellDecl cell(String name) {
        return cells.get(name);
    }

    List<String> cellNames() {
        List<String> names = new ArrayList<>(cells.keySet());
        Collections.sort(names);
        return names;
    }

    CellFacts facts(CellDecl cell) {
        return allFacts.get(cell);
    }

    Map<CellDecl, CellFacts> allFacts() {
        return allFacts;
    }

    boolean isBuiltin(CellDecl cell) {
        return builtins.contains(cell);
    }
}
