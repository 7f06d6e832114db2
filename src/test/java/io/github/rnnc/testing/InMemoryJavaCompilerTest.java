package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.GeneratedSource;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class InMemoryJavaCompilerTest {
    @Test
    void compilesLoadsAndRunsSeveralSources() throws Exception {
        GeneratedSource net = new GeneratedSource("a.b", "Net", """
                package a.b;

                public final class Net {
                    public record Parameter(String name, int offset, int[] shape) {
                    }

                    public static final java.util.List<Parameter> PARAMETERS =
                            java.util.List.of(new Parameter("0.w", 0, new int[] {2}));

                    public static int twice(int v) {
                        return Helper.add(v, v);
                    }
                }
                """);
        GeneratedSource helper = new GeneratedSource("a.b", "Helper", """
                package a.b;

                final class Helper {
                    static int add(int x, int y) {
                        return x + y;
                    }
                }
                """);
        InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(List.of(net, helper));
        assertEquals(Set.of("a.b.Net", "a.b.Net$Parameter", "a.b.Helper"), compiled.classFiles().keySet());
        Class<?> type = compiled.load("a.b.Net");
        assertEquals(42, type.getMethod("twice", int.class).invoke(null, 21));
        assertSame(InMemoryJavaCompiler.class.getClassLoader(), type.getClassLoader().getParent(),
                "the parent is the test class loader");
        assertSame(type, compiled.load("a.b.Net"), "loaded once");
        assertSame(type, compiled.loadAll(List.of(net, helper)).get("a.b.Net"));
        byte[] bytes = compiled.classFile("a.b.Net");
        assertEquals(0xCAFEBABE, ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8)
                | (bytes[3] & 0xff));
        int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        assertEquals(61, major, "--release 17 writes Java 17 class files");

        // A second compilation gets its own loader, so the same names do not clash.
        Class<?> again = InMemoryJavaCompiler.compile(List.of(net, helper)).load("a.b.Net");
        assertNotSame(type, again);
    }

    @Test
    void vectorApiCompilesAndRuns() throws Exception {
        GeneratedSource source = new GeneratedSource("v", "Sum", """
                package v;

                import jdk.incubator.vector.FloatVector;
                import jdk.incubator.vector.VectorOperators;
                import jdk.incubator.vector.VectorSpecies;

                public final class Sum {
                    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

                    public static float sum(float[] a) {
                        int i = 0;
                        float total = 0;
                        for (; i < S.loopBound(a.length); i += S.length()) {
                            total += FloatVector.fromArray(S, a, i).reduceLanes(VectorOperators.ADD);
                        }
                        for (; i < a.length; i++) {
                            total += a[i];
                        }
                        return total;
                    }
                }
                """);
        Class<?> type = InMemoryJavaCompiler.compile(List.of(source)).load("v.Sum");
        float[] values = new float[37];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        assertEquals(666f, (float) type.getMethod("sum", float[].class).invoke(null, (Object) values));
    }

    @Test
    void compileErrorsShowDiagnosticsAndNumberedSource() {
        GeneratedSource broken = new GeneratedSource("p", "Broken", """
                package p;

                public final class Broken {
                    int f() {
                        return undefinedName;
                    }
                }
                """);
        AssertionError e = assertThrows(AssertionError.class, () -> InMemoryJavaCompiler.compile(List.of(broken)));
        String message = e.getMessage();
        assertTrue(message.contains("p/Broken.java:5:"), message);
        assertTrue(message.contains("cannot find symbol"), message);
        assertTrue(message.contains(">5|         return undefinedName;"), message);
        assertTrue(message.contains(" 1| package p;"), message);
    }

    @Test
    void classPathIsEmptyAndReleaseIs17() {
        // Generated code must not depend on rnnc or test classes ...
        GeneratedSource usesTestClass = new GeneratedSource("p", "UsesTest", """
                package p;

                public final class UsesTest {
                    Object f() {
                        return io.github.rnnc.testing.Golden.class;
                    }
                }
                """);
        AssertionError e = assertThrows(AssertionError.class,
                () -> InMemoryJavaCompiler.compile(List.of(usesTestClass)));
        assertTrue(e.getMessage().contains("io.github.rnnc.testing"), e.getMessage());
        // ... nor on APIs after Java 17 (List.reversed() is Java 21), whichever JDK runs the tests.
        GeneratedSource java21 = new GeneratedSource("p", "Java21", """
                package p;

                public final class Java21 {
                    Object f() {
                        return java.util.List.of(1, 2).reversed();
                    }
                }
                """);
        AssertionError e21 = assertThrows(AssertionError.class, () -> InMemoryJavaCompiler.compile(List.of(java21)));
        assertTrue(e21.getMessage().contains("reversed"), e21.getMessage());
    }

    @Test
    void longSourcesShowWindowsAroundErrors() {
        StringBuilder code = new StringBuilder("package p;\n\npublic final class Long {\n");
        for (int i = 0; i < InMemoryJavaCompiler.FULL_LISTING_LINES + 100; i++) {
            code.append(i == 2000 ? "    int broken = ;\n" : "    int f" + i + ";\n");
        }
        code.append("}\n");
        AssertionError e = assertThrows(AssertionError.class,
                () -> InMemoryJavaCompiler.compile(List.of(new GeneratedSource("p", "Long", code.toString()))));
        String message = e.getMessage();
        assertTrue(message.contains(">2004|     int broken = ;"), message.substring(0, Math.min(2000,
                message.length())));
        assertTrue(message.contains("... (lines 1-1988 not shown)\n"), "elided lines are marked");
        assertTrue(message.contains("... (lines 2020-4105 not shown)\n"), "elided lines are marked");
        assertTrue(message.length() < 10_000, "only a window is shown: " + message.length() + " chars");
    }

    @Test
    void numbersLinesAndMarksErrors() {
        String listing = InMemoryJavaCompiler.numbered("a\nb\nc", new TreeSet<>(List.of(2L)));
        assertEquals(" 1| a\n>2| b\n 3| c\n", listing);
    }

    @Test
    void emptyInputIsAnError() {
        assertThrows(AssertionError.class, () -> InMemoryJavaCompiler.compile(List.of()));
    }
}
