package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wrong sizes make {@code forward} and {@code computeGradients} throw {@link IllegalArgumentException} whose message
 * names the argument ({@code x}, {@code y}, {@code batch}, {@code steps}, {@code labels}, {@code targets},
 * {@code lengths}) as a whole word: arrays too short, {@code batch} outside {@code 1..maxBatch}, {@code steps}
 * outside {@code 1..maxSteps} or not the spec's fixed {@code steps}, a label outside {@code 0..OUTPUT_SIZE-1}, a
 * {@code lengths} array shorter than {@code batch} or with a length outside {@code 1..steps}. Arrays longer than
 * needed are accepted ("too short" is the error, so longer is fine). The same for the streaming {@code step(x, batch,
 * y)}: {@code x} shorter than {@code batch * INPUT_SIZE}, {@code y} shorter than {@code batch * OUTPUT_SIZE},
 * {@code batch} outside {@code 1..maxBatch}; a rejected step leaves the stream as it was.
 */
class ArgumentValidationTest {
    static final int MAX_BATCH = 3;
    static final int MAX_STEPS = 5;
    static final int BATCH = 2;
    static final int STEPS = 4;
    static final int FIXED_STEPS = 4;

    /** name -> spec: per-step labels, per-sequence targets, fixed steps with binary targets. */
    static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("labels_per_step", """
                package argv.labels;

                network LabelsPerStep {
                    input x[3];
                    lstm(4, return_sequences = true);
                    dense(3, activation = softmax);
                    train { loss = cross_entropy; optimizer = sgd(lr = 0.1); }
                }
                """);
        SPECS.put("targets_per_sequence", """
                package argv.targets;

                network TargetsPerSequence {
                    input x[3];
                    gru(4);
                    dense(2);
                    train { loss = mse; optimizer = sgd(lr = 0.1); }
                }
                """);
        SPECS.put("fixed_steps", """
                package argv.fixed;

                network FixedSteps {
                    input x[3];
                    steps = 4;
                    rnn(4);
                    dense(2, activation = sigmoid);
                    train { loss = binary_cross_entropy; optimizer = sgd(lr = 0.1); }
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
        List<Arguments> cases = new ArrayList<>();
        for (String name : SPECS.keySet()) {
            for (Backend backend : Backend.values()) {
                cases.add(Arguments.of(name, backend));
            }
        }
        return cases.stream();
    }

    /** One call with given sizes; {@code label} >= -1 overrides the first label (when the spec takes labels). */
    record Call(String description, String argument, int xLength, int outLength, int batch, int steps, int[] lengths,
            int badLabel, boolean gradients) {
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void wrongSizesThrowNamingTheArgument(String name, Backend backend) {
        GeneratedNetwork net = instantiate(name, backend);
        boolean fixed = name.equals("fixed_steps");
        String target = net.acceptsLabels() ? "labels" : "targets";

        // The valid calls must go through, or nothing below means anything.
        run(net, new Call("valid forward", null, xLength(net, BATCH, STEPS), yLength(net, BATCH, STEPS), BATCH,
                STEPS, null, Integer.MIN_VALUE, false));
        run(net, new Call("valid computeGradients", null, xLength(net, BATCH, STEPS), outLength(net, BATCH, STEPS),
                BATCH, STEPS, new int[] {STEPS, 1}, Integer.MIN_VALUE, true));

        List<Call> calls = new ArrayList<>();
        for (boolean gradients : new boolean[] {false, true}) {
            String method = gradients ? "computeGradients" : "forward";
            String out = gradients ? target : "y";
            int okX = xLength(net, BATCH, STEPS);
            int okOut = gradients ? outLength(net, BATCH, STEPS) : yLength(net, BATCH, STEPS);
            calls.add(new Call(method + ": x one element short", "x", okX - 1, okOut, BATCH, STEPS, null,
                    Integer.MIN_VALUE, gradients));
            calls.add(new Call(method + ": x empty", "x", 0, okOut, BATCH, STEPS, null, Integer.MIN_VALUE, gradients));
            calls.add(new Call(method + ": " + out + " one element short", out, okX, okOut - 1, BATCH, STEPS, null,
                    Integer.MIN_VALUE, gradients));
            for (int batch : new int[] {0, -1, MAX_BATCH + 1}) {
                int b = Math.max(batch, 1);
                calls.add(new Call(method + ": batch " + batch, "batch", xLength(net, b, STEPS),
                        gradients ? outLength(net, b, STEPS) : yLength(net, b, STEPS), batch, STEPS, null,
                        Integer.MIN_VALUE, gradients));
            }
            int[] badSteps = fixed ? new int[] {0, -1, FIXED_STEPS - 1, FIXED_STEPS + 1} : new int[] {0, -1,
                MAX_STEPS + 1};
            for (int steps : badSteps) {
                int t = Math.max(steps, 1);
                calls.add(new Call(method + ": steps " + steps, "steps", xLength(net, BATCH, t),
                        gradients ? outLength(net, BATCH, t) : yLength(net, BATCH, t), BATCH, steps, null,
                        Integer.MIN_VALUE, gradients));
            }
            calls.add(new Call(method + ": lengths shorter than batch", "lengths", okX, okOut, BATCH, STEPS,
                    new int[] {STEPS}, Integer.MIN_VALUE, gradients));
            calls.add(new Call(method + ": a length of 0", "lengths", okX, okOut, BATCH, STEPS, new int[] {STEPS, 0},
                    Integer.MIN_VALUE, gradients));
            calls.add(new Call(method + ": a negative length", "lengths", okX, okOut, BATCH, STEPS,
                    new int[] {-1, STEPS}, Integer.MIN_VALUE, gradients));
            calls.add(new Call(method + ": a length above steps", "lengths", okX, okOut, BATCH, STEPS,
                    new int[] {STEPS, STEPS + 1}, Integer.MIN_VALUE, gradients));
            if (gradients && net.acceptsLabels()) {
                calls.add(new Call("computeGradients: label -1", "labels", okX, okOut, BATCH, STEPS, null, -1, true));
                calls.add(new Call("computeGradients: label OUTPUT_SIZE", "labels", okX, okOut, BATCH, STEPS, null,
                        net.outputSize(), true));
                calls.add(new Call("computeGradients: label OUTPUT_SIZE, with lengths", "labels", okX, okOut, BATCH,
                        STEPS, new int[] {STEPS, STEPS}, net.outputSize(), true));
            }
        }

        List<String> problems = new ArrayList<>();
        for (Call call : calls) {
            String problem = expectRejected(net, call);
            if (problem != null) {
                problems.add(call.description() + ": " + problem);
            }
        }
        assertEquals(List.of(), problems, name + " (" + backend + ")");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void longerArraysAreAccepted(String name, Backend backend) {
        GeneratedNetwork net = instantiate(name, backend);
        net.initialize(3);
        double[] x = new double[xLength(net, BATCH, STEPS)];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i);
        }
        double[] y = net.forward(x, BATCH, STEPS, null);
        double[] longX = java.util.Arrays.copyOf(x, x.length + 7);
        Object longY = net.newArray(y.length + 5);
        net.forwardRaw(net.toNative(longX), BATCH, STEPS, null, longY);
        assertArrayEquals(y, java.util.Arrays.copyOf(GeneratedNetwork.toDouble(longY), y.length),
                "forward with longer x and y");
        Object labelsOrTargets = net.acceptsLabels() ? new int[outLength(net, BATCH, STEPS)]
                : net.newArray(outLength(net, BATCH, STEPS));
        double loss = net.computeGradientsRaw(net.toNative(x), labelsOrTargets, BATCH, STEPS, null);
        Object longer = net.acceptsLabels() ? new int[outLength(net, BATCH, STEPS) + 3]
                : net.newArray(outLength(net, BATCH, STEPS) + 3);
        assertEquals(loss, net.computeGradientsRaw(net.toNative(longX), longer, BATCH, STEPS, null),
                "computeGradients with longer x and " + (net.acceptsLabels() ? "labels" : "targets"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void stepRejectsWrongSizesNamingTheArgument(String name, Backend backend) {
        GeneratedNetwork net = instantiate(name, backend);
        net.initialize(5);
        int in = net.inputSize();
        int out = net.outputSize();
        double[] x = new double[BATCH * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.cos(i);
        }
        net.resetState();
        double[] first = net.step(x, BATCH);
        double[] second = net.step(x, BATCH);

        record StepCall(String description, String argument, int xLength, int yLength, int batch) {
        }
        List<StepCall> calls = new ArrayList<>();
        calls.add(new StepCall("step: x one element short", "x", BATCH * in - 1, BATCH * out, BATCH));
        calls.add(new StepCall("step: x empty", "x", 0, BATCH * out, BATCH));
        calls.add(new StepCall("step: y one element short", "y", BATCH * in, BATCH * out - 1, BATCH));
        calls.add(new StepCall("step: y empty", "y", BATCH * in, 0, BATCH));
        for (int batch : new int[] {0, -1, MAX_BATCH + 1}) {
            int b = Math.max(batch, 1);
            calls.add(new StepCall("step: batch " + batch, "batch", b * in, b * out, batch));
        }
        List<String> problems = new ArrayList<>();
        net.resetState();
        assertArrayEquals(first, net.step(x, BATCH), "step after resetState()");
        for (StepCall call : calls) {
            Object shortX = net.newArray(call.xLength());
            System.arraycopy(net.toNative(x), 0, shortX, 0, Math.min(call.xLength(), x.length));
            Call asCall = new Call(call.description(), call.argument(), 0, 0, 0, 0, null, 0, false);
            String problem = expectRejected(asCall, () -> net.stepRaw(shortX, call.batch(),
                    net.newArray(call.yLength())));
            if (problem != null) {
                problems.add(call.description() + ": " + problem);
            }
        }
        assertEquals(List.of(), problems, name + " (" + backend + ")");
        // The rejected calls advanced nothing; longer arrays are accepted.
        Object longY = net.newArray(BATCH * out + 4);
        net.stepRaw(net.toNative(Arrays.copyOf(x, x.length + 3)), BATCH, longY);
        assertArrayEquals(second, Arrays.copyOf(GeneratedNetwork.toDouble(longY), second.length),
                "step with longer x and y, after rejected calls");
    }

    // ------------------------------------------------------------------ helpers

    private static GeneratedNetwork instantiate(String name, Backend backend) {
        GeneratedClasses.Network network = GeneratedClasses.compile(directory, name + ".rnn", SPECS.get(name),
                GeneratedClasses.options(backend, Precision.F32));
        int maxSteps = network.fixedSteps().isPresent() ? network.fixedSteps().getAsInt() : MAX_STEPS;
        return network.instantiate(MAX_BATCH, maxSteps);
    }

    private static int xLength(GeneratedNetwork net, int batch, int steps) {
        return batch * steps * net.inputSize();
    }

    private static int yLength(GeneratedNetwork net, int batch, int steps) {
        return net.outputLength(batch, steps);
    }

    /** Labels: one per output row; targets: one per output element. */
    private static int outLength(GeneratedNetwork net, int batch, int steps) {
        return net.acceptsLabels() ? net.labelCount(batch, steps) : net.outputLength(batch, steps);
    }

    /** Runs a call; a call with {@code argument} null must succeed. */
    private static void run(GeneratedNetwork net, Call call) {
        Object x = net.newArray(call.xLength());
        if (!call.gradients()) {
            net.forwardRaw(x, call.batch(), call.steps(), call.lengths(), net.newArray(call.outLength()));
            return;
        }
        Object out;
        if (net.acceptsLabels()) {
            int[] labels = new int[call.outLength()];
            if (call.badLabel() != Integer.MIN_VALUE && labels.length > 0) {
                labels[0] = call.badLabel();
            }
            out = labels;
        } else {
            out = net.newArray(call.outLength());
        }
        net.computeGradientsRaw(x, out, call.batch(), call.steps(), call.lengths());
    }

    /** Null when the call throws an IllegalArgumentException naming the argument, else what went wrong. */
    private static String expectRejected(GeneratedNetwork net, Call call) {
        return expectRejected(call, () -> run(net, call));
    }

    private static String expectRejected(Call call, Runnable run) {
        try {
            run.run();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (message == null || !Pattern.compile("\\b" + Pattern.quote(call.argument()) + "\\b").matcher(message)
                    .find()) {
                return "IllegalArgumentException does not name '" + call.argument() + "': " + message;
            }
            return null;
        } catch (RuntimeException | Error e) {
            return "threw " + e + " instead of an IllegalArgumentException naming '" + call.argument() + "'";
        }
        return "did not throw (expected an IllegalArgumentException naming '" + call.argument() + "')";
    }
}
