package bench;

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
 * The Java half of the machine's ceiling: y[m][n] = a[m][k] · w[k][n] on one core, written as well as the Vector
 * API allows on {@code float[]} (PERFORMANCE.md): the machine's widest species, weights packed once into panels of
 * 4 vectors read as one sequential stream, the axpy form (broadcast an element of a, FMA into output accumulators),
 * a 4 × 4-vector register block when m ≥ 4, and two interleaved accumulator sets for the remaining rows so that
 * a matrix–vector product still has 8 independent FMA chains. The weights stay in place between calls, as an RNN's
 * recurrent weights do between steps. n is padded to whole panels (the plan only asks for n a multiple of 64).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = 4 * L;

    /** m x k x n. */
    @Param("1x64x256")
    public String shape;

    private int m;
    private int k;
    private int n;

    private float[] a;
    private float[] w;
    private float[] y;
    private int panels;
    private int ldy;

    @Setup(Level.Trial)
    public void setup() {
        String[] mkn = shape.split("x");
        m = Integer.parseInt(mkn[0]);
        k = Integer.parseInt(mkn[1]);
        n = Integer.parseInt(mkn[2]);
        SplittableRandom random = new SplittableRandom(1);
        panels = (n + NR - 1) / NR;
        ldy = panels * NR;
        a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        w = new float[panels * k * NR];
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
                w[(j / NR) * k * NR + kk * NR + j % NR] = (float) random.nextDouble(-1, 1);
            }
        }
        y = new float[m * ldy];
    }

    @Benchmark
    public float[] gemm() {
        for (int p = 0; p < panels; p++) {
            int base = p * k * NR;
            int col = p * NR;
            int i = 0;
            for (; i + 3 < m; i += 4) {
                block4(base, col, i);
            }
            for (; i < m; i++) {
                row(base, col, i);
            }
        }
        return y;
    }

    private void block4(int base, int col, int i) {
        float[] a = this.a;
        float[] w = this.w;
        int k = this.k;
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk++) {
            int o = base + kk * NR;
            FloatVector b0 = FloatVector.fromArray(S, w, o);
            FloatVector b1 = FloatVector.fromArray(S, w, o + L);
            FloatVector b2 = FloatVector.fromArray(S, w, o + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, o + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        int y0 = i * ldy + col;
        c00.intoArray(y, y0); c01.intoArray(y, y0 + L); c02.intoArray(y, y0 + 2 * L); c03.intoArray(y, y0 + 3 * L);
        y0 += ldy;
        c10.intoArray(y, y0); c11.intoArray(y, y0 + L); c12.intoArray(y, y0 + 2 * L); c13.intoArray(y, y0 + 3 * L);
        y0 += ldy;
        c20.intoArray(y, y0); c21.intoArray(y, y0 + L); c22.intoArray(y, y0 + 2 * L); c23.intoArray(y, y0 + 3 * L);
        y0 += ldy;
        c30.intoArray(y, y0); c31.intoArray(y, y0 + L); c32.intoArray(y, y0 + 2 * L); c33.intoArray(y, y0 + 3 * L);
    }

    private void row(int base, int col, int i) {
        float[] a = this.a;
        float[] w = this.w;
        int k = this.k;
        int a0 = i * k;
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S), d1 = FloatVector.zero(S), d2 = FloatVector.zero(S), d3 = FloatVector.zero(S);
        int kk = 0;
        for (; kk + 1 < k; kk += 2) {
            int o = base + kk * NR;
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c0 = FloatVector.fromArray(S, w, o).fma(x, c0);
            c1 = FloatVector.fromArray(S, w, o + L).fma(x, c1);
            c2 = FloatVector.fromArray(S, w, o + 2 * L).fma(x, c2);
            c3 = FloatVector.fromArray(S, w, o + 3 * L).fma(x, c3);
            FloatVector z = FloatVector.broadcast(S, a[a0 + kk + 1]);
            d0 = FloatVector.fromArray(S, w, o + NR).fma(z, d0);
            d1 = FloatVector.fromArray(S, w, o + NR + L).fma(z, d1);
            d2 = FloatVector.fromArray(S, w, o + NR + 2 * L).fma(z, d2);
            d3 = FloatVector.fromArray(S, w, o + NR + 3 * L).fma(z, d3);
        }
        for (; kk < k; kk++) {
            int o = base + kk * NR;
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c0 = FloatVector.fromArray(S, w, o).fma(x, c0);
            c1 = FloatVector.fromArray(S, w, o + L).fma(x, c1);
            c2 = FloatVector.fromArray(S, w, o + 2 * L).fma(x, c2);
            c3 = FloatVector.fromArray(S, w, o + 3 * L).fma(x, c3);
        }
        int y0 = i * ldy + col;
        c0.add(d0).intoArray(y, y0);
        c1.add(d1).intoArray(y, y0 + L);
        c2.add(d2).intoArray(y, y0 + 2 * L);
        c3.add(d3).intoArray(y, y0 + 3 * L);
    }
}
