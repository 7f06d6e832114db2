package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.Specs;
import io.github.rnnc.testing.Tolerance;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming API, {@code step(x, batch, y)} and {@code resetState()}, of every network without a bidirectional
 * layer: the streamable contract examples (f32, both backends) and small sweep-like specs (f32 and f64, both
 * backends) covering every built-in cell, a user cell, a head that is a recurrent layer, dense layers between
 * recurrent ones, a many-to-one layer under a stack of dense layers and a spec without a train block.
 *
 * <ul>
 * <li>After {@code resetState()}, feeding a sequence one step at a time gives at every step what {@code forward}
 * gives over the whole sequence at that step (per-step outputs), or over the sequence cut after that step
 * (many-to-one; only the last step when the spec fixes {@code steps}); with nonzero {@code initialState()}, at
 * {@code batch = maxBatch} and below it. A second stream after {@code resetState()} gives the same bits.</li>
 * <li>{@code forward} and {@code computeGradients} between two steps change nothing in the stream.</li>
 * <li>New weights written into {@code parameters()}, then {@code resetState()}, are what the next stream
 * uses (the stream runs before any forward call, which would repack the same buffers).</li>
 * <li>A new network streams as one after {@code resetState()}.</li>
 * <li>The bidirectional examples have neither {@code step} nor {@code resetState}.</li>
 * </ul>
 * Allocation and argument checks of {@code step} are in {@link AllocationTest} and {@link ArgumentValidationTest}.
 */
class StreamingStepTest {
    static final int MAX_BATCH = 3;
    static final int STEPS = 5;
    static final String[] EXAMPLES = {"mgu", "forecast", "char_lstm", "mnist_rows"};
    static final String[] BIDIRECTIONAL = {"peephole", "sentiment"};

    /** Small sweep-like specs, each in its own package. */
    static final Map<String, String> SWEEP = new LinkedHashMap<>();

    static {
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            SWEEP.put(cell + "_h9", "package stream." + cell + ";\n\n" + """
                    network Sweep {
                        input x[9];
                        CELL(9, return_sequences = true);
                        dense(9);
                        train { loss = mse; optimizer = adam(lr = 0.001); }
                    }
                    """.replace("CELL", cell));
        }
        SWEEP.put("mgu_h12", "package stream.mgu;\n\n" + Specs.cells("mgu") + """

                network Sweep {
                    input x[12];
                    mgu(12, return_sequences = true);
                    dense(12);
                    train { loss = mse; optimizer = adam(lr = 0.001); }
                }
                """);
        SWEEP.put("recurrent_head", """
                package stream.head;

                network RecurrentHead {
                    input x[4];
                    gru(5, return_sequences = true);
                }
                """);
        SWEEP.put("many_to_one_stack", """
                package stream.stack;

                network ManyToOneStack {
                    input x[5];
                    lstm(6, return_sequences = true);
                    gru(7);
                    dense(4, activation = relu);
                    dense(3, activation = softmax);
                    train { loss = cross_entropy; optimizer = sgd(lr = 0.1); }
                }
                """);
        SWEEP.put("dense_between", """
                package stream.between;

                network DenseBetween {
                    input x[3];
                    rnn(4, return_sequences = true);
                    dense(4, activation = tanh);
                    lstm(5);
                    train { loss = mse; optimizer = sgd(lr = 0.01, momentum = 0.9); }
                }
                """);
    }

    @TempDir
    static Path directory;

    @BeforeAll
    static void compileTogether() {
        List<GeneratedClasses.Spec> examples = new ArrayList<>();
        for (String example : EXAMPLES) {
            examples.add(new GeneratedClasses.Spec(example + ".rnn", Specs.exampleText(example)));
        }
        for (String example : BIDIRECTIONAL) {
            examples.add(new GeneratedClasses.Spec(example + ".rnn", Specs.exampleText(example)));
        }
        List<GeneratedClasses.Spec> sweep = new ArrayList<>();
        SWEEP.forEach((name, text) -> sweep.add(new GeneratedClasses.Spec(name + ".rnn", text)));
        for (Backend backend : Backend.values()) {
            GeneratedClasses.precompile(directory, examples, GeneratedClasses.options(backend, Precision.F32));
            for (Precision precision : Precision.values()) {
                GeneratedClasses.precompile(directory, sweep, GeneratedClasses.options(backend, precision));
            }
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            for (String example : EXAMPLES) {
                cases.add(Arguments.of(example, backend, Precision.F32));
            }
            for (String name : SWEEP.keySet()) {
                for (Precision precision : Precision.values()) {
                    cases.add(Arguments.of(name, backend, precision));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> bidirectional() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            for (String example : BIDIRECTIONAL) {
                cases.add(Arguments.of(example, backend));
            }
        }
        return cases.stream();
    }

    // ------------------------------------------------------------------ tests

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void streamingGivesWhatForwardGives(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        int steps = steps(network);
        GeneratedNetwork net = network.instantiate(MAX_BATCH, steps);
        assertTrue(net.streams(), name + " has no bidirectional layer, so it must have step and resetState");
        net.initialize(11);
        Random random = new Random(name.hashCode());
        net.setInitialState(Specs.uniform(random, MAX_BATCH * net.stateSize(), 0.5));
        for (int batch : new int[] {MAX_BATCH, MAX_BATCH - 1}) {
            String context = name + " (" + backend + ", " + precision + "), batch " + batch + " of maxBatch "
                    + MAX_BATCH;
            double[] x = Specs.uniform(random, batch * steps * net.inputSize(), 1.0);
            // References first: forward must not see (or be seen by) the stream in this test.
            double[][] expected = references(network, net, x, batch, steps);
            net.resetState();
            double[][] first = stream(net, x, batch, steps);
            for (int t = 0; t < steps; t++) {
                if (expected[t] != null) {
                    Tolerance.assertClose(context, "y at step " + t, expected[t], first[t], tolerance(precision));
                }
            }
            net.resetState();
            double[][] second = stream(net, x, batch, steps);
            for (int t = 0; t < steps; t++) {
                assertArrayEquals(first[t], second[t], context + ": a second stream after resetState() differs at step "
                        + t);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void forwardBetweenStepsChangesNothing(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        int steps = steps(network);
        GeneratedNetwork net = network.instantiate(MAX_BATCH, steps);
        net.initialize(12);
        Random random = new Random(7 + name.hashCode());
        net.setInitialState(Specs.uniform(random, MAX_BATCH * net.stateSize(), 0.5));
        int batch = MAX_BATCH - 1;
        double[] x = Specs.uniform(random, batch * steps * net.inputSize(), 1.0);
        double[] other = Specs.uniform(random, MAX_BATCH * steps * net.inputSize(), 1.0);
        net.resetState();
        double[][] plain = stream(net, x, batch, steps);
        String context = name + " (" + backend + ", " + precision + ")";

        net.resetState();
        double[][] interrupted = new double[steps][];
        for (int t = 0; t < steps; t++) {
            if (t == 2) {
                net.forward(other, MAX_BATCH, steps, null);
                if (network.ir().training().isPresent()) {
                    gradients(network, net, other, MAX_BATCH, steps);
                }
                net.forward(other, 1, steps, null);
            }
            interrupted[t] = net.step(slice(net, x, batch, steps, t), batch);
        }
        for (int t = 0; t < steps; t++) {
            assertArrayEquals(plain[t], interrupted[t], context + ": forward and computeGradients after step 1 changed"
                    + " the stream at step " + t);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void weightsWrittenIntoParametersAreHonoredAfterResetState(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        int steps = steps(network);
        GeneratedNetwork net = network.instantiate(MAX_BATCH, steps);
        net.initialize(13);
        Random random = new Random(11 + name.hashCode());
        int batch = MAX_BATCH;
        double[] x = Specs.uniform(random, batch * steps * net.inputSize(), 1.0);
        net.resetState();
        double[][] before = stream(net, x, batch, steps); // packs the weights of seed 13

        double[] changed = net.parameters();
        for (int i = 0; i < changed.length; i++) {
            changed[i] = (float) (0.5 * changed[i] + 0.2 * Math.sin(0.7 * i));
        }
        net.setParameters(changed);
        net.resetState();
        double[][] after = stream(net, x, batch, steps);
        double[][] expected = references(network, net, x, batch, steps);
        String context = name + " (" + backend + ", " + precision + "), new parameters then resetState()";
        boolean differs = false;
        for (int t = 0; t < steps; t++) {
            if (expected[t] != null) {
                Tolerance.assertClose(context, "y at step " + t, expected[t], after[t], tolerance(precision));
                differs |= !Arrays.equals(before[t], after[t]);
            }
        }
        assertTrue(differs, context + ": the new weights changed no output, so this test shows nothing");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void aNewNetworkStreamsAsAfterResetState(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        int steps = steps(network);
        Random random = new Random(17 + name.hashCode());
        GeneratedNetwork source = network.instantiate(MAX_BATCH, steps);
        source.initialize(14);
        double[] parameters = source.parameters();
        double[] x = Specs.uniform(random, MAX_BATCH * steps * source.inputSize(), 1.0);
        double[][] fresh = null;
        for (boolean reset : new boolean[] {false, true}) {
            GeneratedNetwork net = network.instantiate(MAX_BATCH, steps);
            // Written directly (no initialize): only the constructor makes the first step pack them.
            net.setParameters(parameters);
            if (!reset) {
                fresh = stream(net, x, MAX_BATCH, steps);
                continue;
            }
            net.setInitialState(Specs.uniform(random, MAX_BATCH * net.stateSize(), 0.5));
            stream(net, x, MAX_BATCH, steps); // some other stream first
            net.setInitialState(new double[MAX_BATCH * net.stateSize()]);
            net.resetState();
            double[][] afterReset = stream(net, x, MAX_BATCH, steps);
            for (int t = 0; t < steps; t++) {
                assertArrayEquals(afterReset[t], fresh[t], name + " (" + backend + ", " + precision + "): a new network"
                        + " does not stream as one after resetState(), at step " + t);
            }
            double[][] expected = references(network, net, x, MAX_BATCH, steps);
            for (int t = 0; t < steps; t++) {
                if (expected[t] != null) {
                    Tolerance.assertClose(name + " (" + backend + ", " + precision + "), a new network", "y at step "
                            + t, expected[t], fresh[t], tolerance(precision));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bidirectional")
    void aBidirectionalNetworkCannotStream(String name, Backend backend) {
        GeneratedClasses.Network network = compile(name, backend, Precision.F32);
        assertTrue(network.ir().layers().stream().anyMatch(l -> l instanceof NetworkIr.Recurrent r
                && r.backward().isPresent()), name + " is expected to have a bidirectional layer");
        List<String> streaming = new ArrayList<>();
        for (Method m : network.type().getDeclaredMethods()) {
            if (m.getName().equals("step") || m.getName().equals("resetState")) {
                streaming.add(m.toString());
            }
        }
        assertEquals(List.of(), streaming, name + " (" + backend + ") reads sequences backwards; it must not stream");
        assertFalse(network.instantiate(1, 2).streams());
    }

    // ------------------------------------------------------------------ helpers

    private static GeneratedClasses.Network compile(String name, Backend backend, Precision precision) {
        boolean example = SWEEP.get(name) == null;
        return example ? GeneratedClasses.compile(Specs.example(name), GeneratedClasses.options(backend, precision))
                : GeneratedClasses.compile(directory, name + ".rnn", SWEEP.get(name),
                        GeneratedClasses.options(backend, precision));
    }

    private static int steps(GeneratedClasses.Network network) {
        return network.fixedSteps().isPresent() ? network.fixedSteps().getAsInt() : STEPS;
    }

    private static double tolerance(Precision precision) {
        return precision == Precision.F64 ? 1e-12 : 1e-5;
    }

    /** Step t of every sequence of x ([batch][steps][in]): [batch][in]. */
    private static double[] slice(GeneratedNetwork net, double[] x, int batch, int steps, int t) {
        int in = net.inputSize();
        double[] xt = new double[batch * in];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, (b * steps + t) * in, xt, b * in, in);
        }
        return xt;
    }

    /** The outputs of steps 0..steps-1, fed one step at a time (no resetState here). */
    private static double[][] stream(GeneratedNetwork net, double[] x, int batch, int steps) {
        double[][] y = new double[steps][];
        for (int t = 0; t < steps; t++) {
            y[t] = net.step(slice(net, x, batch, steps, t), batch);
        }
        return y;
    }

    /**
     * What forward says the stream's output at each step is ([batch][OUTPUT_SIZE] each): per-step outputs of the
     * whole sequence, or for many-to-one the output of the sequence cut after that step (null for the steps a
     * fixed {@code steps} does not allow).
     */
    private static double[][] references(GeneratedClasses.Network network, GeneratedNetwork net, double[] x, int batch,
            int steps) {
        int in = net.inputSize();
        int out = net.outputSize();
        double[][] expected = new double[steps][];
        if (network.sequenceOutput()) {
            double[] y = net.forward(x, batch, steps, null);
            for (int t = 0; t < steps; t++) {
                expected[t] = new double[batch * out];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(y, (b * steps + t) * out, expected[t], b * out, out);
                }
            }
            return expected;
        }
        for (int t = 0; t < steps; t++) {
            if (network.fixedSteps().isPresent() && t + 1 != steps) {
                continue;
            }
            int length = t + 1;
            double[] prefix = new double[batch * length * in];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(x, b * steps * in, prefix, b * length * in, length * in);
            }
            expected[t] = net.forward(prefix, batch, length, null);
        }
        return expected;
    }

    private static void gradients(GeneratedClasses.Network network, GeneratedNetwork net, double[] x, int batch,
            int steps) {
        int rows = network.sequenceOutput() ? batch * steps : batch;
        if (network.loss() == NetworkIr.Loss.CROSS_ENTROPY) {
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = i % net.outputSize();
            }
            net.computeGradients(x, labels, batch, steps, null);
        } else {
            double[] targets = new double[rows * net.outputSize()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = 0.25 + 0.5 * (i % 2);
            }
            net.computeGradients(x, targets, batch, steps, null);
        }
    }
}
