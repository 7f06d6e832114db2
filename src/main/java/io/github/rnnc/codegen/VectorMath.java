package io.github.rnnc.codegen;

import com.palantir.javapoet.CodeBlock;
import io.github.rnnc.ir.Op;

/**
 * The vector forms of tanh, sigmoid and the hard-sigmoid slope, written out as statements where they are used.
 *
 * <p>They are not helper methods because a Vector API value passed to or returned from a method that C2 does not
 * inline is boxed, and whether C2 inlines a helper depends on what it compiled before: once the helper has its own
 * compiled code over InlineSmallCode (2500 bytes) it stays a call, and the loop allocates 64 bytes per vector on
 * every step. Written in place, nothing vector-typed crosses a call. The formulas are those of {@link Helpers}'s
 * scalar versions, operation for operation, so the backends agree.
 */
final class VectorMath {
    private final Target target;

    VectorMath(Target target) {
        this.target = target;
    }

    /**
     * Writes the statements of {@code kind} applied to the vector expression {@code a}, with locals prefixed by
     * {@code name} (unique in the enclosing block), and returns the expression of the result. It takes the functions
     * that need statements, and those that name VectorOperators (a statement with {@code $T} makes JavaPoet import
     * it); the other unary ops are single expressions, written by {@link Elementwise}.
     */
    String emit(CodeBlock.Builder code, Op.UnaryKind kind, String a, String name) {
        return switch (kind) {
            case TANH -> tanh(code, a, name);
            case SIGMOID -> sigmoid(code, a, name);
            case HARD_SIGMOID_SLOPE -> hardSigmoidSlope(code, a, name);
            case EXP -> lanewise(code, "EXP", a, name);
            case STEP -> {
                String v = target.vectorClass().simpleName();
                code.addStatement("var $Lm = $L.compare($T.GT, $L)", name, a, Target.VECTOR_OPERATORS,
                        target.literal(0));
                yield v + ".zero(SPECIES).blend(" + target.literal(1) + ", " + name + "m)";
            }
            default -> throw new IllegalArgumentException(kind + " is a single expression");
        };
    }

    /** a.lanewise(VectorOperators.OPERATOR), as a local. */
    private String lanewise(CodeBlock.Builder code, String operator, String a, String name) {
        code.addStatement("$T $Ll = $L.lanewise($T.$L)", target.vectorClass(), name, a, Target.VECTOR_OPERATORS,
                operator);
        return name + "l";
    }

    private String tanh(CodeBlock.Builder code, String a, String name) {
        if (target.f64()) {
            return lanewise(code, "TANH", a, name);
        }
        String v = target.vectorClass().simpleName();
        String c = target.literal(Helpers.CLAMP);
        String x = name + "x";
        String x2 = name + "x2";
        String p = name + "p";
        String q = name + "q";
        code.addStatement("$L $L = $L.min($L).max(-$L)", v, x, a, c, c);
        code.addStatement("$L $L = $L.mul($L)", v, x2, x, x);
        code.addStatement("$L $L = $L.fma($L, $L)", v, p, x2, target.literal(Helpers.NUMERATOR[6]),
                target.literal(Helpers.NUMERATOR[5]));
        for (int k = 4; k >= 0; k--) {
            code.addStatement("$L = $L.fma($L, $L.broadcast(SPECIES, $L))", p, x2, p, v,
                    target.literal(Helpers.NUMERATOR[k]));
        }
        code.addStatement("$L $L = $L.fma($L, $L)", v, q, x2, target.literal(Helpers.DENOMINATOR[3]),
                target.literal(Helpers.DENOMINATOR[2]));
        for (int k = 1; k >= 0; k--) {
            code.addStatement("$L = $L.fma($L, $L.broadcast(SPECIES, $L))", q, x2, q, v,
                    target.literal(Helpers.DENOMINATOR[k]));
        }
        return x + ".mul(" + p + ").div(" + q + ")";
    }

    private String sigmoid(CodeBlock.Builder code, String a, String name) {
        if (target.f64()) {
            String e = lanewise(code, "EXP", a + ".neg()", name);
            return target.vectorClass().simpleName() + ".broadcast(SPECIES, 1.0).div(" + e + ".add(1.0))";
        }
        return "(" + tanh(code, a + ".mul(0.5f)", name) + ").mul(0.5f).add(0.5f)";
    }

    private String hardSigmoidSlope(CodeBlock.Builder code, String a, String name) {
        String v = target.vectorClass().simpleName();
        String u = name + "u";
        code.addStatement("$L $L = $L.mul($L).add($L)", v, u, a, target.literal(0.2), target.literal(0.5));
        code.addStatement("var $Lm = $L.compare($T.GT, $L).and($L.compare($T.LT, $L))", name, u,
                Target.VECTOR_OPERATORS, target.literal(0), u, Target.VECTOR_OPERATORS, target.literal(1));
        return v + ".zero(SPECIES).blend(" + target.literal(0.2) + ", " + name + "m)";
    }
}
