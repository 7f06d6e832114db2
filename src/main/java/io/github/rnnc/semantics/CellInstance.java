package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import java.util.List;
import java.util.Map;

/**
 * A cell with concrete sizes: the side tables that lowering reads instead of re-deriving anything from the AST.
 *
 * @param cell          the declaration
 * @param builtin       true for prelude cells (rnn, lstm, gru), whose parameters take PyTorch's names
 * @param sizes         size parameters and their values, in declaration order
 * @param inputSize     the size of {@code x}
 * @param states        the cell's own states, in declaration order (the first is the output)
 * @param parameters    learnable parameters in layout order (first appearance in the cell text)
 * @param shapes        the shape of every expression of the cell body, by identity
 * @param functions     the built-in function each function call resolves to (through function parameters)
 * @param nested        the instance each cell call inside the equations resolves to
 * @param sliceBounds   the evaluated [from, to) of every slice
 */
public record CellInstance(CellDecl cell, boolean builtin, Map<String, Integer> sizes, int inputSize,
        List<State> states, List<Parameter> parameters, Map<Expr, ValueShape> shapes,
        Map<Expr.Call, String> functions, Map<Expr.Call, CellInstance> nested, Map<Expr.Slice, Bounds> sliceBounds) {

    public record Bounds(int from, int to) {
    }

    public record State(String name, int size) {
    }

    /** What a matrix multiplies decides its default initializer; vectors are biases or elementwise weights. */
    public enum Role { INPUT_MATRIX, RECURRENT_MATRIX, VECTOR }

    public record Parameter(String name, List<Integer> shape, Role role, Initializer initializer) {
        public int elementCount() {
            return shape.stream().reduce(1, (a, b) -> a * b);
        }
    }

    public int outputSize() {
        return states.get(0).size();
    }

    public ValueShape shapeOf(Expr expr) {
        return shapes.get(expr);
    }
}
