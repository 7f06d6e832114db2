package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the name rules learned about one cell declaration, independent of sizes.
 *
 * @param sizeParameters     cell parameters that are sizes, in declaration order, with optional default
 * @param functionParameters cell parameters that are functions, with optional default function name
 * @param learnable          learnable parameter names in layout order (first use in the equations)
 * @param declared           explicitly declared parameters by name
 * @param cellCalls          calls in the equations that invoke other cells, with the cell they name
 * @param valid              false when the declaration has errors, so instantiating it would only repeat them
 */
record CellFacts(CellDecl cell, Map<String, Integer> sizeParameters, Map<String, String> functionParameters,
        List<String> learnable, Map<String, CellDecl.ParamDecl> declared, Set<String> locals,
        Map<Expr.Call, CellDecl> cellCalls, boolean valid) {
}
