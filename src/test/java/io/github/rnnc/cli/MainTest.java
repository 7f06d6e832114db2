package io.github.rnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract: exit 0 ok, 1 diagnostics, 2 bad usage; diagnostics on stderr. */
class MainTest {
    @TempDir
    Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkOfAValidSpecExitsZeroAndPrintsNothing() {
        assertEquals(0, run("check", "src/test/resources/examples/mgu.rnn", "src/test/resources/examples/forecast.rnn"));
        assertEquals("", err());
    }

    @Test
    void checkOfABadSpecPrintsEveryErrorAndExitsOne() throws IOException {
        Path spec = directory.resolve("bad.rnn");
        Files.writeString(spec, "network N {\n    input x[4];\n    lstn(8);\n    gru(-3);\n}\n");
        assertEquals(1, run("check", spec.toString()));
        assertTrue(err().contains(spec + ":3:5: error[RNN0103]: unknown layer 'lstn'; did you mean 'lstm'?\n"), err());
        assertTrue(err().contains(spec + ":4:9: error[RNN0404]"), err());
        assertTrue(err().endsWith("2 errors\n"), err());
    }

    @Test
    void missingFileIsADiagnosticNamingTheFile() {
        assertEquals(1, run("check", "no/such/file.rnn"));
        assertTrue(err().startsWith("no/such/file.rnn: error[RNN0001]: file does not exist\n"), err());
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("check"));
        assertEquals(2, run("check", "--nope", "a.rnn"));
        assertEquals(2, run("compile", "src/test/resources/examples/mgu.rnn"));
        assertEquals(2, run("compile", "src/test/resources/examples/mgu.rnn", "-d"));
        assertTrue(err().contains("compile needs an output directory: -d DIR"), err());
    }

    @Test
    void runCompilesLoadsAndTrainsTheNetwork() {
        assertEquals(0, run("run", "src/test/resources/examples/forecast.rnn", "--backend", "scalar", "--steps", "5"));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Forecast: 8 inputs, 1 outputs"), printed);
        assertTrue(printed.contains("training step 30: loss"), printed);
        assertTrue(printed.contains("forward: "), printed);
        assertEquals(2, run("run", "src/test/resources/examples/forecast.rnn", "--steps", "0"));
        assertEquals(2, run("run", "src/test/resources/examples/forecast.rnn", "--precision", "f64"));
    }

    @Test
    void packedWeightsInSegmentsAreAVectorBackendOption() throws IOException {
        String spec = "src/test/resources/examples/mgu.rnn";
        Path output = directory.resolve("segment");
        assertEquals(0, run("compile", spec, "-d", output.toString(), "--packed-weights", "segment"));
        String code = Files.readString(generated(output));
        assertTrue(code.contains("import java.lang.foreign.MemorySegment;"), code);
        assertTrue(code.contains("JDK 22 or later"), "the class says what it needs");
        assertEquals(2, run("compile", spec, "-d", output.toString(), "--packed-weights", "heap"));
        assertTrue(err().contains("rnnc: --packed-weights takes array or segment, not 'heap'"), err());
        assertEquals(2, run("compile", spec, "-d", output.toString(), "--packed-weights"));
        assertEquals(2, run("compile", spec, "-d", output.toString(), "--packed-weights", "segment", "--backend",
                "scalar"));
        assertTrue(err().contains("--packed-weights segment is for the vector backend, not --backend scalar"), err());
        assertEquals(2, run("run", spec, "--packed-weights", "segment"));
        Path arrays = directory.resolve("array");
        assertEquals(0, run("compile", spec, "-d", arrays.toString(), "--packed-weights", "array"));
        assertTrue(!Files.readString(generated(arrays)).contains("MemorySegment"));
    }

    private static Path generated(Path output) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(output)) {
            return files.filter(f -> f.getFileName().toString().equals("MguTagger.java")).findFirst().orElseThrow();
        }
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: rnnc check FILE..."));
        assertEquals(0, run("--version"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rnnc "));
    }
}
