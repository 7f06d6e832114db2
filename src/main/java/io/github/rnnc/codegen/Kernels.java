package io.github.rnnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.Map;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * Matrix kernels specialized to constant shapes, one static method per (kind, rows, columns) in use. The weight
 * matrix is row-major [rows][columns] inside the flat parameter (or gradient) array.
 */
final class Kernels {
    private static final int ROW_BLOCK = 4;

    private final Target target;
    private final Map<String, MethodSpec> methods = new TreeMap<>();

    Kernels(Target target) {
        this.target = target;
    }

    Iterable<MethodSpec> methods() {
        return methods.values();
    }

    /** y = W x. */
    String matVec(int rows, int columns) {
        String name = "matVec" + rows + "x" + columns;
        methods.computeIfAbsent(name, n -> kernel(n, matVecBody(rows, columns), "x", "y"));
        return name;
    }

    /** y = W^T g (y has {@code columns} elements). */
    String matVecTransposed(int rows, int columns) {
        String name = "matVecTransposed" + rows + "x" + columns;
        methods.computeIfAbsent(name, n -> kernel(n, transposedBody(rows, columns), "g", "y"));
        return name;
    }

    /** G += g ⊗ v. */
    String outer(int rows, int columns) {
        String name = "addOuter" + rows + "x" + columns;
        methods.computeIfAbsent(name, n -> kernel(n, outerBody(rows, columns), "g", "v"));
        return name;
    }

    private MethodSpec kernel(String name, CodeBlock body, String first, String second) {
        TypeName array = arrayType();
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array, "w").addParameter(int.class, "wo")
                .addParameter(array, first).addParameter(int.class, first + "o")
                .addParameter(array, second).addParameter(int.class, second + "o")
                .addCode(body)
                .build();
    }

    private TypeName arrayType() {
        return com.palantir.javapoet.ArrayTypeName.of(target.elemType());
    }

    private String lit(double v) {
        return target.literal(v);
    }

    /** Dot products of ROW_BLOCK rows at a time, vector accumulators, one reduction per row. */
    private CodeBlock matVecBody(int rows, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        int lanes = target.lanes();
        int upper = target.vector() ? columns - columns % lanes : 0;
        int blockedRows = rows - rows % ROW_BLOCK;
        String v = target.vectorClass().simpleName();
        if (blockedRows > 0) {
            code.beginControlFlow("for (int r = 0; r < $L; r += $L)", blockedRows, ROW_BLOCK);
            for (int k = 0; k < ROW_BLOCK; k++) {
                code.addStatement("int w$L = wo + (r + $L) * $L", k, k, columns);
            }
            String e = target.elem();
            if (upper > 0) {
                for (int k = 0; k < ROW_BLOCK; k++) {
                    code.addStatement("$T a$L = $T.zero(SPECIES)", target.vectorClass(), k, target.vectorClass());
                }
                code.beginControlFlow("for (int c = 0; c < $L; c += $L)", upper, lanes);
                code.addStatement("$L xv = $L.fromArray(SPECIES, x, xo + c)", v, v);
                for (int k = 0; k < ROW_BLOCK; k++) {
                    code.addStatement("a$L = $L.fromArray(SPECIES, w, w$L + c).fma(xv, a$L)", k, v, k, k);
                }
                code.endControlFlow();
                for (int k = 0; k < ROW_BLOCK; k++) {
                    code.addStatement("$L s$L = a$L.reduceLanes(VectorOperators.ADD)", e, k, k);
                }
            } else {
                for (int k = 0; k < ROW_BLOCK; k++) {
                    code.addStatement("$L s$L = $L", e, k, lit(0));
                }
            }
            if (upper < columns) {
                code.beginControlFlow("for (int c = $L; c < $L; c++)", upper, columns);
                code.addStatement("$L xc = x[xo + c]", e);
                for (int k = 0; k < ROW_BLOCK; k++) {
                    code.addStatement("s$L += w[w$L + c] * xc", k, k);
                }
                code.endControlFlow();
            }
            for (int k = 0; k < ROW_BLOCK; k++) {
                code.addStatement("y[yo + r + $L] = s$L", k, k);
            }
            code.endControlFlow();
        }
        if (blockedRows < rows) {
            code.beginControlFlow("for (int r = $L; r < $L; r++)", blockedRows, rows);
            code.addStatement("int w0 = wo + r * $L", columns);
            code.addStatement("$L s = $L", target.elem(), lit(0));
            if (upper > 0) {
                code.addStatement("$T a = $T.zero(SPECIES)", target.vectorClass(), target.vectorClass());
                code.addStatement("for (int c = 0; c < $L; c += $L) a = $L.fromArray(SPECIES, w, w0 + c)"
                        + ".fma($L.fromArray(SPECIES, x, xo + c), a)", upper, lanes, v, v);
                code.addStatement("s = a.reduceLanes(VectorOperators.ADD)");
            }
            if (upper < columns) {
                code.addStatement("for (int c = $L; c < $L; c++) s += w[w0 + c] * x[xo + c]", upper, columns);
            }
            code.addStatement("y[yo + r] = s");
            code.endControlFlow();
        }
        return code.build();
    }

    /** y = sum over rows of g[r] * W[r, :]: axpy form, streaming W in order. */
    private CodeBlock transposedBody(int rows, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.addStatement("$T.fill(y, yo, yo + $L, $L)", java.util.Arrays.class, columns, lit(0));
        code.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
        code.addStatement("$L gr = g[go + r]", target.elem());
        code.addStatement("int w0 = wo + r * $L", columns);
        axpy(code, columns, "gr", "w", "w0", "y", "yo");
        code.endControlFlow();
        return code.build();
    }

    /** W[r, :] += g[r] * v for every row. */
    private CodeBlock outerBody(int rows, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
        code.addStatement("$L gr = g[go + r]", target.elem());
        code.addStatement("int w0 = wo + r * $L", columns);
        // w is the gradient array here: it is both read and written.
        axpy(code, columns, "gr", "v", "vo", "w", "w0");
        code.endControlFlow();
        return code.build();
    }

    /** out[oo + c] += factor * in[io + c] for c < n. */
    private void axpy(CodeBlock.Builder code, int n, String factor, String in, String io, String out, String oo) {
        int lanes = target.lanes();
        int upper = target.vector() ? n - n % lanes : 0;
        String v = target.vectorClass().simpleName();
        if (upper > 0) {
            code.addStatement("$T fv = $T.broadcast(SPECIES, $L)", target.vectorClass(), target.vectorClass(), factor);
            code.addStatement("for (int c = 0; c < $L; c += $L) $L.fromArray(SPECIES, $L, $L + c).fma(fv, "
                    + "$L.fromArray(SPECIES, $L, $L + c)).intoArray($L, $L + c)", upper, lanes, v, in, io, v, out, oo,
                    out, oo);
        }
        if (upper < n) {
            code.addStatement("for (int c = $L; c < $L; c++) $L[$L + c] += $L * $L[$L + c]", upper, n, out, oo,
                    factor, in, io);
        }
    }
}
