package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.rnnc.GeneratedSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * The harness, tested on a hand-written class that follows the generated-class contract ({@link ReferenceNetwork}):
 * the reflective wrapper, the gradient check (passes on right gradients, fails on a wrong tanh rule), the allocation
 * measurement and the tolerance reports. These run today, without code generation.
 */
class HarnessSelfTest {
    static final int MAX_BATCH = 3;
    static final int MAX_STEPS = 4;

    private static Class<?> reference(boolean f64, boolean wrong) {
        return InMemoryJavaCompiler.compile(List.of(ReferenceNetwork.source(f64, wrong)))
                .load(ReferenceNetwork.PACKAGE + "." + ReferenceNetwork.CLASS_NAME);
    }

    @Test
    void wrapperReadsTheContractAndConvertsArrays() {
        for (boolean f64 : new boolean[] {false, true}) {
            GeneratedNetwork net = GeneratedNetwork.create(reference(f64, false), MAX_BATCH, MAX_STEPS, true);
            assertEquals(f64, net.isDouble());
            assertEquals(2, net.inputSize());
            assertEquals(2, net.outputSize());
            assertEquals(29, net.parameterCount());
            assertEquals(3, net.stateSize());
            assertEquals("[0.weight_ih_l0[3, 2]@0, 0.weight_hh_l0[3, 3]@6, 0.bias_ih_l0[3]@15, 0.bias_hh_l0[3]@18,"
                    + " 1.weight[2, 3]@21, 1.bias[2]@27]", net.parameterList().toString());
            assertEquals(List.of(new GeneratedNetwork.StateSlot("0.h", 0, 3)), net.stateList());
            assertTrue(net.acceptsTargets());
            assertFalse(net.acceptsLabels());
            assertSame(net.handles(), GeneratedNetwork.handles(net.type()), "handles are looked up once per class");

            net.initialize(1);
            double[] p = net.parameters();
            net.initialize(1);
            assertArrayEquals(p, net.parameters());
            net.setParameter("1.bias", new float[] {0.25f, -0.5f});
            assertArrayEquals(new double[] {0.25, -0.5}, net.parameter("1.bias"));
            assertEquals(0.25, net.parameterElement(27));
            net.setParameterElement(27, 0.75);
            assertEquals(0.75, net.parameter("1.bias")[0]);
            assertThrows(AssertionError.class, () -> net.setParameter("1.bias", new double[3]), "wrong size");
            assertThrows(AssertionError.class, () -> net.parameter("nope"), "unknown name");

            int batch = 2;
            int steps = 3;
            double[] x = Specs.uniform(new Random(3), batch * steps * 2, 1.0);
            double[] y = net.forward(x, batch, steps, null);
            assertEquals(net.outputLength(batch, steps), y.length);
            double[] state = new double[MAX_BATCH * 3];
            state[3] = 0.5; // sequence 1, h[0]
            net.setInitialState(state);
            assertEquals(0.5, net.initialStateElement(3));
            double[] y2 = net.forward(x, batch, steps, null);
            assertArrayEquals(Arrays.copyOf(y, 6), Arrays.copyOf(y2, 6), "sequence 0 is unaffected");
            assertNotEquals(y[6], y2[6], "the initial state is used");

            double[] targets = Specs.uniform(new Random(4), y.length, 1.0);
            double loss = net.computeGradients(x, targets, batch, steps, new int[] {3, 2});
            assertTrue(loss > 0);
            assertEquals(29, net.gradients().length);
            assertEquals(MAX_BATCH * MAX_STEPS * 2, net.inputGradients().length);
            assertEquals(MAX_BATCH * 3, net.initialStateGradients().length);
            assertEquals(6, net.gradient("1.weight").length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(x, MAX_BATCH + 1, steps, null), "exceptions pass through unwrapped");
            assertTrue(e.getMessage().contains("batch"));
            assertThrows(AssertionError.class, () -> net.computeGradients(x, new int[6], batch, steps, null),
                    "no labels overload");
        }
    }

    @Test
    void float32AndFloat64AgreeThroughTheWrapper() {
        GeneratedNetwork f32 = GeneratedNetwork.create(reference(false, false), MAX_BATCH, MAX_STEPS, true);
        GeneratedNetwork f64 = GeneratedNetwork.create(reference(true, false), MAX_BATCH, MAX_STEPS, true);
        double[] p = Specs.uniform(new Random(5), 29, 0.5);
        f32.setParameters(p);
        f64.setParameters(p);
        double[] x = Specs.uniform(new Random(6), 3 * 4 * 2, 1.0);
        double[] targets = Specs.uniform(new Random(7), 3 * 4 * 2, 1.0);
        Tolerance.assertClose("f32 vs f64", "y", f64.forward(x, 3, 4, null), f32.forward(x, 3, 4, null), 1e-5);
        Tolerance.assertClose("f32 vs f64", "loss", f64.computeGradients(x, targets, 3, 4, null),
                f32.computeGradients(x, targets, 3, 4, null), 1e-5);
        Tolerance.assertClose("f32 vs f64", "gradients", f64.gradients(), f32.gradients(), 1e-5);
    }

    @Test
    void gradientCheckPassesOnRightGradients() {
        GeneratedNetwork net = GeneratedNetwork.create(reference(true, false), MAX_BATCH, MAX_STEPS, true);
        for (int[] lengths : Arrays.asList(null, new int[] {3, 1})) {
            Random random = new Random(8);
            net.setParameters(Specs.uniform(random, 29, 0.8));
            net.setInitialState(Specs.uniform(random, MAX_BATCH * 3, 0.5));
            double[] x = Specs.uniform(random, 2 * 3 * 2, 1.0);
            double[] targets = Specs.uniform(random, 2 * 3 * 2, 1.0);
            GradientCheck.Report report = GradientCheck.check(net, x, targets, 2, 3, lengths);
            assertTrue(report.mismatches().isEmpty(), report.summary(10));
            assertEquals(29 + 2 * 3 * 2 + 2 * 3, report.checked());
            assertTrue(report.skipped().isEmpty(), report.summary(10));
        }
    }

    @Test
    void gradientCheckCatchesAWrongTanhRule() {
        GeneratedNetwork net = GeneratedNetwork.create(reference(true, true), MAX_BATCH, MAX_STEPS, true);
        Random random = new Random(8);
        net.setParameters(Specs.uniform(random, 29, 0.8));
        double[] x = Specs.uniform(random, 2 * 3 * 2, 1.0);
        double[] targets = Specs.uniform(random, 2 * 3 * 2, 1.0);
        GradientCheck.Report report = GradientCheck.check(net, x, targets, 2, 3, null);
        assertFalse(report.mismatches().isEmpty(), report.summary(10));
        assertTrue(report.mismatches().stream().anyMatch(m -> m.element().startsWith("0.bias_ih_l0")),
                report.summary(10));
        // the head's gradients do not go through tanh' and stay right
        assertTrue(report.mismatches().stream().noneMatch(m -> m.element().startsWith("1.")), report.summary(10));
    }

    @Test
    void allocationDriverReadsZeroForANonAllocatingNetwork() {
        com.sun.management.ThreadMXBean bean = AllocationDriver.threadBean();
        assumeTrue(bean != null, "this JVM cannot count allocated bytes per thread");
        List<GeneratedSource> sources = new ArrayList<>();
        sources.add(ReferenceNetwork.source(false, false));
        sources.add(AllocationDriver.source(ReferenceNetwork.PACKAGE, ReferenceNetwork.CLASS_NAME, false, false,
                true));
        InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(sources);
        List<String> readings = new ArrayList<>();
        for (int mode : new int[] {AllocationDriver.FORWARD, AllocationDriver.FORWARD_LENGTHS,
            AllocationDriver.GRADIENTS, AllocationDriver.GRADIENTS_LENGTHS}) {
            IntConsumer driver = AllocationDriver.create(compiled, ReferenceNetwork.PACKAGE, mode, 2, 3);
            long bytes = -1;
            for (int round = 0; round < 6 && bytes != 0; round++) {
                driver.accept(2000);
                bytes = AllocationDriver.allocatedBytes(bean, driver, 100);
            }
            readings.add("mode " + mode + ": " + bytes);
            assertEquals(0, bytes, "mode " + mode);
        }
        IntConsumer allocating = AllocationDriver.create(compiled, ReferenceNetwork.PACKAGE,
                AllocationDriver.CONTROL_ALLOCATES, 2, 3);
        allocating.accept(2000);
        assertTrue(AllocationDriver.allocatedBytes(bean, allocating, 100) >= 6400, readings.toString());
    }

    @Test
    void toleranceReportsNameTensorIndexExpectedAndActual() {
        double[] expected = {1, 2, 3, 4, 5, 6};
        double[] actual = {1, 2, 3.5, 4, 5, 7};
        AssertionError e = assertThrows(AssertionError.class, () -> Tolerance.assertClose("fixture f", "w", expected,
                actual, 6, 1e-3, i -> true, i -> Tolerance.multiIndex(i, 2, 3)));
        String m = e.getMessage();
        assertTrue(m.startsWith("fixture f: w[2] [0][2]: expected 3.00000000, actual 3.50000000"), m);
        assertTrue(m.contains("2 of 6 elements differ, the worst at [5] [1][2]: expected 6.00000000, actual"
                + " 7.00000000"), m);
        // within 1e-3 * max(1, 6) = 0.006
        Tolerance.assertClose("ok", "w", expected, new double[] {1, 2, 3, 4, 5, 6.005}, 6, 1e-3, i -> true, null);
        // excluded elements are ignored, NaN always fails
        Tolerance.assertClose("ok", "w", expected, new double[] {1, 2, 99, 4, 5, 6}, 6, 1e-3, i -> i != 2, null);
        assertThrows(AssertionError.class, () -> Tolerance.assertClose("nan", "w", expected,
                new double[] {1, 2, Double.NaN, 4, 5, 6}, 1e-3));
        assertEquals("[1][0][2]", Tolerance.multiIndex(14, 3, 4, 3));
    }
}
