package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * Matrix kernels specialized to constant shapes, one static method per (kind, shape) in use.
 * <ul>
 * <li>{@code gemm}: {@code Y[i][j] = sum_k A[i][k] B[k][j]} for m rows of A; B is row-major [K][N], or packed in
 * column panels ({@code gemmPacked}). Forward products use it with B = W^T and the transposed products of the
 * backward pass with B = W, both packed when the parameters change, so each step streams the weights in order.</li>
 * <li>{@code addOuter}: {@code W[r][c] += sum_i G[i][r] X[i][c]}, the gradient of a product over m rows; for a W
 * larger than L2, {@code addOuterBlocked}, which packs blocks of G and X into the network's workspace.</li>
 * </ul>
 * Vector code keeps a block of accumulators per output row and broadcasts one A element at a time (the axpy form),
 * so there is no reduction across lanes; the rows of a block share every load of B.
 */
final class Kernels {
    /** Vectors per row of a column panel of a packed B: the width of the gemm's main tile. */
    private static final int PANEL_VECTORS = 2;
    /** Panels per pass of the one-row product (batch 1), widest first: 8 accumulators hide the FMA latency. */
    private static final int[] ROW_PANELS = {4, 2, 1};
    /** Accumulators of a row kernel: a narrower one splits K into chains to have as many (see rowChains). */
    private static final int ROW_ACCUMULATORS = ROW_PANELS[0] * PANEL_VECTORS;
    /** The shallowest K chain of a split row kernel. */
    private static final int MIN_CHAIN_DEPTH = 8;
    /** Vectors of columns per block of the unblocked addOuter. */
    private static final int BLOCK_VECTORS = 4;
    private static final int ROW_BLOCK = 48;
    private static final int BLOCK_ROWS = 6;
    /** Rows of the main tile where the generated class's TILE_ROWS says the JIT spills the six-row one. */
    private static final int NARROW_BLOCK_ROWS = 4;
    /**
     * The generated constant that picks the main tile at class initialization (C2 folds the branch): six rows on
     * JDK 17; four on later JDKs, whose C2 (measured: JDK 25) hoists the six-row tile's broadcasts ahead of its FMAs,
     * needs 18 vector registers of 16 and keeps two accumulators on the stack, a store-to-load dependency in every
     * iteration: kernel alone 39 against 67 GFLOP/s (m = 64, 256 x 1024). The four-row tile (8 accumulators) ran
     * forward lstm_h256 batch 64 in 143 against 216 ms on JDK 25, but 7-15 % slower than the six-row one on JDK 17.
     * Both tiles are even, so the tails (TAIL_ROWS, then an odd last row) are the same after either.
     */
    private static final String TILE_ROWS = "TILE_ROWS";
    /**
     * Rows of the main tiles at 512 bits, on every JDK, largest first: AVX-512's 32 vector registers hold 12 x 2
     * accumulators, so each load of B feeds 12 rows; the 8-row tile takes 8 to 11 rows left over (batch 8's recurrent
     * product), so that no more than 7 rows reach the tails (TAIL_ROWS and an odd row). The 8-row tile over 4 or 6
     * (kernel alone, Zen 5, m = 8 / 64 / 800: gemmPacked512x2048 on JDK 25 166-172 / - / 151-184 -> 194-201 / 208-210 /
     * 210-212 GFLOP/s, on JDK 17 128 / - / 195-207 -> 202 / 196-205 / 197-205); 12 rows over 8 (kernel alone, the Intel
     * AVX-512 machine of the benchmarks, m = 840, packed B in a segment on JDK 25: 133-145 -> 149-157 GFLOP/s at K =
     * 512, 162 -> 169 at K = 128; from an array on JDK 17: 127-130 -> 143 at K = 512, the same at K = 128); 14 rows
     * spilled on JDK 25 (102-107 at K = 512).
     */
    private static final int[] WIDE_TILE_ROWS = {12, 8};
    /** The shallowest tile (rows of B) that takes the 12-row tile (see wideTileRows). */
    private static final int WIDE_TILE_MIN_DEPTH = 128;
    /** Row counts of the tiles that take a block's last rows (fewer than the main tile's), largest first. */
    private static final int[] TAIL_ROWS = {4, 2};
    /** Rows of B per pass of the main tiles over a deep K (see isDepthBlocked). */
    private static final int DEPTH_BLOCK = 256;
    /** Blocked addOuter: rows of G and X per block, rows of W per block of packed G, rows of a register tile. */
    private static final int OUTER_KC = 256;
    private static final int OUTER_MC = 64;
    private static final int OUTER_MR = 4;
    /**
     * Rows of the register tile at 512 bits: AVX-512 has 32 vector registers, room for 8 x 2 accumulators, which
     * halves the loads of X per FMA (kernel alone, addOuterBlocked1024x256, m = 6400, Zen 4: 62-84 GFLOP/s with four
     * rows, 70-97 with eight on JDK 17; 74-82 against 77-89 on JDK 25). trainStep, JDK 17: LSTM 512 batch 64 903 ->
     * 862 ms, batch 8 140 -> 131 ms; LSTM 256 batch 64 286 -> 275 ms.
     */
    private static final int OUTER_MR_512 = 8;
    /** W from this size on (bytes, the L2 of the machines measured) takes the blocked addOuter. */
    private static final int OUTER_BLOCKED_BYTES = 1 << 20;

    /** The field holding the blocked kernels' packing workspace, {@link #workspace()} elements, one per network. */
    static final String WORKSPACE = "kernelWorkspace";

    private final Target target;
    private final Map<String, MethodSpec> methods = new TreeMap<>();
    private int workspace;

    Kernels(Target target) {
        this.target = target;
    }

    Iterable<MethodSpec> methods() {
        return methods.values();
    }

    private TypeName array() {
        return ArrayTypeName.of(target.elemType());
    }

    /** The type of a packed B: an array, or a segment when the target keeps packed weights off-heap. */
    private TypeName packedType(boolean packed) {
        return isSegment(packed) ? Target.MEMORY_SEGMENT : array();
    }

    private boolean isSegment(boolean packed) {
        return packed && target.segments();
    }

    /**
     * Where row k of B starts in a K loop: element {@code base + k * stride + after}. In a segment the offset is in
     * bytes, a long that grows with k by a constant: with the int element index converted and scaled at every load,
     * C2 kept more work in the loop, and a tile (8 rows, K = 256, JDK 25, AVX-512) ran at 157 GFLOP/s against 178
     * from an array; this way at 170.
     */
    private record BRow(String base, int stride, String after) {
        String index() {
            return base + " + k * " + stride + after;
        }
    }

    /** {@code int bk = ...} or, in a segment, {@code long bk = ...} in bytes: row k of B. */
    private CodeBlock rowOfB(BRow row, boolean packed) {
        if (!isSegment(packed)) {
            return CodeBlock.of("int bk = $L", row.index());
        }
        int bytes = target.elemBytes();
        return CodeBlock.of("long bk = (long) ($L$L) * $L + k * $LL", row.base(), row.after(), bytes,
                row.stride() * bytes);
    }

    /** Code loading the vector of B {@code offset} elements after row k's {@code bk}. */
    private CodeBlock loadB(String v, int offset, boolean packed) {
        return isSegment(packed)
                ? CodeBlock.of("$L.fromMemorySegment(SPECIES, bm, bk + $L, $L)", v, offset * target.elemBytes(),
                        NATIVE_ORDER)
                : CodeBlock.of("$L.fromArray(SPECIES, bm, bk + $L)", v, offset);
    }

    /** Code reading the element of B at {@code index}. */
    private CodeBlock elementB(String index, boolean packed) {
        return isSegment(packed) ? CodeBlock.of("bm.getAtIndex($T.$L, $L)", Target.VALUE_LAYOUT,
                target.elementLayout(), index) : CodeBlock.of("bm[$L]", index);
    }

    /** The generated constant holding {@code ByteOrder.nativeOrder()}, for the segment loads. */
    static final String NATIVE_ORDER = "NATIVE_ORDER";

    static FieldSpec nativeOrderField() {
        return FieldSpec.builder(Target.BYTE_ORDER, NATIVE_ORDER, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.nativeOrder()", Target.BYTE_ORDER).build();
    }

    /**
     * Columns per panel of a packed B: the width of the gemm's main tile, so that the part of B a tile passes over is
     * contiguous. With panels of four vectors, the two-vector tiles read every other 64 bytes of a panel's rows: a
     * depth block of 256 rows (16 KB) then sat in half of L1's sets and filled them (kernel alone, AVX2, m = 64:
     * gemmPacked256x1024 median 55 GFLOP/s against 60 with two-vector panels; 2048 x 512 53 against 57).
     */
    int panelWidth() {
        return PANEL_VECTORS * target.lanes();
    }

    /*
     * A packed B [K][N]: full panels of panelWidth() columns first, each K x width contiguous, so that a kernel
     * reads its panel as one sequential stream (a row-major B with a power-of-two row length would map a panel's
     * rows to a few cache sets); the remaining columns follow row-major. StepEmitter.pack writes this layout.
     */

    /*
     * Kernels are specialized to their row strides too (as, ys; gs, xs): with the strides constant, the JIT folds
     * the rows of a block into one base register with constant displacements (the four-row block ran 10-30 %
     * faster than with the strides as parameters, in a microbenchmark on AVX2).
     */

    /** y = a · B for a packed B, rows of a {@code aStride} and rows of y {@code yStride} apart. */
    String gemmPacked(int inner, int columns, int aStride, int yStride) {
        if (!target.vector()) {
            // scalar code reads rows of B; its packing is plain row-major
            return gemm(inner, columns, aStride, yStride);
        }
        String name = gemmName("gemmPacked", inner, columns, aStride, yStride);
        return methods.containsKey(name) ? name
                : gemmMethod(name, aStride, yStride, true, vectorGemm(name, inner, columns, aStride, yStride, true));
    }

    String gemm(int inner, int columns, int aStride, int yStride) {
        String name = gemmName("gemm", inner, columns, aStride, yStride);
        return methods.containsKey(name) ? name
                : gemmMethod(name, aStride, yStride, false, target.vector()
                        ? vectorGemm(name, inner, columns, aStride, yStride, false) : scalarGemm(inner, columns));
    }

    private static String gemmName(String kind, int inner, int columns, int aStride, int yStride) {
        return kind + inner + "x" + columns + strides(aStride == inner && yStride == columns, aStride, yStride);
    }

    private String gemmMethod(String name, int aStride, int yStride, boolean packed, CodeBlock body) {
        methods.computeIfAbsent(name, n -> MethodSpec.methodBuilder(n)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "a").addParameter(int.class, "ao")
                .addParameter(packedType(packed), "bm").addParameter(int.class, "bo")
                .addParameter(array(), "y").addParameter(int.class, "yo")
                .addParameter(int.class, "m")
                .addParameter(boolean.class, "reverse")
                .addStatement("final int as = $L", aStride)
                .addStatement("final int ys = $L", yStride)
                .addCode(body)
                .build());
        return name;
    }

    /** W += G^T X over m rows, rows of G {@code gStride} and rows of X {@code xStride} apart. */
    Kernel outer(int rows, int columns, int gStride, int xStride) {
        boolean blocked = isBlockedOuter(rows, columns);
        String name = (blocked ? "addOuterBlocked" : "addOuter") + rows + "x" + columns
                + strides(gStride == rows && xStride == columns, gStride, xStride);
        if (!methods.containsKey(name)) {
            MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(array(), "w").addParameter(int.class, "wo")
                    .addParameter(array(), "g").addParameter(int.class, "go")
                    .addParameter(array(), "x").addParameter(int.class, "xo")
                    .addParameter(int.class, "m");
            if (blocked) {
                method.addParameter(array(), "pack");
                workspace = Math.max(workspace, outerWorkspace(columns));
            }
            // the body before the put: a blocked kernel adds its tile methods to the map
            CodeBlock body = blocked ? blockedOuter(rows, columns) : target.vector() ? vectorOuter(rows, columns)
                    : scalarOuter(rows, columns);
            methods.put(name, method
                    .addStatement("final int gs = $L", gStride)
                    .addStatement("final int xs = $L", xStride)
                    .addCode(body)
                    .build());
        }
        return new Kernel(name, blocked);
    }

    /** A kernel's name, and whether it takes the shared workspace as its last argument. */
    record Kernel(String name, boolean takesWorkspace) {
    }

    /** Elements of the workspace the blocked kernels share (one at a time), 0 when none is blocked. */
    int workspace() {
        return workspace;
    }

    /** The name suffix of a kernel whose strides are not its shape's own (rows of wider buffers, or slices). */
    private static String strides(boolean dense, int first, int second) {
        return dense ? "" : "s" + first + "x" + second;
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
     * Blocked for the caches: 48 rows of A at a time, and within them one panel of columns of B (K x 2 vectors)
     * at a time, which the row tiles then reuse from L1 instead of streaming all of B once per block; a K deeper than
     * DEPTH_BLOCK goes a depth block at a time. The main tile is six rows by two vectors (12 accumulators, 2 loads of
     * B and 6 broadcasts per 12 FMAs), a method of its own (gemmTile); four and two rows take the rest, and an odd
     * last row (the whole product at batch 1) takes four panels at a time, so that eight accumulators hide the FMA
     * latency. Measured on AVX2 (kernel alone, m = 64 and 6400): the six-row tile inside the kernel ran at 36
     * GFLOP/s with spilled accumulators, the four-row one at 40-60, the six-row method at 47-66; depth blocks took
     * K = 1024 from 36-42 to 55-68.
     */
    private CodeBlock vectorGemm(String kernel, int inner, int columns, int aStride, int yStride, boolean packed) {
        CodeBlock.Builder code = CodeBlock.builder();
        int lanes = target.lanes();
        int panel = PANEL_VECTORS * lanes;
        int blocked = columns - columns % panel;
        int vectored = columns - columns % lanes;
        String v = target.vectorClass().simpleName();
        // Element (0, j) of B and the distance between rows k: row-major, or for a packed B the panel layout of
        // packedIndex; the tile methods take the first, the inline tiles read element (k, j).
        String panelBase = packed ? "bo + (j / " + panel + ") * " + (inner * panel) + " + j % " + panel : "bo + j";
        int panelStride = packed ? panel : columns;
        int nextPanel = packed ? inner * panel : panel;
        BRow panelRow = new BRow(panelBase, panelStride, "");
        int rest = columns - blocked;
        BRow restRow = packed ? new BRow("bo + " + (blocked * inner), rest, " + (j - " + blocked + ")")
                : new BRow("bo", columns, " + j");
        code.beginControlFlow("for (int i0 = 0; i0 < m; i0 += $L)", ROW_BLOCK);
        code.addStatement("int i1 = Math.min(m, i0 + $L)", ROW_BLOCK);
        // every other pass over B backwards: what the last one read last is still in L2 (see serpentine)
        code.addStatement("boolean back = reverse ^ ((i0 / $L & 1) != 0)", ROW_BLOCK);
        if (blocked > 0 && isDepthBlocked(inner)) {
            // the main tiles a depth block at a time; the rows left to the tails follow with all of K
            tiledRows(code, DEPTH_BLOCK);
            serpentine(code, "k0", inner / DEPTH_BLOCK, DEPTH_BLOCK, 0);
            serpentine(code, "j", blocked / panel, panel, 0);
            code.addStatement("int bb = $L + k0 * $L", panelBase, panelStride);
            code.addStatement("int i = i0");
            byTileRows(code, DEPTH_BLOCK, rows -> {
                code.beginControlFlow("for (; i + $L < i1; i += $L)", rows - 1, rows);
                code.addStatement("int a0 = ao + i * as + k0").addStatement("int y0 = yo + i * ys + j");
                // the first depth block sets y, the others add to it
                code.beginControlFlow("if (k0Pass == 0)");
                code.addStatement("$L(a, a0, bm, bb, y, y0)",
                        gemmTile(kernel, DEPTH_BLOCK, aStride, yStride, panelStride, false, rows, packed));
                code.nextControlFlow("else");
                code.addStatement("$L(a, a0, bm, bb, y, y0)",
                        gemmTile(kernel, DEPTH_BLOCK, aStride, yStride, panelStride, true, rows, packed));
                code.endControlFlow();
                code.endControlFlow();
            });
            code.endControlFlow().endControlFlow();
            serpentine(code, "j", blocked / panel, panel, 0);
            code.addStatement("int i = tiled");
        } else if (blocked > 0) {
            serpentine(code, "j", blocked / panel, panel, 0);
            code.addStatement("int i = i0");
            byTileRows(code, inner, rows -> {
                code.beginControlFlow("for (; i + $L < i1; i += $L)", rows - 1, rows);
                code.addStatement("$L(a, ao + i * as, bm, $L, y, yo + i * ys + j)",
                        gemmTile(kernel, inner, aStride, yStride, panelStride, false, rows, packed), panelBase);
                code.endControlFlow();
            });
        }
        if (blocked > 0) {
            for (int rows : TAIL_ROWS) {
                code.beginControlFlow("if (i + $L < i1)", rows - 1);
                gemmRows(code, inner, panelRow, rows, PANEL_VECTORS, v, nextPanel, packed);
                code.addStatement("i += $L", rows);
                code.endControlFlow();
            }
            code.endControlFlow();
            code.beginControlFlow("if ((i1 - i0) % 2 != 0)");
            code.addStatement("int i = i1 - 1");
            // the widest row kernels first, narrower ones for the rest; backwards, the same ranges in reverse
            List<CodeBlock> ranges = new ArrayList<>();
            int from = 0;
            for (int panels : ROW_PANELS) {
                int width = panels * panel;
                int upTo = from + (blocked - from) / width * width;
                if (upTo > from) {
                    CodeBlock.Builder range = CodeBlock.builder();
                    serpentine(range, "j", (upTo - from) / width, width, from);
                    range.addStatement("$L(a, ao + i * as, bm, $L, y, yo + i * ys + j)",
                            gemmRow(kernel, inner, panelStride, panels * PANEL_VECTORS, nextPanel, packed),
                            panelBase);
                    range.endControlFlow();
                    ranges.add(range.build());
                }
                from = upTo;
            }
            if (ranges.size() == 1) {
                code.add(ranges.get(0));
            } else {
                code.beginControlFlow("if (back)");
                for (int r = ranges.size() - 1; r >= 0; r--) {
                    code.add(ranges.get(r));
                }
                code.nextControlFlow("else");
                ranges.forEach(code::add);
                code.endControlFlow();
            }
            code.endControlFlow();
        }
        if (vectored > blocked) {
            code.beginControlFlow("for (int j = $L; j < $L; j += $L)", blocked, vectored, lanes);
            code.addStatement("int i = i0");
            code.beginControlFlow("for (; i + 1 < i1; i += 2)");
            gemmRows(code, inner, restRow, 2, 1, v, 0, packed);
            code.endControlFlow();
            code.beginControlFlow("if (i < i1)");
            gemmRows(code, inner, restRow, 1, 1, v, 0, packed);
            code.endControlFlow();
            code.endControlFlow();
        }
        if (columns > vectored) {
            code.beginControlFlow("for (int i = i0; i < i1; i++)");
            code.addStatement("int a0 = ao + i * as").addStatement("int y0 = yo + i * ys");
            code.beginControlFlow("for (int j = $L; j < $L; j++)", vectored, columns);
            code.addStatement("$L s0 = $L", target.elem(), lit(0));
            code.addStatement("for (int k = 0; k < $L; k++) s0 += a[a0 + k] * $L", inner,
                    elementB(restRow.index(), packed));
            code.addStatement("y[y0 + j] = s0");
            code.endControlFlow();
            code.endControlFlow();
        }
        code.endControlFlow();
        return code.build();
    }

    /**
     * Opens a loop over {@code count} blocks of {@code size} from {@code first}: {@code variable} takes them in order,
     * or in reverse when {@code back}; {@code variable + "Pass"} counts the passes. A product that streams a B
     * larger than L2 (W of an LSTM(512) is 4 MB, L2 2 MB here) once per step, or once per row block, then finds
     * the part of B it read last still in L2: forward LSTM(512) at batch 1 took 12.6 instead of 18.0 ms (JDK 17,
     * the Intel AVX-512 machine of the benchmarks). Products whose B fits in L2 are unchanged.
     */
    private static void serpentine(CodeBlock.Builder code, String variable, int count, int size, int first) {
        String pass = variable + "Pass";
        code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", pass, pass, count, pass);
        code.addStatement("int $L = $L(back ? $L - $L : $L) * $L", variable, first == 0 ? "" : first + " + ",
                count - 1, pass, pass, size);
    }

    /**
     * Rows i .. i + rows - 1 of A times {@code vectors} vectors of columns from j: accumulators over the K elements
     * of the rows. Vectors past the first PANEL_VECTORS are in the panels after j's, {@code nextPanel} apart (the
     * distance from a panel's row to the next panel's).
     */
    private void gemmRows(CodeBlock.Builder code, int inner, BRow bRow, int rows, int vectors, String v,
            int nextPanel, boolean packed) {
        code.addStatement("int a0 = ao + i * as").addStatement("int y0 = yo + i * ys");
        gemmTileBody(code, inner, bRow, rows, vectors, v, nextPanel, "j + ", false, packed);
    }

    /**
     * A K this deep is taken DEPTH_BLOCK rows of B at a time by the main tiles, adding to y after the first block:
     * a panel of B over all of a K of 1024 (64 KB) no longer stays in L1 while the tiles of a row block pass it.
     */
    private boolean isDepthBlocked(int inner) {
        return inner > DEPTH_BLOCK && inner % DEPTH_BLOCK == 0;
    }

    /**
     * {@code if (TILE_ROWS == 6) { body(6) } else { body(4) }}: the main tiles of both shapes, one chosen per JDK;
     * at 512 bits {@code body(12); body(8)}, one after the other, or only {@code body(8)} for a tile of a shallow
     * {@code depth} (see wideTileRows).
     */
    private void byTileRows(CodeBlock.Builder code, int depth, java.util.function.IntConsumer body) {
        if (hasWideRegisterFile(target)) {
            for (int rows : wideTileRows(depth)) {
                body.accept(rows);
            }
            return;
        }
        code.beginControlFlow("if ($L == $L)", TILE_ROWS, BLOCK_ROWS);
        body.accept(BLOCK_ROWS);
        code.nextControlFlow("else");
        body.accept(NARROW_BLOCK_ROWS);
        code.endControlFlow();
    }

    /**
     * {@code int tiled}: the first row of the block that the main tiles (those of byTileRows) leave to the tails.
     */
    private void tiledRows(CodeBlock.Builder code, int depth) {
        if (!hasWideRegisterFile(target)) {
            code.addStatement("int tiled = i0 + (i1 - i0) / $L * $L", TILE_ROWS, TILE_ROWS);
            return;
        }
        code.addStatement("int tiled = i0");
        for (int rows : wideTileRows(depth)) {
            code.addStatement("tiled += (i1 - tiled) / $L * $L", rows, rows);
        }
    }

    /**
     * The main tiles at 512 bits for a tile over {@code depth} rows of B: below WIDE_TILE_MIN_DEPTH the 12-row tile
     * ran slower than the 8-row one on JDK 25 (kernel alone, m = 96: 105 against 158 GFLOP/s at K = 64, 99 against
     * 142 at K = 32; on JDK 17 it was 160 against 150 at K = 64), so shallow products keep the 8-row tile alone.
     */
    private static int[] wideTileRows(int depth) {
        return depth >= WIDE_TILE_MIN_DEPTH ? WIDE_TILE_ROWS : new int[] {WIDE_TILE_ROWS[1]};
    }

    /**
     * The generated constant {@link #TILE_ROWS}: the six-row tile on JDK 17, the four-row one after; 512 bits: the
     * largest of WIDE_TILE_ROWS.
     */
    static FieldSpec tileRowsField(Target target) {
        FieldSpec.Builder field = FieldSpec.builder(int.class, TILE_ROWS, Modifier.PRIVATE, Modifier.STATIC,
                Modifier.FINAL);
        return hasWideRegisterFile(target)
                ? field.addJavadoc("Rows of the products' main tile.\n").initializer("$L", WIDE_TILE_ROWS[0]).build()
                : field.addJavadoc("Rows of the products' main tile: the JIT of JDKs after 17 spills the six-row"
                                + " one.\n")
                        .initializer("$T.version().feature() <= 17 ? $L : $L", Runtime.class, BLOCK_ROWS,
                                NARROW_BLOCK_ROWS)
                        .build();
    }

    /** 512-bit vectors: AVX-512, whose 32 vector registers make room for the wider register tiles. */
    private static boolean hasWideRegisterFile(Target target) {
        return target.vectorBits() == 512;
    }

    /**
     * The main tile of the gemm ({@code rows} rows by a panel over {@code depth} rows of B), a method of its own:
     * a0 is where its rows of A start, bb its element k = 0 of B and y0 its first output; with {@code accumulate} it
     * adds to y. Inside the kernel, whose outer loops keep their bounds and offsets live, C2 spilled three of the
     * six-row tile's twelve accumulators to the stack and ran the kernel at 36 GFLOP/s; alone, the same loop keeps
     * them in registers. Its bytecode is over C2's inlining limit (FreqInlineSize), so it stays a call, one per
     * rows x depth x 2 vectors of FMAs.
     */
    private String gemmTile(String kernel, int depth, int aStride, int yStride, int bStride, boolean accumulate,
            int rows, boolean packed) {
        String name = kernel + "Tile" + rows + "x" + PANEL_VECTORS + (accumulate ? "Add" : "");
        if (!methods.containsKey(name)) {
            CodeBlock.Builder code = CodeBlock.builder();
            code.addStatement("final int as = $L", aStride).addStatement("final int ys = $L", yStride);
            gemmTileBody(code, depth, new BRow("bb", bStride, ""), rows, PANEL_VECTORS,
                    target.vectorClass().simpleName(), 0, "", accumulate, packed);
            putTileMethod(name, code.build(), packed);
        }
        return name;
    }

    /**
     * One row of A times {@code vectors} vectors of columns of B (the panels after the first {@code nextPanel}
     * apart), a method of its own like the tiles: a0 is the row, bb its element k = 0 of B, y0 its first output.
     * Inside the kernel, JDK 25's C2 ran this loop (batch 1, eight accumulators) at 21-30 GFLOP/s; as its own method
     * at 33-47 (kernel alone, 128 x 512 and 256 x 1024, 256- and 512-bit vectors, AVX-512 machine), and forward of
     * LSTM 128 at batch 1 in 571 against 776 us. JDK 17 ran both forms alike.
     */
    private String gemmRow(String kernel, int inner, int bStride, int vectors, int nextPanel, boolean packed) {
        int chains = rowChains(vectors, inner);
        String name = kernel + "Row" + vectors + (chains > 1 ? "x" + chains : "");
        if (!methods.containsKey(name)) {
            CodeBlock.Builder code = CodeBlock.builder();
            BRow bRow = new BRow("bb", bStride, "");
            if (chains > 1) {
                gemmRowChains(code, inner, bRow, vectors, chains, nextPanel, packed);
            } else {
                gemmTileBody(code, inner, bRow, 1, vectors, target.vectorClass().simpleName(), nextPanel, "", false,
                        packed);
            }
            putTileMethod(name, code.build(), packed);
        }
        return name;
    }

    /**
     * The K chains of a row kernel {@code vectors} wide: as many as make ROW_ACCUMULATORS accumulators, with at
     * least MIN_CHAIN_DEPTH elements of K each. One row of a narrow product has too few accumulators to hide the FMA
     * latency: dh = W_hh^T dgates of an LSTM(32) at batch 1 is 2 vectors wide at 512 bits, 2 dependent chains of
     * 128 FMAs each, twice the FMAs' throughput time on Zen 4 and four times on a machine with two FMA units.
     */
    private static int rowChains(int vectors, int inner) {
        return Math.max(1, Math.min(ROW_ACCUMULATORS / vectors, inner / MIN_CHAIN_DEPTH));
    }

    /**
     * A row kernel whose K is split into {@code chains} interleaved chains (chain g takes the k with k % chains ==
     * g), each with its own accumulators, summed at the end; a K that is not a multiple goes to chain 0.
     */
    private void gemmRowChains(CodeBlock.Builder code, int inner, BRow bRow, int vectors, int chains,
            int nextPanel, boolean packed) {
        int lanes = target.lanes();
        for (int g = 0; g < chains; g++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("$T c$L$L = $T.zero(SPECIES)", target.vectorClass(), g, q, target.vectorClass());
            }
        }
        int whole = inner - inner % chains;
        code.beginControlFlow("for (int k = 0; k < $L; k += $L)", whole, chains);
        code.addStatement(rowOfB(bRow, packed));
        for (int g = 0; g < chains; g++) {
            chainStep(code, bRow, g, vectors, nextPanel, packed);
        }
        code.endControlFlow();
        if (whole < inner) {
            code.beginControlFlow("for (int k = $L; k < $L; k++)", whole, inner);
            code.addStatement(rowOfB(bRow, packed));
            chainStep(code, bRow, 0, vectors, nextPanel, packed);
            code.endControlFlow();
        }
        // pairwise: chain g takes chain g + width, for width = chains / 2, ...
        for (int width = Integer.highestOneBit(chains - 1); width >= 1; width /= 2) {
            for (int g = 0; g < width && g + width < chains; g++) {
                for (int q = 0; q < vectors; q++) {
                    code.addStatement("c$L$L = c$L$L.add(c$L$L)", g, q, g, q, g + width, q);
                }
            }
        }
        for (int q = 0; q < vectors; q++) {
            code.addStatement("c0$L.intoArray(y, y0 + $L)", q, q * lanes);
        }
    }

    /** Chain g's FMAs for element k + g of the row: its broadcast times row k + g of B into accumulators c{g}q. */
    private void chainStep(CodeBlock.Builder code, BRow bRow, int g, int vectors, int nextPanel, boolean packed) {
        String v = target.vectorClass().simpleName();
        code.addStatement("$L x$L = $L.broadcast(SPECIES, a[a0 + k$L])", v, g, v, g == 0 ? "" : " + " + g);
        for (int q = 0; q < vectors; q++) {
            int offset = g * bRow.stride() + panelOffset(q, nextPanel);
            code.addStatement("c$L$L = $L.fma(x$L, c$L$L)", g, q, loadB(v, offset, packed), g, g, q);
        }
    }

    /** Where vector q of a row of B starts after the row's first element: panels of PANEL_VECTORS, nextPanel apart. */
    private int panelOffset(int q, int nextPanel) {
        return q / PANEL_VECTORS * nextPanel + q % PANEL_VECTORS * target.lanes();
    }

    /** A tile or row method: {@code (a, a0, bm, bb, y, y0)}, its rows of A from a0, B from bb, y from y0. */
    private void putTileMethod(String name, CodeBlock body, boolean packed) {
        methods.put(name, MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "a").addParameter(int.class, "a0")
                .addParameter(packedType(packed), "bm").addParameter(int.class, "bb")
                .addParameter(array(), "y").addParameter(int.class, "y0")
                .addCode(body)
                .build());
    }

    /** The accumulators, K loop and stores of a tile, with a0 and y0 defined; {@code column}: "j + " or "". */
    private void gemmTileBody(CodeBlock.Builder code, int inner, BRow bRow, int rows, int vectors, String v,
            int nextPanel, String column, boolean accumulate, boolean packed) {
        int lanes = target.lanes();
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < vectors; q++) {
                if (accumulate) {
                    code.addStatement("$L c$L$L = $L.fromArray(SPECIES, y, y0 + $L$L$L)", v, row, q, v,
                            rowOffset(row, "ys"), column, q * lanes);
                } else {
                    code.addStatement("$T c$L$L = $T.zero(SPECIES)", target.vectorClass(), row, q,
                            target.vectorClass());
                }
            }
        }
        code.beginControlFlow("for (int k = 0; k < $L; k++)", inner);
        code.addStatement(rowOfB(bRow, packed));
        for (int q = 0; q < vectors; q++) {
            code.addStatement("$L b$L = $L", v, q, loadB(v, panelOffset(q, nextPanel), packed));
        }
        for (int row = 0; row < rows; row++) {
            code.addStatement("$L x$L = $L.broadcast(SPECIES, a[a0 + $Lk])", v, row, v, rowOffset(row, "as"));
            for (int q = 0; q < vectors; q++) {
                code.addStatement("c$L$L = b$L.fma(x$L, c$L$L)", row, q, q, row, row, q);
            }
        }
        code.endControlFlow();
        for (int row = 0; row < rows; row++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("c$L$L.intoArray(y, y0 + $L$L$L)", row, q, rowOffset(row, "ys"), column, q * lanes);
            }
        }
    }

    /** The start of row {@code row} of a block as a term of a sum: "", "as + ", "2 * as + ". */
    private static String rowOffset(int row, String stride) {
        return row == 0 ? "" : row == 1 ? stride + " + " : row + " * " + stride + " + ";
    }

    private boolean isBlockedOuter(int rows, int columns) {
        return target.vector() && (long) rows * columns * target.elemBytes() >= OUTER_BLOCKED_BYTES
                && columns >= outerSliver();
    }

    /** Columns of a packed sliver of X: the width of the blocked kernel's register tile. */
    private int outerSliver() {
        return 2 * target.lanes();
    }

    /** Rows of the blocked addOuter's register tile and of a sliver of packed G^T. */
    private int outerRows() {
        return hasWideRegisterFile(target) ? OUTER_MR_512 : OUTER_MR;
    }

    private int outerWorkspace(int columns) {
        return OUTER_MC * OUTER_KC + OUTER_KC * (columns - columns % outerSliver());
    }

    /**
     * Where row q of a packed G^T block starts (its element k is {@code outerRows() * k} further): slivers of
     * outerRows() rows (a power of two), each outerRows() x kc, interleaved by row.
     */
    private String packedRow(String q) {
        int mask = outerRows() - 1;
        return "(" + q + " & ~" + mask + ") * kc + (" + q + " & " + mask + ")";
    }

    /**
     * W += G^T X for a W larger than L2, ordered as a packed matrix product is (Goto and van de Geijn): the m rows
     * of G and X go in blocks of 256; each block of X is packed into slivers of two vectors of columns, 256 x 2
     * vectors contiguous, which stay in L1 while every sliver (four rows, eight at 512 bits) of a block of 64 packed
     * rows of G^T passes them; a tile of W as tall as the sliver and two vectors wide stays in registers over the
     * 256 rows. The unblocked kernel made one pass over W per 32 rows of G, each from L3, and read rows of G and X a
     * power of two apart, which share cache sets. On AVX2
     * this form ran 1.5-1.9 times as fast for W of 2048 x 512 (m = 800 and 6400) and 1.0-1.3 times for 1024 x 256;
     * for 512 x 128, which fits in L2, it was slower (0.7-0.8), hence the size threshold.
     * The workspace holds the G^T block at 0 and the X block after it.
     */
    private CodeBlock blockedOuter(int rows, int columns) {
        int lanes = target.lanes();
        int nr = outerSliver();
        int slivered = columns - columns % nr;
        int xp = OUTER_MC * OUTER_KC;
        String v = target.vectorClass().simpleName();
        CodeBlock.Builder code = CodeBlock.builder();
        code.beginControlFlow("for (int i0 = 0; i0 < m; i0 += $L)", OUTER_KC);
        code.addStatement("int kc = Math.min($L, m - i0)", OUTER_KC);
        // Sliver by sliver, each written as one sequential stream while the reads go down the rows. Row by row, the
        // writes went to as many streams a power of two apart (kc * 4 or kc * 16 floats), which share cache sets, and
        // the index of G^T was not linear in the loop, so every store kept its range check.
        code.beginControlFlow("for (int c = 0; c < $L; c += $L)", slivered, nr);
        code.addStatement("int src = xo + i0 * xs + c");
        code.addStatement("int dst = $L + c * kc", xp);
        code.beginControlFlow("for (int k = 0; k < kc; k++)");
        code.addStatement("$L.fromArray(SPECIES, x, src + k * xs).intoArray(pack, dst + k * $L)", v, nr);
        code.addStatement("$L.fromArray(SPECIES, x, src + k * xs + $L).intoArray(pack, dst + k * $L + $L)", v, lanes,
                nr, lanes);
        code.endControlFlow().endControlFlow();
        code.beginControlFlow("for (int r0 = 0; r0 < $L; r0 += $L)", rows, OUTER_MC);
        code.addStatement("int r1 = Math.min($L, r0 + $L)", rows, OUTER_MC);
        // G^T rows r0 .. r1 - 1 in slivers of R = outerRows(): row r0 + q at (q / R) * R * kc + k * R + q % R
        code.addStatement("int full = (r1 - r0) & ~$L", outerRows() - 1);
        code.beginControlFlow("for (int q = 0; q < full; q += $L)", outerRows());
        code.addStatement("int src = go + i0 * gs + r0 + q");
        code.addStatement("int dst = q * kc");
        code.beginControlFlow("for (int k = 0; k < kc; k++)");
        for (int row = 0; row < outerRows(); row++) {
            code.addStatement("pack[dst + k * $L + $L] = g[src + k * gs + $L]", outerRows(), row, row);
        }
        code.endControlFlow().endControlFlow();
        if (rows % outerRows() != 0) {
            code.beginControlFlow("for (int q = full; q < r1 - r0; q++)");
            code.addStatement("int src = go + i0 * gs + r0 + q");
            code.addStatement("int dst = $L", packedRow("q"));
            code.addStatement("for (int k = 0; k < kc; k++) pack[dst + k * $L] = g[src + k * gs]", outerRows());
            code.endControlFlow();
        }
        code.beginControlFlow("for (int c = 0; c < $L; c += $L)", slivered, nr);
        code.addStatement("int xb = $L + c * kc", xp);
        code.addStatement("int r = r0");
        code.beginControlFlow("for (; r + $L < r1; r += $L)", outerRows() - 1, outerRows());
        code.addStatement("$L(w, wo + r * $L + c, pack, xb, (r - r0) * kc, kc)", outerTile(columns, outerRows()),
                columns);
        code.endControlFlow();
        if (outerRows() > OUTER_MR && rows % outerRows() >= OUTER_MR) {
            // four of the last rows together (the first rows of their sliver)
            code.beginControlFlow("if (r + $L < r1)", OUTER_MR - 1);
            code.addStatement("$L(w, wo + r * $L + c, pack, xb, $L, kc)", outerTile(columns, OUTER_MR), columns,
                    packedRow("(r - r0)"));
            code.addStatement("r += $L", OUTER_MR);
            code.endControlFlow();
        }
        if (rows % outerRows() != 0) {
            code.beginControlFlow("for (; r < r1; r++)");
            code.addStatement("$L(w, wo + r * $L + c, pack, xb, $L, kc)", outerTile(columns, 1), columns,
                    packedRow("(r - r0)"));
            code.endControlFlow();
        }
        code.endControlFlow();
        if (columns > slivered) {
            code.beginControlFlow("for (int r = r0; r < r1; r++)");
            code.addStatement("int gb = $L", packedRow("(r - r0)"));
            code.beginControlFlow("for (int c = $L; c < $L; c++)", slivered, columns);
            code.addStatement("$L s = w[wo + r * $L + c]", target.elem(), columns);
            code.addStatement("for (int k = 0; k < kc; k++) s += pack[gb + k * $L] * x[xo + (i0 + k) * xs + c]",
                    outerRows());
            code.addStatement("w[wo + r * $L + c] = s", columns);
            code.endControlFlow().endControlFlow();
        }
        code.endControlFlow();
        code.endControlFlow();
        return code.build();
    }

    /**
     * The register tile of the blocked addOuter: {@code count} rows of W from {@code w0} (rows {@code columns} apart)
     * by one packed sliver of columns, summed over the kc rows of the block. A method of its own, called for every
     * tile, so that C2 compiles it from the profile of complete calls: inside the one kernel method, which runs for
     * seconds per call at batch 64, C2 compiled the loops on stack replacement from a profile that had never seen
     * some loop exits, trapped at the first one, and left the kernel in profiling code for 6-10 s (LogCompilation,
     * LSTM H = 512, batch 64).
     */
    private String outerTile(int columns, int count) {
        String name = "addOuterTile" + count + "x" + columns;
        if (methods.containsKey(name)) {
            return name;
        }
        int lanes = target.lanes();
        String v = target.vectorClass().simpleName();
        CodeBlock.Builder code = CodeBlock.builder();
        for (int row = 0; row < count; row++) {
            for (int q = 0; q < 2; q++) {
                code.addStatement("$L s$L$L = $L.fromArray(SPECIES, w, w0 + $L)", v, row, q, v,
                        row * columns + q * lanes);
            }
        }
        code.beginControlFlow("for (int k = 0; k < kc; k++)");
        code.addStatement("int xk = xb + k * $L", outerSliver());
        code.addStatement("int gk = gb + k * $L", outerRows());
        code.addStatement("$L x0 = $L.fromArray(SPECIES, pack, xk)", v, v);
        code.addStatement("$L x1 = $L.fromArray(SPECIES, pack, xk + $L)", v, v, lanes);
        for (int row = 0; row < count; row++) {
            code.addStatement("$L a$L = $L.broadcast(SPECIES, pack[gk + $L])", v, row, v, row);
            code.addStatement("s$L0 = x0.fma(a$L, s$L0)", row, row, row);
            code.addStatement("s$L1 = x1.fma(a$L, s$L1)", row, row, row);
        }
        code.endControlFlow();
        for (int row = 0; row < count; row++) {
            for (int q = 0; q < 2; q++) {
                code.addStatement("s$L$L.intoArray(w, w0 + $L)", row, q, row * columns + q * lanes);
            }
        }
        methods.put(name, MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(array(), "w").addParameter(int.class, "w0")
                .addParameter(array(), "pack").addParameter(int.class, "xb").addParameter(int.class, "gb")
                .addParameter(int.class, "kc")
                .addCode(code.build())
                .build());
        return name;
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

    /**
     * Two gradient rows (four at 512 bits) stay in registers while the m rows are summed into them: every load of X
     * feeds two FMAs (four), and eight (sixteen) independent accumulators hide the FMA latency. At 512 bits the
     * four-row tile fits AVX-512's 32 registers. Kernel alone, K = 100 / 800 / 6400, an AVX-512 Intel Xeon (KVM,
     * family 6 model 167), GFLOP/s, two rows against four: 512 x 128 on JDK 17 52 / 55 / 57 -> 70 / 63 / 62, on
     * JDK 25 58 / 53 / 47 -> 72 / 68 / 62; 128 x 32 (two vectors of columns, so also the two-vector column block)
     * 35 / 38 / 34 -> 87 / 76 / 53 on JDK 17, 45 / 27 / 28 -> 85 / 66 / 63 on JDK 25. The blocked kernel at these
     * sizes was no faster than the two-row tile (256 x 64, K = 100: 43 against 61 on JDK 17).
     */
    private CodeBlock vectorOuter(int rows, int columns) {
        CodeBlock.Builder code = CodeBlock.builder();
        // Rows of G and X are taken 32 at a time, so that their block stays in cache while every row of W visits it.
        code.beginControlFlow("for (int i0 = 0; i0 < m; i0 += 32)");
        code.addStatement("int i1 = Math.min(m, i0 + 32)");
        halvingBlocks(rows, hasWideRegisterFile(target) ? 4 : 2, 1, (from, to, group) -> {
            if (group == 1) {
                code.beginControlFlow("for (int r = $L; r < $L; r++)", from, to);
            } else {
                code.beginControlFlow("for (int r = $L; r < $L; r += $L)", from, to, group);
            }
            outerRows(code, columns, group);
            code.endControlFlow();
        });
        code.endControlFlow();
        return code.build();
    }

    /** Emits the loop over one range of blocks: from .. to - 1, blocks of size units. */
    private interface BlockRange {
        void emit(int from, int to, int size);
    }

    /**
     * Splits 0 .. limit - 1 into ranges of blocks of largest units each, then of half that, down to one unit; a
     * range that would be empty is not emitted.
     */
    private static void halvingBlocks(int limit, int largest, int unit, BlockRange range) {
        int done = 0;
        for (int size = largest; size >= 1; size /= 2) {
            int end = done + (limit - done) / (size * unit) * (size * unit);
            if (end > done) {
                range.emit(done, end, size);
            }
            done = end;
        }
    }

    /** Rows r .. r + count - 1 of W: column blocks of four vectors, then of two, then single vectors, then scalars. */
    private void outerRows(CodeBlock.Builder code, int columns, int count) {
        int lanes = target.lanes();
        int vectored = columns - columns % lanes;
        String v = target.vectorClass().simpleName();
        for (int row = 0; row < count; row++) {
            code.addStatement("int w$L = wo + (r + $L) * $L", row, row, columns);
        }
        halvingBlocks(vectored, BLOCK_VECTORS, lanes, (from, to, vectors) -> {
            code.beginControlFlow("for (int c = $L; c < $L; c += $L)", from, to, vectors * lanes);
            outerBlock(code, vectors, count, v, lanes);
            code.endControlFlow();
        });
        if (columns > vectored) {
            code.beginControlFlow("for (int c = $L; c < $L; c++)", vectored, columns);
            for (int row = 0; row < count; row++) {
                code.addStatement("$L s$L = w[w$L + c]", target.elem(), row, row);
                code.addStatement("for (int i = i0; i < i1; i++) s$L += g[go + i * gs + r + $L] * x[xo + i * xs + c]",
                        row, row);
                code.addStatement("w[w$L + c] = s$L", row, row);
            }
            code.endControlFlow();
        }
    }

    private void outerBlock(CodeBlock.Builder code, int vectors, int count, String v, int lanes) {
        for (int row = 0; row < count; row++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("$L s$L$L = $L.fromArray(SPECIES, w, w$L + c + $L)", v, row, q, v, row, q * lanes);
            }
        }
        code.beginControlFlow("for (int i = i0; i < i1; i++)");
        code.addStatement("int g0 = go + i * gs + r");
        for (int row = 0; row < count; row++) {
            code.addStatement("$L g$Lv = $L.broadcast(SPECIES, g[g0 + $L])", v, row, v, row);
        }
        code.addStatement("int xi = xo + i * xs + c");
        for (int q = 0; q < vectors; q++) {
            code.addStatement("$L x$L = $L.fromArray(SPECIES, x, xi + $L)", v, q, v, q * lanes);
            for (int row = 0; row < count; row++) {
                code.addStatement("s$L$L = x$L.fma(g$Lv, s$L$L)", row, q, q, row, row, q);
            }
        }
        code.endControlFlow();
        for (int row = 0; row < count; row++) {
            for (int q = 0; q < vectors; q++) {
                code.addStatement("s$L$L.intoArray(w, w$L + c + $L)", row, q, row, q * lanes);
            }
        }
    }
}
