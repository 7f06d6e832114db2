package bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Is a JDK 22+ output mode with the packed weights in 64-byte-aligned off-heap memory worth generating (issue 3,
 * PERFORMANCE.md: on an AVX-512 Xeon a {@code float[]} kernel reached ~0.6 of C, an aligned {@code MemorySegment}
 * one ~0.9)? The generated forward product, y[m][n] = a[m][k] · W, with W packed in panels of 4 vectors exactly as
 * rnnc packs it, as two benchmarks: {@code array} reads the panels from a {@code float[]} (16-byte
 * aligned: its data starts 16 bytes into the object), {@code segment} from a segment allocated with 64-byte
 * alignment, through {@code FloatVector.fromMemorySegment}. The loops are the generated ones: blocks of 48 rows,
 * half-panels (2 vectors) by 4 rows, an odd last row over two panels (8 accumulators); other leftover rows one at a
 * time (the shapes here have none). The two methods are the same loops written twice on purpose: one load
 * site per layout keeps what C2 compiles identical to a generated kernel, where a shared kernel over a load
 * function would mix both layouts' profiles at one call site. Setup runs both and checks they agree bit for bit.
 * Only in the {@code segments} profile (JDK 22+; {@code benchmarks/run.sh --segments}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xbatch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SegmentKernelBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int PANEL = 4 * L;
    private static final int HALF = 2 * L;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** m x k x n; n a multiple of two panels. */
    @Param({"1x256x1024", "8x256x1024", "64x256x1024", "1x128x512", "64x128x512"})
    public String shape;

    private int m;
    private int k;
    private int n;
    private float[] a;
    private float[] packed;
    private MemorySegment segment;
    private float[] y;

    @Setup(Level.Trial)
    public void setup() {
        String[] mkn = shape.split("x");
        m = Integer.parseInt(mkn[0]);
        k = Integer.parseInt(mkn[1]);
        n = Integer.parseInt(mkn[2]);
        if (n % (2 * PANEL) != 0) {
            throw new IllegalArgumentException("n must be a multiple of " + 2 * PANEL + ": " + shape);
        }
        SplittableRandom random = new SplittableRandom(1);
        a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        packed = new float[k * n];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (float) random.nextDouble(-0.1, 0.1);
        }
        segment = Arena.ofAuto().allocate((long) packed.length * Float.BYTES, 64);
        MemorySegment.copy(packed, 0, segment, ValueLayout.JAVA_FLOAT, 0, packed.length);
        y = new float[m * n];
        float[] check = new float[m * n];
        array();
        System.arraycopy(y, 0, check, 0, y.length);
        segment();
        if (!java.util.Arrays.equals(y, check)) {
            throw new IllegalStateException("the two layouts disagree: " + shape);
        }
    }

    @Benchmark
    public float[] array() {
        for (int i0 = 0; i0 < m; i0 += 48) {
            int i1 = Math.min(m, i0 + 48);
            for (int j = 0; j < n; j += HALF) {
                int i = i0;
                for (; i + 3 < i1; i += 4) {
                    int bj = (j / PANEL) * k * PANEL + j % PANEL;
                    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
                    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
                    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
                    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                    int a0 = i * k;
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bj + kk * PANEL;
                        FloatVector b0 = FloatVector.fromArray(S, packed, bk);
                        FloatVector b1 = FloatVector.fromArray(S, packed, bk + L);
                        FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
                        c00 = b0.fma(x0, c00);
                        c01 = b1.fma(x0, c01);
                        FloatVector x1 = FloatVector.broadcast(S, a[a0 + k + kk]);
                        c10 = b0.fma(x1, c10);
                        c11 = b1.fma(x1, c11);
                        FloatVector x2 = FloatVector.broadcast(S, a[a0 + 2 * k + kk]);
                        c20 = b0.fma(x2, c20);
                        c21 = b1.fma(x2, c21);
                        FloatVector x3 = FloatVector.broadcast(S, a[a0 + 3 * k + kk]);
                        c30 = b0.fma(x3, c30);
                        c31 = b1.fma(x3, c31);
                    }
                    int y0 = i * n + j;
                    c00.intoArray(y, y0);
                    c01.intoArray(y, y0 + L);
                    c10.intoArray(y, y0 + n);
                    c11.intoArray(y, y0 + n + L);
                    c20.intoArray(y, y0 + 2 * n);
                    c21.intoArray(y, y0 + 2 * n + L);
                    c30.intoArray(y, y0 + 3 * n);
                    c31.intoArray(y, y0 + 3 * n + L);
                }
                // the odd last row, if any, is the two-panel block's below
                for (int last = i1 - (i1 - i0) % 2; i < last; i++) {
                    int bj = (j / PANEL) * k * PANEL + j % PANEL;
                    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bj + kk * PANEL;
                        FloatVector x = FloatVector.broadcast(S, a[i * k + kk]);
                        c0 = FloatVector.fromArray(S, packed, bk).fma(x, c0);
                        c1 = FloatVector.fromArray(S, packed, bk + L).fma(x, c1);
                    }
                    c0.intoArray(y, i * n + j);
                    c1.intoArray(y, i * n + j + L);
                }
            }
            if ((i1 - i0) % 2 != 0) {
                int i = i1 - 1;
                for (int j = 0; j < n; j += 2 * PANEL) {
                    int bk0 = (j / PANEL) * k * PANEL;
                    int next = k * PANEL;
                    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
                    FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
                    FloatVector c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bk0 + kk * PANEL;
                        FloatVector x = FloatVector.broadcast(S, a[i * k + kk]);
                        c0 = FloatVector.fromArray(S, packed, bk).fma(x, c0);
                        c1 = FloatVector.fromArray(S, packed, bk + L).fma(x, c1);
                        c2 = FloatVector.fromArray(S, packed, bk + 2 * L).fma(x, c2);
                        c3 = FloatVector.fromArray(S, packed, bk + 3 * L).fma(x, c3);
                        c4 = FloatVector.fromArray(S, packed, bk + next).fma(x, c4);
                        c5 = FloatVector.fromArray(S, packed, bk + next + L).fma(x, c5);
                        c6 = FloatVector.fromArray(S, packed, bk + next + 2 * L).fma(x, c6);
                        c7 = FloatVector.fromArray(S, packed, bk + next + 3 * L).fma(x, c7);
                    }
                    int y0 = i * n + j;
                    c0.intoArray(y, y0);
                    c1.intoArray(y, y0 + L);
                    c2.intoArray(y, y0 + 2 * L);
                    c3.intoArray(y, y0 + 3 * L);
                    c4.intoArray(y, y0 + PANEL);
                    c5.intoArray(y, y0 + PANEL + L);
                    c6.intoArray(y, y0 + PANEL + 2 * L);
                    c7.intoArray(y, y0 + PANEL + 3 * L);
                }
            }
        }
        return y;
    }

    @Benchmark
    public float[] segment() {
        for (int i0 = 0; i0 < m; i0 += 48) {
            int i1 = Math.min(m, i0 + 48);
            for (int j = 0; j < n; j += HALF) {
                int i = i0;
                for (; i + 3 < i1; i += 4) {
                    int bj = (j / PANEL) * k * PANEL + j % PANEL;
                    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
                    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
                    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
                    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
                    int a0 = i * k;
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bj + kk * PANEL;
                        FloatVector b0 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk) * Float.BYTES, ORDER);
                        FloatVector b1 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + L) * Float.BYTES, ORDER);
                        FloatVector x0 = FloatVector.broadcast(S, a[a0 + kk]);
                        c00 = b0.fma(x0, c00);
                        c01 = b1.fma(x0, c01);
                        FloatVector x1 = FloatVector.broadcast(S, a[a0 + k + kk]);
                        c10 = b0.fma(x1, c10);
                        c11 = b1.fma(x1, c11);
                        FloatVector x2 = FloatVector.broadcast(S, a[a0 + 2 * k + kk]);
                        c20 = b0.fma(x2, c20);
                        c21 = b1.fma(x2, c21);
                        FloatVector x3 = FloatVector.broadcast(S, a[a0 + 3 * k + kk]);
                        c30 = b0.fma(x3, c30);
                        c31 = b1.fma(x3, c31);
                    }
                    int y0 = i * n + j;
                    c00.intoArray(y, y0);
                    c01.intoArray(y, y0 + L);
                    c10.intoArray(y, y0 + n);
                    c11.intoArray(y, y0 + n + L);
                    c20.intoArray(y, y0 + 2 * n);
                    c21.intoArray(y, y0 + 2 * n + L);
                    c30.intoArray(y, y0 + 3 * n);
                    c31.intoArray(y, y0 + 3 * n + L);
                }
                // the odd last row, if any, is the two-panel block's below
                for (int last = i1 - (i1 - i0) % 2; i < last; i++) {
                    int bj = (j / PANEL) * k * PANEL + j % PANEL;
                    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bj + kk * PANEL;
                        FloatVector x = FloatVector.broadcast(S, a[i * k + kk]);
                        c0 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk) * Float.BYTES, ORDER).fma(x, c0);
                        c1 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + L) * Float.BYTES, ORDER).fma(x, c1);
                    }
                    c0.intoArray(y, i * n + j);
                    c1.intoArray(y, i * n + j + L);
                }
            }
            if ((i1 - i0) % 2 != 0) {
                int i = i1 - 1;
                for (int j = 0; j < n; j += 2 * PANEL) {
                    int bk0 = (j / PANEL) * k * PANEL;
                    int next = k * PANEL;
                    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
                    FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
                    FloatVector c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
                    for (int kk = 0; kk < k; kk++) {
                        int bk = bk0 + kk * PANEL;
                        FloatVector x = FloatVector.broadcast(S, a[i * k + kk]);
                        c0 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk) * Float.BYTES, ORDER).fma(x, c0);
                        c1 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + L) * Float.BYTES, ORDER).fma(x, c1);
                        c2 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + 2 * L) * Float.BYTES, ORDER).fma(x, c2);
                        c3 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + 3 * L) * Float.BYTES, ORDER).fma(x, c3);
                        c4 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + next) * Float.BYTES, ORDER).fma(x, c4);
                        c5 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + next + L) * Float.BYTES, ORDER).fma(x, c5);
                        c6 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + next + 2 * L) * Float.BYTES, ORDER).fma(x, c6);
                        c7 = FloatVector.fromMemorySegment(S, segment,
                                (long) (bk + next + 3 * L) * Float.BYTES, ORDER).fma(x, c7);
                    }
                    int y0 = i * n + j;
                    c0.intoArray(y, y0);
                    c1.intoArray(y, y0 + L);
                    c2.intoArray(y, y0 + 2 * L);
                    c3.intoArray(y, y0 + 3 * L);
                    c4.intoArray(y, y0 + PANEL);
                    c5.intoArray(y, y0 + PANEL + L);
                    c6.intoArray(y, y0 + PANEL + 2 * L);
                    c7.intoArray(y, y0 + PANEL + 3 * L);
                }
            }
        }
        return y;
    }
}
