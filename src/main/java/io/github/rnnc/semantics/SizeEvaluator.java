package io.github.rnnc.semantics;

import io.github.rnnc.ast.Expr;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import java.util.Map;
import java.util.OptionalInt;

/** Evaluates size expressions (integer arithmetic over size parameters) with overflow and exactness checks. */
final class SizeEvaluator {
    /** Large enough for any real layer, small enough that products of two sizes fit in an int. */
    static final int MAX_SIZE = 1 << 20;

    private SizeEvaluator() {
    }

    /** Empty after reporting an error; names absent from {@code sizes} were already reported by the name rules. */
    static OptionalInt evaluate(Expr expr, Map<String, Integer> sizes, Diagnostics diagnostics) {
        try {
            long value = eval(expr, sizes, diagnostics);
            if (Math.abs(value) > MAX_SIZE) {
                diagnostics.error(DiagnosticCode.BAD_NUMBER, expr.span(), "size " + value + " is larger than the "
                        + "largest supported size, " + MAX_SIZE);
                return OptionalInt.empty();
            }
            return OptionalInt.of((int) value);
        } catch (Invalid e) {
            return OptionalInt.empty();
        }
    }

    /** As {@link #evaluate}, and the result must be at least 1. */
    static OptionalInt positive(Expr expr, Map<String, Integer> sizes, Diagnostics diagnostics, String what) {
        OptionalInt value = evaluate(expr, sizes, diagnostics);
        if (value.isPresent() && value.getAsInt() < 1) {
            diagnostics.error(DiagnosticCode.NON_POSITIVE_SIZE, expr.span(), what + " must be at least 1, but '"
                    + expr.span().text() + "' is " + value.getAsInt());
            return OptionalInt.empty();
        }
        return value;
    }

    private static long eval(Expr expr, Map<String, Integer> sizes, Diagnostics diagnostics) {
        if (expr instanceof Expr.NumberLiteral number) {
            if (!CellRules.isInteger(number)) {
                throw new Invalid();
            }
            return limit((long) number.value(), expr, diagnostics);
        }
        if (expr instanceof Expr.Name name) {
            Integer value = sizes.get(name.name());
            if (value == null || name.primed()) {
                throw new Invalid();
            }
            return value;
        }
        if (expr instanceof Expr.Negate negate) {
            return -eval(negate.operand(), sizes, diagnostics);
        }
        if (expr instanceof Expr.Binary binary) {
            long left = eval(binary.left(), sizes, diagnostics);
            long right = eval(binary.right(), sizes, diagnostics);
            switch (binary.operator()) {
                case ADD:
                    return limit(left + right, expr, diagnostics);
                case SUBTRACT:
                    return limit(left - right, expr, diagnostics);
                case MULTIPLY:
                    return limit(left * right, expr, diagnostics);
                case DIVIDE:
                    if (right == 0 || left % right != 0) {
                        diagnostics.error(DiagnosticCode.INVALID_SIZE, expr.span(), "'" + expr.span().text()
                                + "' is " + left + " / " + right + ", not a whole number");
                        throw new Invalid();
                    }
                    return left / right;
                default:
                    break;
            }
        }
        throw new Invalid();
    }

    private static long limit(long value, Expr expr, Diagnostics diagnostics) {
        if (Math.abs(value) > MAX_SIZE) {
            diagnostics.error(DiagnosticCode.BAD_NUMBER, expr.span(), "size '" + expr.span().text()
                    + "' is larger than the largest supported size, " + MAX_SIZE);
            throw new Invalid();
        }
        return value;
    }

    private static final class Invalid extends RuntimeException {
        Invalid() {
            super(null, null, false, false);
        }
    }
}
