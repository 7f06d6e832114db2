package io.github.rnnc.testing;

import io.github.rnnc.GeneratedSource;

/**
 * A hand-written class that follows the generated-class contract, for testing the harness itself before (and
 * independently of) code generation: an Elman RNN ({@code tanh}, 3 units) over 2 inputs with a per-step linear head
 * of 2 outputs and {@code mse} loss, i.e. what rnnc would generate for
 * <pre>
 * network RefNet { input x[2]; rnn(3, return_sequences = true); dense(2); train { loss = mse; ... } }
 * </pre>
 * with hand-derived backpropagation through time. {@code wrongTanh} drops the tanh derivative, to give the gradient
 * check something to catch.
 */
public final class ReferenceNetwork {
    public static final String PACKAGE = "ref";
    public static final String CLASS_NAME = "RefNet";

    private ReferenceNetwork() {
    }

    public static GeneratedSource source(boolean f64, boolean wrongTanh) {
        String code = TEMPLATE.replace("TYPE", f64 ? "double" : "float")
                .replace("WRONG_TANH", Boolean.toString(wrongTanh));
        return new GeneratedSource(PACKAGE, CLASS_NAME, code);
    }

    private static final String TEMPLATE = """
            package ref;

            public final class RefNet {
                public static final int INPUT_SIZE = 2;
                public static final int OUTPUT_SIZE = 2;
                public static final int PARAMETER_COUNT = 29;
                public static final int STATE_SIZE = 3;

                public record Parameter(String name, int offset, int[] shape) {
                }

                public record State(String name, int offset, int size) {
                }

                public static final java.util.List<Parameter> PARAMETERS = java.util.List.of(
                        new Parameter("0.weight_ih_l0", 0, new int[] {3, 2}),
                        new Parameter("0.weight_hh_l0", 6, new int[] {3, 3}),
                        new Parameter("0.bias_ih_l0", 15, new int[] {3}),
                        new Parameter("0.bias_hh_l0", 18, new int[] {3}),
                        new Parameter("1.weight", 21, new int[] {2, 3}),
                        new Parameter("1.bias", 27, new int[] {2}));
                public static final java.util.List<State> STATES = java.util.List.of(new State("0.h", 0, 3));

                private static final boolean WRONG = WRONG_TANH;
                private static final int H = 3, IN = 2, OUT = 2;
                private static final int WIH = 0, WHH = 6, BIH = 15, BHH = 18, W = 21, B = 27;

                private final int maxBatch, maxSteps;
                private final TYPE[] params = new TYPE[PARAMETER_COUNT];
                private final TYPE[] grads = new TYPE[PARAMETER_COUNT];
                private final TYPE[] xGrad, state0, state0Grad, hs, ys;
                private final double[] dh = new double[H], dhNext = new double[H];
                private final int[] full;

                public RefNet(int maxBatch, int maxSteps) {
                    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch " + maxBatch + " < 1");
                    if (maxSteps < 1) throw new IllegalArgumentException("maxSteps " + maxSteps + " < 1");
                    this.maxBatch = maxBatch;
                    this.maxSteps = maxSteps;
                    xGrad = new TYPE[maxBatch * maxSteps * IN];
                    state0 = new TYPE[maxBatch * H];
                    state0Grad = new TYPE[maxBatch * H];
                    hs = new TYPE[maxBatch * (maxSteps + 1) * H];
                    ys = new TYPE[maxBatch * maxSteps * OUT];
                    full = new int[maxBatch];
                }

                public TYPE[] parameters() { return params; }
                public TYPE[] gradients() { return grads; }
                public TYPE[] inputGradients() { return xGrad; }
                public TYPE[] initialState() { return state0; }
                public TYPE[] initialStateGradients() { return state0Grad; }

                public void initialize(long seed) {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    for (int i = 0; i < params.length; i++) params[i] = (TYPE) (random.nextDouble() - 0.5);
                }

                private int[] check(TYPE[] x, int batch, int steps, int[] lengths) {
                    if (batch < 1 || batch > maxBatch)
                        throw new IllegalArgumentException("batch " + batch + " is not in 1.." + maxBatch);
                    if (steps < 1 || steps > maxSteps)
                        throw new IllegalArgumentException("steps " + steps + " is not in 1.." + maxSteps);
                    if (x.length < batch * steps * IN)
                        throw new IllegalArgumentException("x has " + x.length + " elements, needs " + batch * steps * IN);
                    if (lengths == null) {
                        for (int b = 0; b < batch; b++) full[b] = steps;
                        return full;
                    }
                    if (lengths.length < batch)
                        throw new IllegalArgumentException("lengths has " + lengths.length + " elements, needs " + batch);
                    for (int b = 0; b < batch; b++) {
                        if (lengths[b] < 1 || lengths[b] > steps)
                            throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is not in 1.." + steps);
                    }
                    return lengths;
                }

                private void run(TYPE[] x, int batch, int steps, int[] len) {
                    for (int b = 0; b < batch; b++) {
                        for (int j = 0; j < H; j++) hs[b * (maxSteps + 1) * H + j] = state0[b * H + j];
                        for (int t = 0; t < len[b]; t++) {
                            int hp = (b * (maxSteps + 1) + t) * H, hn = hp + H, xo = (b * steps + t) * IN;
                            for (int i = 0; i < H; i++) {
                                double a = params[BIH + i] + params[BHH + i];
                                for (int k = 0; k < IN; k++) a += params[WIH + i * IN + k] * x[xo + k];
                                for (int k = 0; k < H; k++) a += params[WHH + i * H + k] * hs[hp + k];
                                hs[hn + i] = (TYPE) Math.tanh(a);
                            }
                            int yo = (b * maxSteps + t) * OUT;
                            for (int o = 0; o < OUT; o++) {
                                double v = params[B + o];
                                for (int k = 0; k < H; k++) v += params[W + o * H + k] * hs[hn + k];
                                ys[yo + o] = (TYPE) v;
                            }
                        }
                    }
                }

                public void forward(TYPE[] x, int batch, int steps, TYPE[] y) {
                    forward(x, batch, steps, null, y);
                }

                public void forward(TYPE[] x, int batch, int steps, int[] lengths, TYPE[] y) {
                    int[] len = check(x, batch, steps, lengths);
                    if (y.length < batch * steps * OUT)
                        throw new IllegalArgumentException("y has " + y.length + " elements, needs " + batch * steps * OUT);
                    run(x, batch, steps, len);
                    for (int b = 0; b < batch; b++)
                        for (int t = 0; t < steps; t++)
                            for (int o = 0; o < OUT; o++)
                                y[(b * steps + t) * OUT + o] = t < len[b] ? ys[(b * maxSteps + t) * OUT + o] : 0;
                }

                public TYPE computeGradients(TYPE[] x, TYPE[] targets, int batch, int steps) {
                    return computeGradients(x, targets, batch, steps, null);
                }

                public TYPE computeGradients(TYPE[] x, TYPE[] targets, int batch, int steps, int[] lengths) {
                    int[] len = check(x, batch, steps, lengths);
                    if (targets.length < batch * steps * OUT)
                        throw new IllegalArgumentException("targets has " + targets.length + " elements, needs "
                                + batch * steps * OUT);
                    run(x, batch, steps, len);
                    int count = 0;
                    for (int b = 0; b < batch; b++) count += len[b];
                    count *= OUT;
                    java.util.Arrays.fill(grads, (TYPE) 0);
                    java.util.Arrays.fill(xGrad, 0, batch * steps * IN, (TYPE) 0);
                    double loss = 0;
                    for (int b = 0; b < batch; b++) {
                        java.util.Arrays.fill(dhNext, 0);
                        for (int t = len[b] - 1; t >= 0; t--) {
                            int hp = (b * (maxSteps + 1) + t) * H, hn = hp + H, xo = (b * steps + t) * IN;
                            int yo = (b * maxSteps + t) * OUT, to = (b * steps + t) * OUT;
                            for (int o = 0; o < OUT; o++) {
                                double d = ys[yo + o] - targets[to + o];
                                loss += d * d;
                                double g = 2 * d / count;
                                grads[B + o] += (TYPE) g;
                                for (int k = 0; k < H; k++) {
                                    grads[W + o * H + k] += (TYPE) (g * hs[hn + k]);
                                    dhNext[k] += g * params[W + o * H + k];
                                }
                            }
                            java.util.Arrays.fill(dh, 0);
                            for (int i = 0; i < H; i++) {
                                double h = hs[hn + i];
                                double da = WRONG ? dhNext[i] : dhNext[i] * (1 - h * h);
                                grads[BIH + i] += (TYPE) da;
                                grads[BHH + i] += (TYPE) da;
                                for (int k = 0; k < IN; k++) {
                                    grads[WIH + i * IN + k] += (TYPE) (da * x[xo + k]);
                                    xGrad[xo + k] += (TYPE) (da * params[WIH + i * IN + k]);
                                }
                                for (int k = 0; k < H; k++) {
                                    grads[WHH + i * H + k] += (TYPE) (da * hs[hp + k]);
                                    dh[k] += da * params[WHH + i * H + k];
                                }
                            }
                            System.arraycopy(dh, 0, dhNext, 0, H);
                        }
                        for (int k = 0; k < H; k++) state0Grad[b * H + k] = (TYPE) dhNext[k];
                    }
                    return (TYPE) (loss / count);
                }
            }
            """;
}
