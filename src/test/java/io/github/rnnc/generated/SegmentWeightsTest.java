package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedClasses.Variant;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.Specs;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The vector code with its packed weights in memory segments ({@code --packed-weights segment}, JDK 22+) computes
 * bit for bit what the array code computes: the same products in the same order, only the loads differ. Outputs,
 * losses and every gradient (parameters, input, initial state) of the contract examples and of shapes with every
 * kind of kernel tail, at 256 and 512 bits, with and without lengths; after the parameters change (the segments are
 * repacked), and through {@code step}. Against PyTorch the segment variants run in {@link PyTorchParityTest}.
 */
class SegmentWeightsTest {
    static final String[] EXAMPLES = {"char_lstm", "forecast", "mgu", "mnist_rows", "peephole", "sentiment"};
    /**
     * Products whose column count leaves a vector rest and a scalar rest at both widths (4 x 37 = 148 columns: 4
     * panels of 32 at 512 bits, then 1 vector, then 4 scalars), and a K deep enough for depth blocks (512).
     */
    static final Map<String, String> SHAPES = Map.of(
            "tails", """
                    package segments.tails;

                    network Tails {
                        input x[19];
                        bidirectional(lstm(37, return_sequences = true), merge = concat);
                        gru(21);
                        dense(3);
                        train { loss = mse; optimizer = sgd(lr = 0.1); }
                    }
                    """,
            "deep", """
                    package segments.deep;

                    network Deep {
                        input x[512];
                        lstm(128, return_sequences = true);
                        dense(5);
                        train { loss = mse; optimizer = sgd(lr = 0.1); }
                    }
                    """);
    static final int MAX_BATCH = 9;
    static final int STEPS = 6;

    @TempDir
    static Path directory;

    static List<String> names() {
        List<String> names = new ArrayList<>(List.of(EXAMPLES));
        names.addAll(new java.util.TreeSet<>(SHAPES.keySet()));
        return names;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : names()) {
            for (int bits : new int[] {256, 512}) {
                for (boolean lengths : new boolean[] {false, true}) {
                    cases.add(Arguments.of(name, bits, lengths));
                }
            }
        }
        return cases.stream();
    }

    @BeforeAll
    static void compileTogether() {
        if (!GeneratedClasses.segmentsRunHere()) {
            return;
        }
        List<GeneratedClasses.Spec> specs = new ArrayList<>();
        for (String example : EXAMPLES) {
            specs.add(new GeneratedClasses.Spec(example + ".rnn", Specs.exampleText(example)));
        }
        SHAPES.forEach((name, text) -> specs.add(new GeneratedClasses.Spec(name + ".rnn", text)));
        for (Variant variant : List.of(Variant.VECTOR, Variant.VECTOR_512, Variant.SEGMENT, Variant.SEGMENT_512)) {
            GeneratedClasses.precompile(directory, specs, variant.options(Precision.F32));
        }
    }

    private static GeneratedClasses.Network compile(String name, Variant variant) {
        String text = SHAPES.containsKey(name) ? SHAPES.get(name) : Specs.exampleText(name);
        return GeneratedClasses.compile(directory, name + ".rnn", text, variant.options(Precision.F32));
    }

    @ParameterizedTest(name = "{0}, {1} bits, lengths {2}")
    @MethodSource("cases")
    void segmentCodeComputesWhatArrayCodeComputes(String name, int bits, boolean withLengths) throws Exception {
        assumeTrue(GeneratedClasses.segmentsRunHere(), "memory segments need JDK 22 or later");
        GeneratedClasses.Network arrayClass = compile(name, bits == 512 ? Variant.VECTOR_512 : Variant.VECTOR);
        GeneratedClasses.Network segmentClass = compile(name, bits == 512 ? Variant.SEGMENT_512 : Variant.SEGMENT);
        assertTrue(segmentClass.sources().stream().anyMatch(s -> s.code().contains("fromMemorySegment(")),
                name + ": the segment class reads its weights from segments");
        assertEquals(List.of(), segmentFields(arrayClass.type()), name + ": the array class has no segment");
        assertTrue(!segmentFields(segmentClass.type()).isEmpty(), name + ": the segment class has segment fields");

        int steps = arrayClass.fixedSteps().orElse(STEPS);
        int batch = name.equals("deep") ? MAX_BATCH : 3;
        GeneratedNetwork expected = arrayClass.instantiate(MAX_BATCH, steps);
        GeneratedNetwork actual = segmentClass.instantiate(MAX_BATCH, steps);
        Random random = new Random(name.hashCode() * 31L + bits + (withLengths ? 1 : 0));
        double[] parameters = Specs.uniform(random, expected.parameterCount(), 0.3);
        expected.setParameters(parameters);
        actual.setParameters(parameters);
        int[] lengths = null;
        if (withLengths && arrayClass.fixedSteps().isEmpty()) {
            lengths = new int[batch];
            for (int b = 0; b < batch; b++) {
                lengths[b] = b == 0 ? steps : 1 + random.nextInt(steps);
            }
        }
        double[] x = Specs.uniform(random, batch * steps * expected.inputSize(), 1.0);
        String context = name + " at " + bits + " bits";

        assertArrayEquals(expected.forward(x, batch, steps, lengths), actual.forward(x, batch, steps, lengths),
                context + ": forward");
        boolean labels = arrayClass.loss() == NetworkIr.Loss.CROSS_ENTROPY;
        int positions = expected.labelCount(batch, steps);
        double lossExpected;
        double lossActual;
        if (labels) {
            int[] y = Specs.labels(random, positions, expected.outputSize());
            lossExpected = expected.computeGradients(x, y, batch, steps, lengths);
            lossActual = actual.computeGradients(x, y, batch, steps, lengths);
        } else {
            double[] y = Specs.uniform(random, expected.outputLength(batch, steps), 0.05, 0.95);
            lossExpected = expected.computeGradients(x, y, batch, steps, lengths);
            lossActual = actual.computeGradients(x, y, batch, steps, lengths);
        }
        assertEquals(lossExpected, lossActual, 0.0, context + ": loss");
        assertArrayEquals(expected.gradients(), actual.gradients(), context + ": parameter gradients");
        assertArrayEquals(expected.inputGradients(), actual.inputGradients(), context + ": input gradients");

        // new parameters: the segments are packed again
        double[] changed = Specs.uniform(random, expected.parameterCount(), 0.3);
        expected.setParameters(changed);
        actual.setParameters(changed);
        assertArrayEquals(expected.forward(x, batch, steps, lengths), actual.forward(x, batch, steps, lengths),
                context + ": forward after the parameters changed");
        if (expected.streams()) {
            expected.resetState();
            actual.resetState();
            for (int t = 0; t < 3; t++) {
                double[] xt = Specs.uniform(random, batch * expected.inputSize(), 1.0);
                assertArrayEquals(expected.step(xt, batch), actual.step(xt, batch), context + ": step " + t);
            }
        }
    }

    private static List<String> segmentFields(Class<?> type) {
        List<String> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (field.getType().getName().equals("java.lang.foreign.MemorySegment")) {
                fields.add(field.getName());
            }
        }
        return fields;
    }
}
