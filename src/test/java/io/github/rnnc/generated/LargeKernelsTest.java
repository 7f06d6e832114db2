package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedClasses.Variant;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.Specs;
import io.github.rnnc.testing.Tolerance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels that only large layers take, which the PyTorch fixtures' small layers never reach, against the scalar
 * backend's plain loops, which those fixtures check: the gradients of every parameter and of the input agree, for
 * f64 vector code to rounding and for f32 to 1e-4 of each tensor's magnitude.
 * <ul>
 * <li>The blocked weight-gradient kernel ({@code addOuterBlocked}, a weight of 1 MB and more), at its edges: W rows
 * not a multiple of the register tile (GRU 170: 510 rows), columns not a multiple of the packed sliver (517 inputs),
 * m = batch x steps over several blocks of 256 rows with a remainder, and one call per step when the batch is
 * below maxBatch.
 * <li>The gemm over a K deeper than one depth block ({@code Tile6x2Add}: the input product and the backward products
 * of LSTM 128 over 512 inputs have K = 512), with m leaving a four-row tile (700 rows) and, per step, a six-row
 * tile and an odd row (batch 7) or the tails alone (batch 3 of 4). The class picks its main tile by JDK (TILE_ROWS:
 * six rows on JDK 17, four on later ones, {@code Tile4x2Add}); the build runs these tests on both JDKs. At 512 bits
 * the main tile has eight rows ({@code Tile8x2Add}), which batch 9 takes once per step, with an odd row.
 * <li>The row kernel of a narrow product with its K split into chains ({@code Row2x2} at 512 bits, {@code Row4x2} at
 * 256): the input product of LSTM 9 over 17 inputs (36 columns, K = 17 in two chains and a tail) takes it for the
 * odd row of every step when the batch (3 of 4) is below maxBatch.
 * </ul>
 * Each at both vector widths: 256 bits, and 512, whose vectors of 16 floats (8 doubles) leave other tails.
 */
class LargeKernelsTest {
    static final CompileRequest.Options F64_SCALAR = GeneratedClasses.options(Backend.SCALAR, Precision.F64);
    static final double F64_TOLERANCE = 1e-10;
    static final double F32_TOLERANCE = 1e-4;
    static final int STEPS = 100;

    @TempDir
    static Path directory;

    static final String GRU = "package blocked;\n\nnetwork WideGru {\n"
            + "    input x[517];\n"
            + "    gru(170, return_sequences = true);\n"
            + "    dense(3);\n"
            + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
            + "}\n";
    static final String LSTM = "package blocked;\n\nnetwork WideLstm {\n"
            + "    input x[9];\n"
            + "    lstm(257, return_sequences = false);\n"
            + "    dense(2);\n"
            + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
            + "}\n";
    static final String DEEP = "package blocked;\n\nnetwork DeepLstm {\n"
            + "    input x[512];\n"
            + "    lstm(128, return_sequences = true);\n"
            + "    dense(5);\n"
            + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
            + "}\n";
    static final String NARROW = "package blocked;\n\nnetwork NarrowLstm {\n"
            + "    input x[17];\n"
            + "    lstm(9, return_sequences = true);\n"
            + "    dense(2);\n"
            + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
            + "}\n";
    static final String BLOCKED_OUTER = "addOuterBlocked";
    static final String DEPTH_BLOCKED = "Tile6x2Add";
    /** At 512 bits the main tile has eight rows on every JDK. */
    static final String DEPTH_BLOCKED_512 = "Tile8x2Add";
    /** 36 columns: one panel of 2 vectors at 512 bits, two panels at 256; both split K = 17 into two chains. */
    static final String SPLIT_ROW = "Row4x2(";
    static final String SPLIT_ROW_512 = "Row2x2(";
    /** The kernel a shape takes at 512 bits where it differs from its 256-bit one. */
    static final Map<String, String> AT_512_BITS = Map.of(DEPTH_BLOCKED, DEPTH_BLOCKED_512, SPLIT_ROW, SPLIT_ROW_512);

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Variant variant : Variant.available()) {
            if (variant == Variant.SCALAR) {
                continue;
            }
            for (Arguments shape : shapes()) {
                Object[] a = shape.get();
                boolean wide = variant == Variant.VECTOR_512 || variant == Variant.SEGMENT_512;
                Object kernel = wide ? AT_512_BITS.getOrDefault((String) a[2], (String) a[2]) : a[2];
                cases.add(Arguments.of(a[0] + " (" + variant + ")", a[1], kernel, a[3], a[4], a[5], variant));
            }
        }
        return cases.stream();
    }

    static List<Arguments> shapes() {
        return List.of(
                Arguments.of("gru: input weights 510 x 517, m = 300", GRU, BLOCKED_OUTER, Precision.F64, 3, 3),
                Arguments.of("gru: one call per step (batch 3 of 4)", GRU, BLOCKED_OUTER, Precision.F64, 4, 3),
                Arguments.of("gru, f32", GRU, BLOCKED_OUTER, Precision.F32, 3, 3),
                Arguments.of("lstm: recurrent weights 1028 x 257, m = 200", LSTM, BLOCKED_OUTER, Precision.F64, 2, 2),
                Arguments.of("lstm, f32", LSTM, BLOCKED_OUTER, Precision.F32, 2, 2),
                Arguments.of("deep lstm: K = 512 in depth blocks, batch 7", DEEP, DEPTH_BLOCKED, Precision.F64, 7, 7),
                Arguments.of("deep lstm: tails only (batch 3 of 4)", DEEP, DEPTH_BLOCKED, Precision.F64, 4, 3),
                Arguments.of("deep lstm: batch 9, a main tile of 8 rows (512 bits) and an odd row", DEEP,
                        DEPTH_BLOCKED, Precision.F64, 9, 9),
                Arguments.of("deep lstm, f32", DEEP, DEPTH_BLOCKED, Precision.F32, 7, 7),
                Arguments.of("narrow lstm: a row kernel in K chains with a tail (batch 3 of 4), f32", NARROW,
                        SPLIT_ROW, Precision.F32, 4, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vectorGradientsMatchTheScalarBackend(String name, String spec, String kernel, Precision precision,
            int maxBatch, int batch, Variant variant) {
        String fileName = spec.contains("WideGru") ? "wide_gru.rnn" : spec.contains("DeepLstm") ? "deep_lstm.rnn"
                : spec.contains("NarrowLstm") ? "narrow_lstm.rnn" : "wide_lstm.rnn";
        GeneratedClasses.Network vectorClass = GeneratedClasses.compile(directory, fileName, spec,
                variant.options(precision));
        assertTrue(vectorClass.sources().stream().anyMatch(s -> s.code().contains(kernel)),
                name + ": the vector class takes " + kernel);
        GeneratedNetwork reference = GeneratedClasses.compile(directory, fileName, spec, F64_SCALAR)
                .instantiate(maxBatch, STEPS);
        GeneratedNetwork vector = vectorClass.instantiate(maxBatch, STEPS);

        Random random = new Random(name.hashCode());
        double[] parameters = Specs.uniform(random, reference.parameterCount(), 0.06);
        double[] x = Specs.uniform(random, batch * STEPS * reference.inputSize(), 1.0);
        double[] targets = Specs.uniform(random, reference.outputLength(batch, STEPS), 1.0);
        reference.setParameters(parameters);
        vector.setParameters(parameters);
        double tolerance = precision == Precision.F64 ? F64_TOLERANCE : F32_TOLERANCE;
        String context = name + ": vector vs scalar";

        double lossRef = reference.computeGradients(x, targets, batch, STEPS, null);
        double loss = vector.computeGradients(x, targets, batch, STEPS, null);
        Tolerance.assertClose(context, "loss", lossRef, loss, tolerance);
        Tolerance.assertGradientsClose(context, reference, vector, batch, STEPS, tolerance);
    }
}
