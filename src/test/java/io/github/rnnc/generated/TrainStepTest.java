package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.Specs;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code trainStep} leaves out d loss / d x (as PyTorch does for an input that does not require grad) and nothing
 * else: for every contract example and two small specs, on both backends, with and without {@code lengths}:
 * <ul>
 * <li>it returns the loss of {@code computeGradients} and leaves the parameters where {@code computeGradients}
 * followed by {@code applyGradients} leaves them (every parameter gradient, clipping and update intact);</li>
 * <li>{@code inputGradients()} keeps what the last {@code computeGradients} left;</li>
 * <li>a {@code computeGradients} after it has the input gradient of a new network given the updated weights (the
 * weights only the input gradient reads are packed again when it is computed).</li>
 * </ul>
 * {@code xgate} also uses its input inside the recurrence ({@code x * h}): its input's adjoint is a sum of a part
 * computed per step and the product {@code W^T g}, which alone is left out. {@code xonly} uses its input only inside
 * the recurrence, so nothing can be left out; the rest of the contract holds all the same.
 */
class TrainStepTest {
    static final int MAX_BATCH = 3;
    static final int STEPS = 5;
    static final String[] EXAMPLES = {"char_lstm", "forecast", "mgu", "mnist_rows", "peephole", "sentiment"};

    static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("bigru_mul", """
                package trainstep.bigru;

                network BigruMul {
                    input x[3];
                    bidirectional(gru(4, return_sequences = true), merge = mul);
                    dense(2);
                    train { loss = mse; optimizer = adam(lr = 0.01); clip_norm = 0.5; }
                }
                """);
        SPECS.put("xgate", """
                package trainstep.xgate;

                cell xgate(units) {
                    state h[units];
                    h' = tanh(W @ x + U @ h + b) + x * h;
                }

                network Xgate {
                    input x[4];
                    bidirectional(xgate(4), merge = concat);
                    dense(3, activation = softmax);
                    train { loss = cross_entropy; optimizer = sgd(lr = 0.1, momentum = 0.9); }
                }
                """);
        SPECS.put("xonly", """
                package trainstep.xonly;

                cell xonly(units) {
                    state h[units];
                    param b[units] = 0.5;  // with zero biases h stays 0 and so does d loss / d x
                    h' = tanh(U @ h + b) * x;
                }

                network Xonly {
                    input x[3];
                    xonly(3, return_sequences = true);
                    train { loss = mse; optimizer = sgd(lr = 0.1); }
                }
                """);
    }

    @TempDir
    static Path directory;

    @BeforeAll
    static void compileTogether() {
        GeneratedClasses.precompile(directory, SPECS, Precision.F32);
    }

    static Stream<Arguments> cases() {
        List<String> names = new ArrayList<>(List.of(EXAMPLES));
        names.addAll(SPECS.keySet());
        List<Arguments> cases = new ArrayList<>();
        for (String name : names) {
            for (Backend backend : Backend.values()) {
                for (boolean lengths : new boolean[] {false, true}) {
                    cases.add(Arguments.of(name, backend, lengths));
                }
            }
        }
        return cases.stream();
    }

    private static GeneratedClasses.Network compile(String name, Backend backend) {
        var options = GeneratedClasses.options(backend, Precision.F32);
        return SPECS.containsKey(name) ? GeneratedClasses.compile(directory, name + ".rnn", SPECS.get(name), options)
                : GeneratedClasses.compile(Specs.example(name), options);
    }

    @ParameterizedTest(name = "{0} {1} lengths {2}")
    @MethodSource("cases")
    void trainStepIsComputeGradientsAndApplyWithoutTheInputGradient(String name, Backend backend, boolean withLengths)
            throws Exception {
        GeneratedClasses.Network network = compile(name, backend);
        Class<?> type = network.type();
        boolean labels = network.loss() == NetworkIr.Loss.CROSS_ENTROPY;
        int steps = network.fixedSteps().orElse(STEPS);
        int batch = 2;
        int inputSize = type.getField("INPUT_SIZE").getInt(null);
        int outputSize = type.getField("OUTPUT_SIZE").getInt(null);
        int positions = network.sequenceOutput() ? batch * steps : batch;
        Random random = new Random(name.hashCode() * 31L + (withLengths ? 1 : 0));
        float[] x = floats(random, batch * steps * inputSize);
        float[] otherX = floats(random, batch * steps * inputSize);
        Object targets = labels ? ints(random, positions, outputSize) : targets(random, positions * outputSize);
        Object otherTargets = labels ? ints(random, positions, outputSize) : targets(random, positions * outputSize);
        int[] lengths = withLengths ? new int[] {steps, Math.max(1, steps - 2)} : null;

        Object reference = construct(type, steps);
        Object trained = construct(type, steps);
        Method computeGradients = gradientsMethod(type, labels, withLengths);
        Method trainStep = type.getMethod("trainStep", computeGradients.getParameterTypes());

        // trained: an input gradient from other data, which the training step must leave alone
        float kept0 = (float) computeGradients.invoke(trained, args(otherX, otherTargets, batch, steps, lengths));
        assertTrue(Float.isFinite(kept0));
        float[] kept = floatArray(type, trained, "inputGradients").clone();

        float expected = (float) computeGradients.invoke(reference, args(x, targets, batch, steps, lengths));
        type.getMethod("applyGradients").invoke(reference);
        float loss = (float) trainStep.invoke(trained, args(x, targets, batch, steps, lengths));

        assertEquals(expected, loss, 1e-6 * Math.max(1, Math.abs(expected)), "loss");
        assertClose(floatArray(type, reference, "parameters"), floatArray(type, trained, "parameters"),
                "parameters after the update");
        assertArrayEquals(kept, floatArray(type, trained, "inputGradients"),
                "inputGradients() after trainStep holds the last computeGradients' values");

        // the next input gradient is that of a new network given the updated weights (packed from scratch)
        Object fresh = construct(type, steps);
        float[] updated = floatArray(type, trained, "parameters");
        System.arraycopy(updated, 0, floatArray(type, fresh, "parameters"), 0, updated.length);
        computeGradients.invoke(fresh, args(otherX, otherTargets, batch, steps, lengths));
        computeGradients.invoke(trained, args(otherX, otherTargets, batch, steps, lengths));
        float[] dx = floatArray(type, fresh, "inputGradients");
        assertClose(dx, floatArray(type, trained, "inputGradients"), "inputGradients() of a later computeGradients");
        assertTrue(maxAbs(dx, batch * steps * inputSize) > 0, "the input gradient is not all zeros");
    }

    private static Object construct(Class<?> type, int steps) throws Exception {
        Object net = type.getConstructor(int.class, int.class).newInstance(MAX_BATCH, steps);
        type.getMethod("initialize", long.class).invoke(net, 11L);
        return net;
    }

    private static Method gradientsMethod(Class<?> type, boolean labels, boolean withLengths) throws Exception {
        Class<?> targets = labels ? int[].class : float[].class;
        return withLengths
                ? type.getMethod("computeGradients", float[].class, targets, int.class, int.class, int[].class)
                : type.getMethod("computeGradients", float[].class, targets, int.class, int.class);
    }

    private static Object[] args(float[] x, Object targets, int batch, int steps, int[] lengths) {
        return lengths == null ? new Object[] {x, targets, batch, steps}
                : new Object[] {x, targets, batch, steps, lengths};
    }

    private static float[] floatArray(Class<?> type, Object net, String getter) throws Exception {
        return (float[]) type.getMethod(getter).invoke(net);
    }

    /** Each element within 1e-6 of the reference's, relative to the array's magnitude. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = Math.max(1, maxAbs(expected, expected.length));
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-6 * scale) {
                throw new AssertionError(what + " [" + i + "]: expected " + expected[i] + ", was " + actual[i]);
            }
        }
    }

    private static double maxAbs(float[] values, int n) {
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }

    private static float[] floats(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (2 * random.nextDouble() - 1);
        }
        return values;
    }

    /** In (0, 1): valid for binary_cross_entropy as well as mse. */
    private static float[] targets(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (0.05 + 0.9 * random.nextDouble());
        }
        return values;
    }

    private static int[] ints(Random random, int n, int bound) {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextInt(bound);
        }
        return values;
    }
}
