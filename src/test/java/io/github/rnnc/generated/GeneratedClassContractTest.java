package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.GeneratedNetwork.Param;
import io.github.rnnc.testing.GeneratedNetwork.StateSlot;
import io.github.rnnc.testing.Specs;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shape of the generated API, on small specs, for every backend and precision: constructor, constants,
 * {@code PARAMETERS} and {@code STATES} layout and names, live arrays and their lengths, element types, which
 * {@code computeGradients} overloads exist, deterministic initialization with the documented initializers, and the
 * meaning of the initial-state layout (which block of a state row feeds which layer, direction and state).
 */
class GeneratedClassContractTest {
    static final int MAX_BATCH = 3;
    static final int MAX_STEPS = 4;

    static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("lstm_mse", """
                package contract.lstm;

                network LstmMse {
                    input x[3];
                    lstm(4, return_sequences = true);
                    dense(2);
                    train { loss = mse; optimizer = sgd(lr = 0.1); }
                }
                """);
        SPECS.put("birnn_head", """
                package contract.birnn;

                // No dense head: the merged recurrent output is the network output.
                network BirnnHead {
                    input x[2];
                    bidirectional(rnn(3, return_sequences = true), merge = concat);
                    train { loss = mse; optimizer = sgd(lr = 0.1); }
                }
                """);
        SPECS.put("peephole_ce", "package contract.peephole;\n\n" + Specs.cells("peephole") + """

                network PeepholeCe {
                    input x[4];
                    bidirectional(peephole_lstm(5, return_sequences = true), merge = sum);
                    dense(3, activation = softmax);
                    train { loss = cross_entropy; optimizer = adam(lr = 0.001); }
                }
                """);
        SPECS.put("mgu_gru_last", "package contract.mgu;\n\n" + Specs.cells("mgu") + """

                network MguGruLast {
                    input x[3];
                    mgu(6, return_sequences = true);
                    gru(4);
                    dense(2, activation = sigmoid);
                    train { loss = binary_cross_entropy; optimizer = rmsprop(lr = 0.01); }
                }
                """);
    }

    static {
        SPECS.put("initializers", """
                package contract.inits;

                cell inits(units) {
                    state h[units];
                    param a[units] = uniform(-0.1, 0.2);
                    param m[units] = normal(0.5, 0.1);
                    param k[units] = -0.5;
                    param V[units, units] = orthogonal;
                    h' = tanh(W @ x + V @ h + a * h + m + k);
                }

                network Initializers {
                    input x[3];
                    inits(50);
                    dense(2);
                    train { loss = mse; optimizer = sgd(lr = 0.1); }
                }
                """);
    }

    /** Expected PARAMETERS (name and shape) in layout order. */
    static final Map<String, List<String>> PARAMETERS = Map.of(
            "lstm_mse", List.of("0.weight_ih_l0[16, 3]", "0.weight_hh_l0[16, 4]", "0.bias_ih_l0[16]",
                    "0.bias_hh_l0[16]", "1.weight[2, 4]", "1.bias[2]"),
            "birnn_head", List.of("0.weight_ih_l0[3, 2]", "0.weight_hh_l0[3, 3]", "0.bias_ih_l0[3]", "0.bias_hh_l0[3]",
                    "0.weight_ih_l0_reverse[3, 2]", "0.weight_hh_l0_reverse[3, 3]", "0.bias_ih_l0_reverse[3]",
                    "0.bias_hh_l0_reverse[3]"));

    /** Expected state sizes in STATES order. */
    static final Map<String, List<Integer>> STATE_SIZES = Map.of(
            "lstm_mse", List.of(4, 4),
            "birnn_head", List.of(3, 3),
            "peephole_ce", List.of(5, 5, 5, 5),
            "mgu_gru_last", List.of(6, 4),
            "initializers", List.of(50));

    @TempDir
    static Path directory;

    @BeforeAll
    static void compileTogether() {
        for (Precision precision : Precision.values()) {
            GeneratedClasses.precompile(directory, SPECS, precision);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : SPECS.keySet()) {
            for (Backend backend : Backend.values()) {
                for (Precision precision : Precision.values()) {
                    cases.add(Arguments.of(name, backend, precision));
                }
            }
        }
        return cases.stream();
    }

    private static GeneratedClasses.Network compile(String name, Backend backend, Precision precision) {
        return GeneratedClasses.compile(directory, name + ".rnn", SPECS.get(name),
                GeneratedClasses.options(backend, precision));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void apiShapeAndLayout(String name, Backend backend, Precision precision) throws Exception {
        GeneratedClasses.Network network = compile(name, backend, precision);
        Class<?> type = network.type();
        assertTrue(Modifier.isPublic(type.getModifiers()), "class is public");
        assertEquals(network.ir().className(), type.getSimpleName());
        Constructor<?> constructor = type.getConstructor(int.class, int.class);
        assertTrue(Modifier.isPublic(constructor.getModifiers()));

        GeneratedNetwork net = network.instantiate(MAX_BATCH, MAX_STEPS);
        boolean f64 = precision == Precision.F64;
        assertEquals(f64, net.isDouble(), "element type");
        Class<?> array = f64 ? double[].class : float[].class;
        Class<?> scalar = f64 ? double.class : float.class;
        for (String getter : List.of("parameters", "gradients", "inputGradients", "initialState",
                "initialStateGradients")) {
            assertEquals(array, type.getMethod(getter).getReturnType(), getter + "()");
            assertSame(net.liveArray(getter), net.liveArray(getter), getter + "() returns the live array");
        }
        assertEquals(network.ir().inputSize(), net.inputSize(), "INPUT_SIZE");
        assertEquals(network.ir().layers().get(network.ir().layers().size() - 1).outputSize(), net.outputSize(),
                "OUTPUT_SIZE");

        // PARAMETERS: contiguous, in order, covering parameters() exactly.
        int offset = 0;
        for (Param p : net.parameterList()) {
            assertEquals(offset, p.offset(), "offset of " + p.name());
            assertTrue(p.shape().length == 1 || p.shape().length == 2, p.name() + " has rank 1 or 2");
            offset += p.size();
        }
        assertEquals(offset, net.parameterCount(), "PARAMETER_COUNT is the sum of the PARAMETERS sizes");
        assertEquals(net.parameterCount(), net.parameters().length, "parameters().length");
        assertEquals(net.parameterCount(), net.gradients().length, "gradients().length");
        List<String> fromIr = new ArrayList<>();
        for (StepFunction.Tensor t : irTensors(network.ir())) {
            fromIr.add(t.publicName() + t.shape());
        }
        List<String> declared = new ArrayList<>();
        net.parameterList().forEach(p -> declared.add(p.name() + Arrays.toString(p.shape())));
        assertEquals(fromIr, declared, "PARAMETERS follow the IR's layout order, names and shapes");
        if (PARAMETERS.containsKey(name)) {
            List<String> actual = new ArrayList<>();
            net.parameterList().forEach(p -> actual.add(p.name() + Arrays.toString(p.shape())));
            assertEquals(PARAMETERS.get(name), actual, "PARAMETERS");
        }

        // STATES: contiguous, in order.
        int stateOffset = 0;
        List<Integer> sizes = new ArrayList<>();
        for (StateSlot s : net.stateList()) {
            assertEquals(stateOffset, s.offset(), "offset of state " + s.name());
            assertFalse(s.name().isEmpty(), "state name");
            stateOffset += s.size();
            sizes.add(s.size());
        }
        assertEquals(STATE_SIZES.get(name), sizes, "STATES sizes (layer order, forward then reverse, declaration"
                + " order)");
        assertEquals(stateOffset, net.stateSize(), "STATE_SIZE");
        assertEquals(MAX_BATCH * net.stateSize(), net.initialState().length, "initialState().length");
        assertEquals(MAX_BATCH * net.stateSize(), net.initialStateGradients().length,
                "initialStateGradients().length");
        assertEquals(MAX_BATCH * MAX_STEPS * net.inputSize(), net.inputGradients().length, "inputGradients().length");
        for (double v : net.initialState()) {
            assertEquals(0.0, v, "the initial state starts at zero");
        }

        // Exactly the computeGradients overloads of the spec's loss.
        boolean labels = network.loss() == NetworkIr.Loss.CROSS_ENTROPY;
        List<String> overloads = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals("computeGradients")) {
                assertEquals(scalar, m.getReturnType(), "computeGradients returns the element type");
                overloads.add(Arrays.toString(m.getParameterTypes()));
            }
        }
        overloads.sort(null);
        Class<?> out = labels ? int[].class : array;
        List<String> expected = new ArrayList<>(List.of(
                Arrays.toString(new Class<?>[] {array, out, int.class, int.class}),
                Arrays.toString(new Class<?>[] {array, out, int.class, int.class, int[].class})));
        expected.sort(null);
        assertEquals(expected, overloads, "computeGradients overloads");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void initializeIsDeterministicAndFollowsTheInitializers(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        GeneratedNetwork a = network.instantiate(MAX_BATCH, MAX_STEPS);
        GeneratedNetwork b = network.instantiate(MAX_BATCH, MAX_STEPS);
        a.initialize(42);
        b.initialize(42);
        assertArrayEquals(a.parameters(), b.parameters(), "same seed, same parameters");
        b.initialize(43);
        assertFalse(Arrays.equals(a.parameters(), b.parameters()), "another seed, other parameters");
        a.initialize(42);
        b.initialize(42);
        assertArrayEquals(a.parameters(), b.parameters(), "initialize overwrites every parameter");

        double tolerance = precision == Precision.F64 ? 1e-9 : 1e-5;
        Map<String, StepFunction.Tensor> tensors = new LinkedHashMap<>();
        irTensors(network.ir()).forEach(t -> tensors.put(t.publicName(), t));
        for (Param p : a.parameterList()) {
            double[] v = a.parameter(p.name());
            StepFunction.Tensor tensor = tensors.get(p.name());
            assertTrue(tensor != null, p.name() + " is a parameter of the IR");
            String init = tensor.initializer();
            String what = p.name() + " (" + init + ")";
            Matcher call = Pattern.compile("(\\w+)\\((-?[0-9.eE+-]+)(?:, (-?[0-9.eE+-]+))?\\)").matcher(init);
            if (init.equals("glorot_uniform")) {
                int fans = p.shape().length == 2 ? p.shape()[0] + p.shape()[1] : 2 * p.shape()[0];
                double limit = Math.sqrt(6.0 / fans);
                for (double value : v) {
                    assertTrue(Math.abs(value) <= limit * (1 + 1e-6), what + " within +-" + limit + ": " + value);
                }
                assertTrue(spread(v) > limit / 4, what + " is spread over its range");
            } else if (init.equals("orthogonal")) {
                assertEquals(2, p.shape().length, what);
                assertOrthogonal(what, v, p.shape()[0], p.shape()[1], tolerance * 10);
            } else if (call.matches() && call.group(1).equals("constant")) {
                double c = Double.parseDouble(call.group(2));
                for (int i = 0; i < v.length; i++) {
                    assertEquals(c, v[i], tolerance, what + "[" + i + "]");
                }
            } else if (call.matches() && call.group(1).equals("uniform")) {
                double lo = Double.parseDouble(call.group(2));
                double hi = Double.parseDouble(call.group(3));
                for (double value : v) {
                    assertTrue(value >= lo - tolerance && value <= hi + tolerance, what + ": " + value);
                }
                assertTrue(spread(v) > (hi - lo) / 4, what + " is spread over its range");
            } else if (call.matches() && call.group(1).equals("normal")) {
                double mean = Double.parseDouble(call.group(2));
                double std = Double.parseDouble(call.group(3));
                double m = Arrays.stream(v).average().orElseThrow();
                double sd = Math.sqrt(Arrays.stream(v).map(e -> (e - m) * (e - m)).sum() / (v.length - 1));
                assertEquals(mean, m, 6 * std / Math.sqrt(v.length), what + ": sample mean");
                assertTrue(sd > std / 2 && sd < std * 2, what + ": sample standard deviation " + sd);
            } else {
                throw new AssertionError("unknown initializer in the IR: " + what);
            }
        }
    }

    /** Orthogonal in Keras's sense for the whole matrix: orthonormal rows (wide) or columns (tall, square). */
    private static void assertOrthogonal(String what, double[] v, int rows, int columns, double tolerance) {
        boolean tall = rows >= columns;
        int n = tall ? columns : rows;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < (tall ? rows : columns); k++) {
                    dot += tall ? v[k * columns + i] * v[k * columns + j] : v[i * columns + k] * v[j * columns + k];
                }
                assertEquals(i == j ? 1.0 : 0.0, dot, tolerance, what + ": " + (tall ? "columns " : "rows ") + i
                        + " and " + j);
            }
        }
    }

    private static double spread(double[] v) {
        return Arrays.stream(v).max().orElseThrow() - Arrays.stream(v).min().orElseThrow();
    }

    /** Every learnable tensor of the IR, in layout order: layers in order, forward direction then reverse. */
    static List<StepFunction.Tensor> irTensors(NetworkIr ir) {
        List<StepFunction.Tensor> tensors = new ArrayList<>();
        for (NetworkIr.Layer layer : ir.layers()) {
            if (layer instanceof NetworkIr.Recurrent r) {
                tensors.addAll(r.forward().parameters());
                r.backward().ifPresent(b -> tensors.addAll(b.parameters()));
            } else if (layer instanceof NetworkIr.PerStep p) {
                tensors.addAll(p.function().parameters());
            }
        }
        return tensors;
    }

    /** Which block of an initial-state row feeds which direction and state, and rows are per sequence. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backends")
    void initialStateLayoutMeansWhatItSays(Backend backend, Precision precision) {
        // Bidirectional rnn, concat, no head: y[b][t] = [forward h, backward h].
        GeneratedNetwork net = compile("birnn_head", backend, precision).instantiate(MAX_BATCH, MAX_STEPS);
        net.initialize(5);
        int batch = 2;
        int steps = 3;
        double[] x = Specs.uniform(new Random(1), batch * steps * 2, 1.0);
        double[] base = net.forward(x, batch, steps, null);
        int units = 3;
        int out = 2 * units;
        assertEquals(batch * steps * out, base.length);
        for (int block = 0; block < 2; block++) {
            double[] state = new double[MAX_BATCH * net.stateSize()];
            for (int j = 0; j < units; j++) {
                state[net.stateSize() + block * units + j] = 0.7; // batch row 1 only
            }
            net.setInitialState(state);
            double[] y = net.forward(x, batch, steps, null);
            net.setInitialState(new double[MAX_BATCH * net.stateSize()]);
            String direction = block == 0 ? "forward" : "reverse";
            boolean changedOwnHalf = false;
            for (int t = 0; t < steps; t++) {
                for (int k = 0; k < out; k++) {
                    int row0 = (0 * steps + t) * out + k;
                    int row1 = (1 * steps + t) * out + k;
                    assertEquals(base[row0], y[row0], "the " + direction + " state of sequence 1 changed sequence 0");
                    boolean own = (k < units) == (block == 0);
                    if (own) {
                        changedOwnHalf |= base[row1] != y[row1];
                    } else {
                        assertEquals(base[row1], y[row1], "the " + direction + " state changed the other direction's"
                                + " output at y[1][" + t + "][" + k + "]");
                    }
                }
            }
            assertTrue(changedOwnHalf, "the " + direction + " initial state must change the " + direction + " output");
        }

        // LSTM with weight_hh = 0: h0 has no effect, c0 does. States are h then c.
        GeneratedNetwork lstm = compile("lstm_mse", backend, precision).instantiate(MAX_BATCH, MAX_STEPS);
        lstm.initialize(9);
        lstm.setParameter("0.weight_hh_l0", new double[16 * 4]);
        double[] xl = Specs.uniform(new Random(2), batch * steps * 3, 1.0);
        double[] yl = lstm.forward(xl, batch, steps, null);
        double[] h0 = new double[MAX_BATCH * lstm.stateSize()];
        Arrays.fill(h0, 0, 4, 0.9);
        lstm.setInitialState(h0);
        assertArrayEquals(yl, lstm.forward(xl, batch, steps, null), "with weight_hh = 0, h0 (offset 0) is unused");
        double[] c0 = new double[MAX_BATCH * lstm.stateSize()];
        Arrays.fill(c0, 4, 8, 0.9);
        lstm.setInitialState(c0);
        assertNotEquals(Arrays.toString(yl), Arrays.toString(lstm.forward(xl, batch, steps, null)),
                "c0 (offset units) feeds the first step");
    }

    /**
     * The generated class packs the weights once and repacks only when parameters() changed: a write into the live
     * array between two calls, one element of any tensor (first or last of its block), must reach both forward and
     * computeGradients exactly as a fresh network with those parameters sees them.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void writesIntoTheLiveParametersArrayAreSeenByTheNextCall(String name, Backend backend, Precision precision) {
        GeneratedClasses.Network network = compile(name, backend, precision);
        GeneratedNetwork net = network.instantiate(MAX_BATCH, MAX_STEPS);
        net.initialize(3);
        int batch = 2;
        int steps = 3;
        double[] x = Specs.uniform(new Random(4), batch * steps * net.inputSize(), 1.0);
        net.forward(x, batch, steps, null); // packs the initial weights
        for (Param param : net.parameterList()) {
            for (int index : new int[] {param.offset(), param.offset() + param.size() - 1}) {
                net.setParameterElement(index, net.parameterElement(index) + 0.25);
                double[] seen = net.forward(x, batch, steps, null);
                GeneratedNetwork fresh = network.instantiate(MAX_BATCH, MAX_STEPS);
                fresh.setParameters(net.parameters());
                assertArrayEquals(fresh.forward(x, batch, steps, null), seen,
                        "forward after a write into " + param.name() + " at " + index);
                if (net.acceptsTargets()) {
                    double[] targets = Specs.uniform(new Random(5), net.outputLength(batch, steps), 1.0);
                    net.setParameterElement(index, net.parameterElement(index) - 0.5);
                    fresh.setParameters(net.parameters());
                    assertEquals(fresh.computeGradients(x, targets, batch, steps, null),
                            net.computeGradients(x, targets, batch, steps, null), "loss after a write into "
                                    + param.name());
                    assertArrayEquals(fresh.gradients(), net.gradients(), "gradients after a write into "
                            + param.name() + " at " + index);
                }
            }
        }
    }

    /**
     * After an optimizer step the packing takes no copy of parameters() to compare with (a training loop's next call
     * repacks anyway), so the calls after it pack again until one takes the copy: writes into the live array after
     * an update, and after each of the forward calls that follow it, must still reach the next call.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void writesAfterAnOptimizerStepAreSeenByTheNextCall(String name, Backend backend, Precision precision)
            throws ReflectiveOperationException {
        GeneratedClasses.Network network = compile(name, backend, precision);
        GeneratedNetwork net = network.instantiate(MAX_BATCH, MAX_STEPS);
        assumeTrue(net.acceptsLabels() || net.acceptsTargets(), "a network with a train block");
        net.initialize(3);
        int batch = 2;
        int steps = 3;
        Random random = new Random(6);
        double[] x = Specs.uniform(random, batch * steps * net.inputSize(), 1.0);
        if (net.acceptsLabels()) {
            net.computeGradients(x, Specs.labels(random, net.labelCount(batch, steps), net.outputSize()), batch, steps,
                    null);
        } else {
            net.computeGradients(x, Specs.uniform(random, net.outputLength(batch, steps), 1.0), batch, steps, null);
        }
        double[] before = net.parameters();
        net.type().getMethod("applyGradients").invoke(net.instance());
        assertFalse(Arrays.equals(before, net.parameters()), "the update changed the parameters");
        assertForwardAsFresh(network, net, x, batch, steps, "the first forward after the update");
        // back to the parameters before the update: the copy the last packing before it took
        net.setParameters(before);
        assertForwardAsFresh(network, net, x, batch, steps, "the second forward, parameters as before the update");
        int index = net.parameterList().get(0).offset();
        net.setParameterElement(index, net.parameterElement(index) + 0.25);
        assertForwardAsFresh(network, net, x, batch, steps, "the third forward, after a write at " + index);
        net.setParameterElement(index, net.parameterElement(index) - 0.25);
        assertForwardAsFresh(network, net, x, batch, steps, "the fourth forward, after writing it back");
    }

    /** net.forward equals the forward of a new instance given net's parameters. */
    private static void assertForwardAsFresh(GeneratedClasses.Network network, GeneratedNetwork net, double[] x,
            int batch, int steps, String message) {
        GeneratedNetwork fresh = network.instantiate(MAX_BATCH, MAX_STEPS);
        fresh.setParameters(net.parameters());
        assertArrayEquals(fresh.forward(x, batch, steps, null), net.forward(x, batch, steps, null), message);
    }

    static Stream<Arguments> backends() {
        List<Arguments> cases = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            for (Precision precision : Precision.values()) {
                cases.add(Arguments.of(backend, precision));
            }
        }
        return cases.stream();
    }
}
