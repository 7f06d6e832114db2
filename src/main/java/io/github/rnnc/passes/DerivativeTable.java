package io.github.rnnc.passes;

import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.Value;
import java.util.EnumMap;
import java.util.Map;

/**
 * The derivative of every IR operation, as IR: given the adjoint {@code g} of an op's result, each rule adds the
 * adjoints of the op's operands (and parameter gradients) through an {@link AdjointBuilder}. Rules for
 * elementwise functions are a table by kind, so that a test can replace one with a wrong rule and watch the
 * gradient check fail.
 */
public final class DerivativeTable {
    /** d(result)/d(operand) * g for an elementwise function; {@code x} is the operand, {@code y} the result. */
    public interface UnaryRule {
        Value apply(AdjointBuilder b, Value x, Value y, Value g);
    }

    private final Map<Op.UnaryKind, UnaryRule> unary;

    private DerivativeTable(Map<Op.UnaryKind, UnaryRule> unary) {
        this.unary = unary;
    }

    public static DerivativeTable standard() {
        Map<Op.UnaryKind, UnaryRule> rules = new EnumMap<>(Op.UnaryKind.class);
        rules.put(Op.UnaryKind.NEG, (b, x, y, g) -> b.unary(Op.UnaryKind.NEG, g));
        rules.put(Op.UnaryKind.IDENTITY, (b, x, y, g) -> g);
        // sigmoid' = y (1 - y)
        rules.put(Op.UnaryKind.SIGMOID, (b, x, y, g) -> b.mul(g, b.mul(y, b.sub(b.constant(1), y))));
        // tanh' = 1 - y^2
        rules.put(Op.UnaryKind.TANH, (b, x, y, g) -> b.mul(g, b.sub(b.constant(1), b.mul(y, y))));
        rules.put(Op.UnaryKind.RELU, (b, x, y, g) -> b.mul(g, b.unary(Op.UnaryKind.STEP, x)));
        rules.put(Op.UnaryKind.HARD_SIGMOID, (b, x, y, g) -> b.mul(g, b.unary(Op.UnaryKind.HARD_SIGMOID_SLOPE, x)));
        // softsign' = 1 / (1 + |x|)^2
        rules.put(Op.UnaryKind.SOFTSIGN, (b, x, y, g) -> {
            Value denominator = b.add(b.constant(1), b.unary(Op.UnaryKind.ABS, x));
            return b.div(g, b.mul(denominator, denominator));
        });
        rules.put(Op.UnaryKind.EXP, (b, x, y, g) -> b.mul(g, y));
        // Piecewise constant: zero derivative almost everywhere.
        rules.put(Op.UnaryKind.STEP, (b, x, y, g) -> null);
        rules.put(Op.UnaryKind.HARD_SIGMOID_SLOPE, (b, x, y, g) -> null);
        // |x|' = sign(x) = 2 step(x) - 1
        rules.put(Op.UnaryKind.ABS, (b, x, y, g) -> b.mul(g, b.sub(b.mul(b.constant(2),
                b.unary(Op.UnaryKind.STEP, x)), b.constant(1))));
        return new DerivativeTable(rules);
    }

    /** A copy with one elementwise rule replaced (for tests that prove gradient checks can fail). */
    public DerivativeTable replacing(Op.UnaryKind kind, UnaryRule rule) {
        Map<Op.UnaryKind, UnaryRule> rules = new EnumMap<>(unary);
        rules.put(kind, rule);
        return new DerivativeTable(rules);
    }

    /** Adds the adjoints of {@code op}'s operands, given the adjoint {@code g} of its result. */
    void apply(Op op, Value g, AdjointBuilder b) {
        if (op instanceof Op.Binary binary) {
            Value l = binary.left();
            Value r = binary.right();
            switch (binary.kind()) {
                case ADD -> {
                    b.contribute(l, g);
                    b.contribute(r, g);
                }
                case SUB -> {
                    b.contribute(l, g);
                    b.contribute(r, b.unary(Op.UnaryKind.NEG, g));
                }
                case MUL -> {
                    b.contribute(l, b.mul(g, r));
                    b.contribute(r, b.mul(g, l));
                }
                case DIV -> {
                    b.contribute(l, b.div(g, r));
                    // d(l / r)/dr = -(l / r) / r = -y / r
                    b.contribute(r, b.unary(Op.UnaryKind.NEG, b.div(b.mul(g, binary.result()), r)));
                }
                default -> throw new IllegalStateException(binary.kind().name());
            }
        } else if (op instanceof Op.Unary u) {
            Value adjoint = unary.get(u.kind()).apply(b, u.operand(), u.result(), g);
            if (adjoint != null) {
                b.contribute(u.operand(), adjoint);
            }
        } else if (op instanceof Op.MatVec matVec) {
            b.contribute(matVec.vector(), b.matVecTransposed(matVec.matrix(), g, matVec.vector().size()));
            b.gradient(matVec.matrix(), g, matVec.vector());
        } else if (op instanceof Op.StackedMatVec stacked) {
            int offset = 0;
            for (String matrix : stacked.matrices()) {
                int rows = b.rows(matrix);
                Value part = b.slice(g, offset, offset + rows);
                b.contribute(stacked.vector(), b.matVecTransposed(matrix, part, stacked.vector().size()));
                b.gradient(matrix, part, stacked.vector());
                offset += rows;
            }
        } else if (op instanceof Op.ParameterVector parameter) {
            b.gradient(parameter.parameter(), g, null);
        } else if (op instanceof Op.Softmax softmax) {
            b.contribute(softmax.operand(), b.softmaxGradient(softmax.result(), g));
        } else if (op instanceof Op.Concat concat) {
            int offset = 0;
            for (Value part : concat.parts()) {
                b.contribute(part, b.slice(g, offset, offset + part.size()));
                offset += part.size();
            }
        } else if (op instanceof Op.Slice slice) {
            b.contribute(slice.operand(), b.embed(g, slice.operand().size(), slice.from()));
        } else if (!(op instanceof Op.Input || op instanceof Op.Constant || op instanceof Op.Zeros)) {
            throw new IllegalStateException("no derivative rule for " + op.getClass().getSimpleName());
        }
    }
}
