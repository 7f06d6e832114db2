package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.GeneratedSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassFileMethodsTest {
    /** Methods whose bytecode length is known exactly; the constants exercise every wide constant pool entry. */
    @SuppressWarnings("unused")
    static final class Sample {
        static final String TEXT = "text";

        Sample() {
            // aload_0, invokespecial (3), return = 5 bytes
        }

        void empty() {
            // return = 1 byte
        }

        int one() {
            return 1; // iconst_1, ireturn = 2
        }

        static int add(int a, int b) {
            return a + b; // iload_0, iload_1, iadd, ireturn = 4
        }

        long big() {
            return 123_456_789_012L; // ldc2_w (3), lreturn = 4
        }

        double half() {
            return 2.5; // ldc2_w (3), dreturn = 4
        }

        String text(int n) {
            return n > 0 ? "positive" : "other"; // iload_1, ifle (3), ldc (2), goto (3), ldc (2), areturn = 12
        }

        Runnable lambda() {
            return () -> { }; // invokedynamic (5), areturn = 6
        }
    }

    interface WithAbstract {
        void run();
    }

    @Test
    void readsCodeLengthsOfAKnownClass() throws IOException {
        Map<String, Integer> lengths = ClassFileMethods.codeLengths(classBytes(Sample.class));
        assertEquals(5, lengths.get("<init>()V"));
        assertEquals(1, lengths.get("empty()V"));
        assertEquals(2, lengths.get("one()I"));
        assertEquals(4, lengths.get("add(II)I"));
        assertEquals(4, lengths.get("big()J"));
        assertEquals(4, lengths.get("half()D"));
        assertEquals(12, lengths.get("text(I)Ljava/lang/String;"));
        assertEquals(6, lengths.get("lambda()Ljava/lang/Runnable;"));
        assertTrue(lengths.keySet().stream().anyMatch(k -> k.startsWith("lambda$lambda$")), lengths.toString());
        assertEquals(Sample.class.getName(), ClassFileMethods.read(classBytes(Sample.class)).className());
    }

    @Test
    void abstractMethodsHaveNoCode() throws IOException {
        assertEquals(Map.of("run()V", -1), ClassFileMethods.codeLengths(classBytes(WithAbstract.class)));
    }

    /** {@code x += 1} on an int local is {@code iinc} (3 bytes): {@code 4 + 3n} bytes for n of them. */
    @Test
    void measuresLargeMethodsCompiledInMemory() {
        int n = 3000;
        StringBuilder body = new StringBuilder("package big;\n\npublic final class Big {\n    static int f() {\n"
                + "        int x = 0;\n");
        for (int i = 0; i < n; i++) {
            body.append("        x += 1;\n");
        }
        body.append("        return x;\n    }\n\n    static int g() {\n        return 0;\n    }\n}\n");
        InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(
                List.of(new GeneratedSource("big", "Big", body.toString())));
        ClassFileMethods.ClassMethods methods = ClassFileMethods.read(compiled.classFile("big.Big"));
        assertEquals("big.Big", methods.className());
        assertEquals(4 + 3 * n, methods.codeLengths().get("f()I"));
        assertEquals(2, methods.codeLengths().get("g()I"));
        assertEquals("f()I", methods.largest().orElseThrow().key());
        assertTrue(methods.largest().orElseThrow().codeLength() >= 8000, "over HotSpot's huge-method limit");
    }

    @Test
    void rejectsWhatIsNotAClassFile() {
        assertThrows(IllegalArgumentException.class, () -> ClassFileMethods.read(new byte[] {1, 2, 3, 4, 5, 6}));
        assertThrows(IllegalArgumentException.class, () -> ClassFileMethods.read(new byte[] {(byte) 0xCA,
            (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0}));
    }

    private static byte[] classBytes(Class<?> type) throws IOException {
        String resource = type.getName().substring(type.getPackageName().length() + 1) + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }
}
