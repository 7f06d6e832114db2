package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.PackedWeights;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.XbatchAllocationProbe;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A network of the benchmarks' size sweep (LSTM(128), a dense head at every step, MSE, Adam) allocates 0 bytes per
 * call after warm-up in a JVM that compiles as the benchmarks' JMH forks do ({@code -Xbatch}, default thresholds), on
 * {@code forward}, {@code computeGradients} and {@code trainStep}. {@link AllocationTest} runs in this JVM, whose
 * compilations run in the background and in another order: a vector MSE loss once made C2 fail the store intrinsic
 * in the LSTM's step methods under {@code -Xbatch} only (trainStep 460 800 B per call; 0 B without -Xbatch), and
 * only the default benchmark run saw it. Each mode runs alone in a child JVM, {@link XbatchAllocationProbe}. On an
 * AVX-512 machine the sweep's 512-bit code is checked too, at H = 128 and 256: on JDK 17, Vector API gathers in the
 * packing code once made C2 box vectors in the step methods at 512 bits (forward lstm_h256 b1, 972 KB per call).
 * The 512-bit code with its packed weights in memory segments is checked on JDK 22 and later.
 */
class XbatchAllocationTest {
    static final String SPEC = """
            package alloc.xbatch;

            network SweepLstm {
                input x[128];
                lstm(128, return_sequences = true);
                dense(128);

                train {
                    loss = mse;
                    optimizer = adam(lr = 0.001);
                }
            }
            """;
    static final int STEPS = 100;
    static final int WARM_UP_CALLS = 300;
    static final int MEASURED_CALLS = 20;

    @ParameterizedTest(name = "{0} bits, H = {1}, packed weights in {2}s")
    @CsvSource({"256, 128, ARRAY", "512, 128, ARRAY", "512, 256, ARRAY", "512, 128, SEGMENT"})
    void sweepSizedLstmAllocatesNothingUnderXbatch(int vectorBits, int hidden, PackedWeights packedWeights,
            @TempDir Path directory) throws IOException, InterruptedException {
        assumeTrue(vectorBits <= FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                "this JVM does not use " + vectorBits + "-bit vectors here");
        assumeTrue(packedWeights == PackedWeights.ARRAY || GeneratedClasses.segmentsRunHere(),
                "memory segments need JDK 22 or later");
        String size = String.valueOf(hidden);
        GeneratedClasses.Network network = GeneratedClasses.compile(directory, "sweep.rnn",
                SPEC.replace("[H]", "[" + size + "]").replace("(H", "(" + size),
                GeneratedClasses.options(Backend.VECTOR, Precision.F32).withVectorBits(vectorBits).with(packedWeights));
        Path classes = directory.resolve("classes");
        for (Map.Entry<String, byte[]> file : network.classFiles().entrySet()) {
            Path target = classes.resolve(file.getKey().replace('.', '/') + ".class");
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
        Map<String, Long> bytes = new TreeMap<>();
        StringBuilder outputs = new StringBuilder();
        // one mode per JVM, as one JMH fork runs one benchmark: the order of compilations decides
        for (String mode : List.of("forward", "computeGradients", "trainStep")) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xbatch", "--add-modules", "jdk.incubator.vector",
                    "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"),
                    XbatchAllocationProbe.class.getName(), network.qualifiedName(), size, size,
                    String.valueOf(STEPS), String.valueOf(WARM_UP_CALLS), String.valueOf(MEASURED_CALLS), mode));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            assertEquals(0, process.exitValue(), output);
            outputs.append(output);
            for (String line : output.split("\n")) {
                String[] words = line.trim().split(" ");
                if (words.length == 2 && words[1].matches("\\d+")) {
                    bytes.put(words[0], Long.parseLong(words[1]));
                }
            }
        }
        String output = outputs.toString();
        System.out.println("XbatchAllocationTest (" + vectorBits + " bits, H = " + size + ", packed weights in "
                + packedWeights.name().toLowerCase(java.util.Locale.ROOT) + "s): bytes per call " + bytes);
        assertEquals(Map.of("forward", 0L, "computeGradients", 0L, "trainStep", 0L), bytes,
                "bytes per call after " + WARM_UP_CALLS + " calls under -Xbatch\n" + output);
    }
}
