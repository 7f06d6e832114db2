package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.Map;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * Matrix kernels specialized to constant shapes, one static method per (kind, shape) in use.
 * <ul>
 * <li>{@code gemm}: {@code Y[i][j] = sum_k A[i][k] B[k][j]} for m rows of A; B is row-major [K][N]. Forward
 * products use it with B = W^T (packed once per call), so each step streams the weights in order; the
 * transposed products of the backward pass use it with B = W straight from the parameter array.</li>
 * <li>{@code addOuter}: {@code W[r][c] += sum_i G[i][r] X[i][c]}, the gradient of a product over m rows.</li>
 * </ul>
 * Vector code keeps a block of accumulators per output row and broadcasts one A element at a time (the axpy form),
 * so there is no reduction across lanes; two rows of A share every load of B.
 */
final class Kernels {
    private static final int BLOCK_VECTORS = 4;

    private final Target target;
    private final Map<String, MethodSpec> methods = new TreeMap<>();

    Kernels(Target target) {
        this.target = target;
    }

    Iterable<MethodSpec> methods() {
        return methods.values();
    }

    private TypeName array() {
        return ArrayTypeName.of(target.elemType());
    }

    /** Columns per panel of a packed B: the widest column block of the gemm kernel. */
    int panelWidth() {
        return BLOCK_VECTORS * target.lanes();
    }

    /*
     * A packed B [K][N]: full panels of panelWidth() columns first, each K x width contiguous, so that a kernel
     * reads its panel as one sequential stream (a row-major B with a power-of-two row length would map a panel's
     * rows to a few cache sets); the remaining columns follow row-major. StepEmitter.pack writes this layout.
     */

    /** y = a · B for a packed B. */
    String gemmPacked(int inner, int columns) {
        if (!target.vector()) {
            return gemm(inner, columns); // scalar code reads rows of B; its packing is plain row-major
        }
        String name = "gemmPacked" + inner + "x" + columns;
        methods.computeIfAbsent(name, n -> MethodSpec.methodBuilder(n)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "a").addParameter(int.class, "ao").addParameter(int.class, "as")
                .addParameter(array(), "bm").addParameter(int.class, "bo")
                .addParameter(array(), "y").addParameter(int.class, "yo").addParameter(int.class, "ys")
                .addParameter(int.class, "m")
                .addCode(vectorGemm(inner, columns, true))
                .build());
        return name;
    }

    String gemm(int inner, int columns) {
        String name = "gemm" + inner + "x" + columns;
        methods.computeIfAbsent(name, n -> MethodSpec.methodBuilder(n)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "a").addParameter(int.class, "ao").addParameter(int.class, "as")
                .addParameter(array(), "bm").addParameter(int.class, "bo")
                .addParameter(array(), "y").addParameter(int.class, "yo").addParameter(int.class, "ys")
                .addParameter(int.class, "m")
                .addCode(target.vector() ? vectorGemm(inner, columns, false) : scalarGemm(inner, columns))
                .build());
        return name;
    }

    String outer(int rows, int columns) {
        String name = "addOuter" + rows + "x" + columns;
        methods.computeIfAbsent(name, n -> MethodSpec.methodBuilder(n)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "w").addParameter(int.class, "wo")
                .addParameter(array(), "g").addParameter(int.class, "go").addParameter(int.class, "gs")
                .addParameter(array(), "x").addParameter(int.class, "xo").addParameter(int.class, "xs")
                .addParameter(int.class, "m")
                .addCode(target.vector() ? vectorOuter(rows, columns) : scalarOuter(rows, columns))
                .build());
        return name;
    }

    private String lit(double v) {
        return target.literal(v);
    }

    private CodeBlock scalarGemm(int inner, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.beginControlFlow("for (int i = 0; i < m; i++)")
                .addStatement("int a0 = ao + i * as")
                .addStatement("int y0 = yo + i * ys")
                .addStatement("$T.fill(y, y0, y0 + $L, $L)", java.util.Arrays.class, columns, lit(0))
                .beginControlFlow("for (int k = 0; k < $L; k++)", inner)
                .addStatement("$L ak = a[a0 + k]", target.elem())
                .addStatement("int b0 = bo + k * $L", columns)
                .addStatement("for (int j = 0; j < $L; j++) y[y0 + j] += ak * bm[b0 + j]", columns)
                .endControlFlow()
                .endControlFlow();
        return code.build();
    }

    /**
     * Blocked for the caches: 64 rows of A at a time, and within them one panel of columns of B (K x 4 vectors) at
     * a time, which every pair of rows then reuses from L1 instead of streaming all of B once per pair.
     */
    private CodeBlock vectorGemm(int inner, int columns, boolean packed) {
        CodeBlock.Builder code = CodeBlock.builder();
        int lanes = target.lanes();
        int block = BLOCK_VECTORS * lanes;
        int blocked = columns - columns % block;
        int vectored = columns - columns % lanes;
        String v = target.vectorClass().simpleName();
        // Element (k, j) of B: row-major, or for a packed B the panel layout of packedIndex.
        String panelRow = packed ? "bo + (j / " + block + ") * " + (inner * block) + " + k * " + block
                : "bo + k * " + columns + " + j";
        int rest = columns - blocked;
        String restRow = packed ? "bo + " + (blocked * inner) + " + k * " + rest + " + (j - " + blocked + ")"
                : "bo + k * " + columns + " + j";
        code.beginControlFlow("for (int i0 = 0; i0 < m; i0 += 64)");
        code.addStatement("int i1 = Math.min(m, i0 + 64)");
        if (blocked > 0) {
            code.beginControlFlow("for (int j = 0; j < $L; j += $L)", blocked, block);
            rowsOf(code, inner, panelRow, BLOCK_VECTORS, v);
            code.endControlFlow();
        }
        if (vectored > blocked) {
            code.beginControlFlow("for (int j = $L; j < $L; j += $L)", blocked, vectored, lanes);
            rowsOf(code, inner, restRow, 1, v);
            code.endControlFlow();
        }
        if (columns > vectored) {
            code.beginControlFlow("for (int i = i0; i < i1; i++)");
            code.addStatement("int a0 = ao + i * as").addStatement("int y0 = yo + i * ys");
            code.beginControlFlow("for (int j = $L; j < $L; j++)", vectored, columns);
            code.addStatement("$L s0 = $L", target.elem(), lit(0));
            code.addStatement("for (int k = 0; k < $L; k++) s0 += a[a0 + k] * bm[$L]", inner, restRow);
            code.addStatement("y[y0 + j] = s0");
            code.endControlFlow();
            code.endControlFlow();
        }
        code.endControlFlow();
        return code.build();
    }

    /** One column panel for the rows i0..i1-1: pairs of rows, then a last single row. */
    private void rowsOf(CodeBlock.Builder code, int inner, String bRow, int vectors, String v) {
        code.addStatement("int i = i0");
        code.beginControlFlow("for (; i + 1 < i1; i += 2)");
        code.addStatement("int a0 = ao + i * as").addStatement("int a1 = a0 + as")
                .addStatement("int y0 = yo + i * ys").addStatement("int y1 = y0 + ys");
        gemmBlock(code, inner, bRow, 2, vectors, v);
        code.endControlFlow();
        code.beginControlFlow("if (i < i1)");
        code.addStatement("int a0 = ao + i * as").addStatement("int y0 = yo + i * ys");
        gemmBlock(code, inner, bRow, 1, vectors, v);
        code.endControlFlow();
    }

    private void gemmBlock(CodeBlock.Builder code, int inner, String bRow, int rows, int vectors, String v) {
        int lanes = target.lanes();
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("$T c$L$L = $T.zero(SPECIES)", target.vectorClass(), row, q, target.vectorClass());
            }
        }
        code.beginControlFlow("for (int k = 0; k < $L; k++)", inner);
        code.addStatement("int bk = $L", bRow);
        for (int q = 0; q < vectors; q++) {
            code.addStatement("$L b$L = $L.fromArray(SPECIES, bm, bk + $L)", v, q, v, q * lanes);
        }
        for (int row = 0; row < rows; row++) {
            code.addStatement("$L x$L = $L.broadcast(SPECIES, a[a$L + k])", v, row, v, row);
            for (int q = 0; q < vectors; q++) {
                code.addStatement("c$L$L = b$L.fma(x$L, c$L$L)", row, q, q, row, row, q);
            }
        }
        code.endControlFlow();
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("c$L$L.intoArray(y, y$L + j + $L)", row, q, row, q * lanes);
            }
        }
    }

    private CodeBlock scalarOuter(int rows, int columns) {
        return CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < m; i++)")
                .addStatement("int g0 = go + i * gs").addStatement("int x0 = xo + i * xs")
                .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                .addStatement("$L gr = g[g0 + r]", target.elem())
                .addStatement("int w0 = wo + r * $L", columns)
                .addStatement("for (int c = 0; c < $L; c++) w[w0 + c] += gr * x[x0 + c]", columns)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** Each gradient row stays in registers while the m rows are summed into it. */
    private CodeBlock vectorOuter(int rows, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        int lanes = target.lanes();
        int block = BLOCK_VECTORS * lanes;
        int blocked = columns - columns % block;
        int vectored = columns - columns % lanes;
        String v = target.vectorClass().simpleName();
        // Rows of G and X are taken 32 at a time, so that their block stays in cache while every row of W visits it.
        code.beginControlFlow("for (int i0 = 0; i0 < m; i0 += 32)");
        code.addStatement("int i1 = Math.min(m, i0 + 32)");
        code.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
        code.addStatement("int w0 = wo + r * $L", columns);
        if (blocked > 0) {
            code.beginControlFlow("for (int c = 0; c < $L; c += $L)", blocked, block);
            outerBlock(code, BLOCK_VECTORS, v, lanes);
            code.endControlFlow();
        }
        if (vectored > blocked) {
            code.beginControlFlow("for (int c = $L; c < $L; c += $L)", blocked, vectored, lanes);
            outerBlock(code, 1, v, lanes);
            code.endControlFlow();
        }
        if (columns > vectored) {
            code.beginControlFlow("for (int c = $L; c < $L; c++)", vectored, columns);
            code.addStatement("$L s = w[w0 + c]", target.elem());
            code.addStatement("for (int i = i0; i < i1; i++) s += g[go + i * gs + r] * x[xo + i * xs + c]");
            code.addStatement("w[w0 + c] = s");
            code.endControlFlow();
        }
        code.endControlFlow();
        code.endControlFlow();
        return code.build();
    }

    private void outerBlock(CodeBlock.Builder code, int vectors, String v, int lanes) {
        for (int q = 0; q < vectors; q++) {
            code.addStatement("$L s$L = $L.fromArray(SPECIES, w, w0 + c + $L)", v, q, v, q * lanes);
        }
        code.beginControlFlow("for (int i = i0; i < i1; i++)");
        code.addStatement("$L gi = $L.broadcast(SPECIES, g[go + i * gs + r])", v, v);
        code.addStatement("int x0 = xo + i * xs + c");
        for (int q = 0; q < vectors; q++) {
            code.addStatement("s$L = $L.fromArray(SPECIES, x, x0 + $L).fma(gi, s$L)", q, v, q * lanes, q);
        }
        code.endControlFlow();
        for (int q = 0; q < vectors; q++) {
            code.addStatement("s$L.intoArray(w, w0 + c + $L)", q, q * lanes);
        }
    }
}
