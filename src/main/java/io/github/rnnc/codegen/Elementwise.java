package io.github.rnnc.codegen;

import com.palantir.javapoet.CodeBlock;
import io.github.rnnc.ir.Op;

/**
 * Emits elementwise loops over constant sizes: Vector API loops with the tail resolved at generation time, or
 * plain loops. Both evaluate the same formulas in the same order, so the two backends agree.
 */
final class Elementwise {
    private final Target target;
    private final VectorMath math;

    Elementwise(Target target) {
        this.target = target;
        this.math = new VectorMath(target);
    }

    private String lit(double value) {
        return target.literal(value);
    }

    /** dst[i] = a[i] (op) b[i]; either operand may be a scalar literal. */
    void binary(CodeBlock.Builder code, Op.BinaryKind kind, Ref dst, Ref a, Ref b, int n) {
        loop(code, n, dst, new Ref[] {a, b},
                (c, v) -> v[0] + "." + vectorMethod(kind) + "(" + v[1] + ")",
                s -> s[0] + " " + symbol(kind) + " " + s[1]);
    }

    private static String symbol(Op.BinaryKind kind) {
        return switch (kind) {
            case ADD -> "+";
            case SUB -> "-";
            case MUL -> "*";
            case DIV -> "/";
        };
    }

    private static String vectorMethod(Op.BinaryKind kind) {
        return switch (kind) {
            case ADD -> "add";
            case SUB -> "sub";
            case MUL -> "mul";
            case DIV -> "div";
        };
    }

    void unary(CodeBlock.Builder code, Op.UnaryKind kind, Ref dst, Ref a, int n) {
        loop(code, n, dst, new Ref[] {a}, (c, v) -> vectorUnary(c, kind, v[0], "f"), s -> scalarUnary(kind, s[0]));
    }

    void copy(CodeBlock.Builder code, Ref dst, Ref src, int n) {
        if (src.isScalar()) {
            code.addStatement("$T.fill($L, $L, $L + $L, $L)", java.util.Arrays.class, dst.array(), dst.base(),
                    dst.base(), n, src.literal());
            return;
        }
        code.addStatement("$T.arraycopy($L, $L, $L, $L, $L)", System.class, src.array(), src.base(), dst.array(),
                dst.base(), n);
    }

    void zero(CodeBlock.Builder code, Ref dst, int n) {
        code.addStatement("$T.fill($L, $L, $L + $L, $L)", java.util.Arrays.class, dst.array(), dst.base(),
                dst.base(), n, lit(0));
    }

    /** dst[i] += src[i]. */
    void accumulate(CodeBlock.Builder code, Ref dst, Ref src, int n) {
        loop(code, n, dst, new Ref[] {dst, src}, (c, v) -> v[0] + ".add(" + v[1] + ")", s -> s[0] + " + " + s[1]);
    }

    /** dst[i] = a[i] * factor. */
    void scale(CodeBlock.Builder code, Ref dst, Ref a, double factor, int n) {
        loop(code, n, dst, new Ref[] {a, Ref.scalar(lit(factor))}, (c, v) -> v[0] + ".mul(" + v[1] + ")",
                s -> s[0] + " * " + s[1]);
    }

    /** Softmax of one row: stable (max subtracted), computed in scalar code on both backends. */
    void softmax(CodeBlock.Builder code, Ref dst, Ref a, int n) {
        String e = target.elem();
        code.beginControlFlow("");
        code.addStatement("$L max = $L", e, a.at("0"));
        code.addStatement("for (int i = 1; i < $L; i++) max = $T.max(max, $L)", n, Math.class, a.at("i"));
        code.addStatement("$L sum = $L", e, lit(0));
        code.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        code.addStatement("$L v = $L", e, exp(a.at("i") + " - max"));
        code.addStatement("$L = v", dst.at("i"));
        code.addStatement("sum += v");
        code.endControlFlow();
        code.addStatement("$L inverse = $L / sum", e, lit(1));
        code.addStatement("for (int i = 0; i < $L; i++) $L *= inverse", n, dst.at("i"));
        code.endControlFlow();
    }

    /** dst = y * (g - sum(g * y)). */
    void softmaxGradient(CodeBlock.Builder code, Ref dst, Ref y, Ref g, int n) {
        code.beginControlFlow("");
        code.addStatement("$L dot = $L", target.elem(), lit(0));
        code.addStatement("for (int i = 0; i < $L; i++) dot += $L * $L", n, g.at("i"), y.at("i"));
        code.addStatement("for (int i = 0; i < $L; i++) $L = $L * ($L - dot)", n, dst.at("i"), y.at("i"), g.at("i"));
        code.endControlFlow();
    }

    String exp(String argument) {
        return target.f64() ? "Math.exp(" + argument + ")" : "(float) Math.exp(" + argument + ")";
    }

    private String scalarUnary(Op.UnaryKind kind, String a) {
        return switch (kind) {
            case NEG -> "-(" + a + ")";
            case SIGMOID -> "sigmoid(" + a + ")";
            case TANH -> "tanh(" + a + ")";
            case RELU -> "Math.max(" + a + ", " + lit(0) + ")";
            case HARD_SIGMOID -> "Math.min(Math.max(" + lit(0.2) + " * " + a + " + " + lit(0.5) + ", " + lit(0)
                    + "), " + lit(1) + ")";
            case SOFTSIGN -> a + " / (" + lit(1) + " + Math.abs(" + a + "))";
            case EXP -> exp(a);
            case IDENTITY -> a;
            case STEP -> "(" + a + " > " + lit(0) + " ? " + lit(1) + " : " + lit(0) + ")";
            case ABS -> "Math.abs(" + a + ")";
            case HARD_SIGMOID_SLOPE -> "hardSigmoidSlope(" + a + ")";
        };
    }

    /**
     * The vector form of a unary op on {@code a}; functions are written out as statements ({@link VectorMath}) with
     * locals named after {@code name}.
     */
    private String vectorUnary(CodeBlock.Builder code, Op.UnaryKind kind, String a, String name) {
        return switch (kind) {
            case NEG -> a + ".neg()";
            case RELU -> a + ".max(" + lit(0) + ")";
            case HARD_SIGMOID -> a + ".mul(" + lit(0.2) + ").add(" + lit(0.5) + ").max(" + lit(0) + ").min(" + lit(1)
                    + ")";
            case SOFTSIGN -> a + ".div(" + a + ".abs().add(" + lit(1) + "))";
            case IDENTITY -> a;
            case ABS -> a + ".abs()";
            case SIGMOID, TANH, HARD_SIGMOID_SLOPE, EXP, STEP -> math.emit(code, kind, a, name);
        };
    }

    /** One op of a fused loop: its result goes to {@code dst}; operands are refs or earlier results of the loop. */
    record Fused(Op op, Ref dst, java.util.List<Ref> operands, java.util.List<Integer> operandIds) {
    }

    /**
     * Several elementwise ops over n elements in one loop: each result stays in a local for the ops after it and is
     * stored on the way.
     */
    void fused(CodeBlock.Builder code, java.util.List<Fused> ops, int n) {
        int lanes = target.lanes();
        int upper = target.vector() ? n - n % lanes : 0;
        java.util.Set<Integer> inLoop = new java.util.HashSet<>();
        ops.forEach(f -> inLoop.add(f.op().result().id()));
        code.beginControlFlow("");
        if (upper > 0) {
            String vectorClass = target.vectorClass().simpleName();
            java.util.Map<String, String> broadcasts = new java.util.LinkedHashMap<>();
            for (Fused f : ops) {
                for (Ref ref : f.operands()) {
                    if (ref.isScalar() && !broadcasts.containsKey(ref.literal())) {
                        String name = "c" + broadcasts.size();
                        broadcasts.put(ref.literal(), name);
                        code.addStatement("$T $L = $T.broadcast(SPECIES, $L)", target.vectorClass(), name,
                                target.vectorClass(), ref.literal());
                    }
                }
            }
            code.beginControlFlow("for (int i = 0; i < $L; i += $L)", upper, lanes);
            for (Fused f : ops) {
                String[] names = new String[f.operands().size()];
                for (int k = 0; k < names.length; k++) {
                    Ref ref = f.operands().get(k);
                    int id = f.operandIds().get(k);
                    if (inLoop.contains(id) && isLocal(ops, f, id)) {
                        names[k] = "e" + id;
                    } else if (ref.isScalar()) {
                        names[k] = broadcasts.get(ref.literal());
                    } else {
                        names[k] = vectorClass + ".fromArray(SPECIES, " + ref.array() + ", " + ref.base() + " + i)";
                    }
                }
                String result = "e" + f.op().result().id();
                code.addStatement("$L $L = $L", vectorClass, result, vectorExpression(code, f.op(), names, result));
                if (!f.dst().isLocal()) {
                    code.addStatement("$L.intoArray($L, $L + i)", result, f.dst().array(), f.dst().base());
                }
            }
            code.endControlFlow();
        }
        if (upper < n) {
            code.beginControlFlow("for (int i = $L; i < $L; i++)", upper, n);
            for (Fused f : ops) {
                String[] names = new String[f.operands().size()];
                for (int k = 0; k < names.length; k++) {
                    Ref ref = f.operands().get(k);
                    int id = f.operandIds().get(k);
                    names[k] = inLoop.contains(id) && isLocal(ops, f, id) ? "s" + id
                            : ref.isScalar() ? ref.literal() : ref.at("i");
                }
                code.addStatement("$L s$L = $L", target.elem(), f.op().result().id(), scalarExpression(f.op(), names));
                if (!f.dst().isLocal()) {
                    code.addStatement("$L = s$L", f.dst().at("i"), f.op().result().id());
                }
            }
            code.endControlFlow();
        }
        code.endControlFlow();
    }

    /** Whether an operand was computed earlier in this loop (so a local holds it). */
    private static boolean isLocal(java.util.List<Fused> ops, Fused consumer, int id) {
        for (Fused f : ops) {
            if (f == consumer) {
                return false;
            }
            if (f.op().result().id() == id) {
                return true;
            }
        }
        return false;
    }

    private String vectorExpression(CodeBlock.Builder code, Op op, String[] v, String name) {
        if (op instanceof Op.Unary unary) {
            return vectorUnary(code, unary.kind(), v[0], name);
        }
        return v[0] + "." + vectorMethod(((Op.Binary) op).kind()) + "(" + v[1] + ")";
    }

    private String scalarExpression(Op op, String[] s) {
        if (op instanceof Op.Unary unary) {
            return scalarUnary(unary.kind(), s[0]);
        }
        return s[0] + " " + symbol(((Op.Binary) op).kind()) + " " + s[1];
    }

    interface Formula {
        String apply(String[] operands);
    }

    /** A vector formula: may write statements (locals of its own) before the expression it returns. */
    interface VectorFormula {
        String apply(CodeBlock.Builder code, String[] operands);
    }

    /**
     * The loop skeleton. Vector operands are loaded from arrays (scalars broadcast once, before the loop); the
     * remainder that does not fill a vector is finished with the scalar formula.
     */
    private void loop(CodeBlock.Builder code, int n, Ref dst, Ref[] operands, VectorFormula vector,
            Formula scalar) {
        int lanes = target.lanes();
        int upper = target.vector() ? n - n % lanes : 0;
        code.beginControlFlow("");
        if (upper > 0) {
            String vectorClass = target.vectorClass().simpleName();
            String[] names = new String[operands.length];
            for (int k = 0; k < operands.length; k++) {
                if (operands[k].isScalar()) {
                    names[k] = "c" + k;
                    code.addStatement("$T c$L = $T.broadcast(SPECIES, $L)", target.vectorClass(), k,
                            target.vectorClass(), operands[k].literal());
                }
            }
            code.beginControlFlow("for (int i = 0; i < $L; i += $L)", upper, lanes);
            for (int k = 0; k < operands.length; k++) {
                if (!operands[k].isScalar()) {
                    names[k] = "v" + k;
                    code.addStatement("$L v$L = $L.fromArray(SPECIES, $L, $L + i)", vectorClass, k, vectorClass,
                            operands[k].array(), operands[k].base());
                }
            }
            String result = vector.apply(code, names);
            code.addStatement("$L.intoArray($L, $L + i)", result, dst.array(), dst.base());
            code.endControlFlow();
        }
        if (upper < n) {
            String[] names = new String[operands.length];
            for (int k = 0; k < operands.length; k++) {
                names[k] = operands[k].isScalar() ? operands[k].literal() : operands[k].at("i");
            }
            code.addStatement("for (int i = $L; i < $L; i++) $L = $L", upper, n, dst.at("i"), scalar.apply(names));
        }
        code.endControlFlow();
    }
}
