package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.ClassFileMethods;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedClasses.Variant;
import io.github.rnnc.testing.Specs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method of every class generated for the six non-ConvLSTM contract examples, at their real sizes, on both
 * backends and at both vector widths, has less than {@value #LIMIT} bytes of bytecode: HotSpot does not JIT-compile
 * larger methods ({@code -XX:+DontCompileHugeMethods}), so one such method would run interpreted forever. The
 * largest method of each class is printed.
 *
 * <p>And no method of the vector classes (float and double) takes or returns a Vector API value: a vector passed
 * through a call C2 does not inline is boxed, 64 bytes per vector, and whether C2 inlines a small method depends on
 * what it compiled before, so such a helper allocates in some runs and not in others.
 */
class MethodSizeTest {
    static final int LIMIT = 8000;
    static final String[] EXAMPLES = {"char_lstm", "forecast", "mgu", "mnist_rows", "peephole", "sentiment"};

    @TempDir
    static Path directory;

    /**
     * One javac run per variant (backend and vector width), and one for double vectors, for all six examples (copies
     * of the files; the cache is keyed by the text).
     */
    @BeforeAll
    static void compileTogether() {
        List<GeneratedClasses.Spec> specs = new ArrayList<>();
        for (String example : EXAMPLES) {
            specs.add(new GeneratedClasses.Spec(example + ".rnn", Specs.exampleText(example)));
        }
        for (Variant variant : Variant.available()) {
            GeneratedClasses.precompile(directory, specs, variant.options(Precision.F32));
        }
        GeneratedClasses.precompile(directory, specs, GeneratedClasses.options(Backend.VECTOR, Precision.F64));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String example : EXAMPLES) {
            for (Variant variant : Variant.available()) {
                cases.add(Arguments.of(example, variant));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyMethodIsJitCompilable(String example, Variant variant) {
        GeneratedClasses.Network network = GeneratedClasses.compile(Specs.example(example),
                variant.options(Precision.F32));
        Map<String, byte[]> classFiles = network.classFiles();
        assertFalse(classFiles.isEmpty(), "no class files");
        List<String> tooBig = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : classFiles.entrySet()) {
            ClassFileMethods.ClassMethods methods = ClassFileMethods.read(entry.getValue());
            assertEquals(entry.getKey(), methods.className(), "class file name");
            methods.largest().ifPresent(m -> System.out.printf("[MethodSizeTest] %s %s: largest method of %s is %s"
                    + " with %d bytes of bytecode (%d methods)%n", example, variant, entry.getKey(), m.key(),
                    m.codeLength(), methods.methods().size()));
            for (ClassFileMethods.Method m : methods.methods()) {
                if (m.codeLength() >= LIMIT) {
                    tooBig.add(entry.getKey() + "." + m.key() + ": " + m.codeLength() + " bytes");
                }
            }
        }
        assertEquals(List.of(), tooBig, example + " (" + variant + "): methods of " + LIMIT
                + " bytes of bytecode or more are never JIT-compiled");
    }

    static Stream<Arguments> vectorCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String example : EXAMPLES) {
            for (Precision precision : Precision.values()) {
                cases.add(Arguments.of(example, precision));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("vectorCases")
    void noVectorCrossesACall(String example, Precision precision) {
        GeneratedClasses.Network network = GeneratedClasses.compile(Specs.example(example),
                GeneratedClasses.options(Backend.VECTOR, precision));
        List<String> crossing = new ArrayList<>();
        boolean usesVectorApi = false;
        for (Map.Entry<String, byte[]> entry : network.classFiles().entrySet()) {
            for (ClassFileMethods.Method m : ClassFileMethods.read(entry.getValue()).methods()) {
                if (m.descriptor().contains("Ljdk/incubator/vector/")) {
                    crossing.add(entry.getKey() + "." + m.key());
                }
            }
            // the class's constant pool names the Vector API when its code uses it
            usesVectorApi |= new String(entry.getValue(), StandardCharsets.ISO_8859_1)
                    .contains("jdk/incubator/vector/");
        }
        assertTrue(usesVectorApi, example + ": the vector backend's classes do not use the Vector API");
        assertEquals(List.of(), crossing, example + " (" + precision + "): methods with a Vector API parameter or"
                + " result");
    }
}
