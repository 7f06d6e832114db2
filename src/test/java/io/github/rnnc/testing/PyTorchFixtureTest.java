package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.testing.PyTorchFixture.Tensor;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every PyTorch fixture loads and is internally consistent; the JSON reader is strict. */
class PyTorchFixtureTest {

    private static final Pattern RECURRENT =
            Pattern.compile("\\d+\\.(weight_ih|weight_hh|bias_ih|bias_hh)_l0(_reverse)?");
    private static final Pattern DENSE = Pattern.compile("\\d+\\.(weight|bias)");

    static List<Path> fixtures() {
        return PyTorchFixture.all();
    }

    @Test
    void thereAreFixtures() {
        List<Path> all = PyTorchFixture.all();
        assertTrue(all.size() >= 20, "only " + all.size() + " fixtures in " + PyTorchFixture.directory());
        Set<String> losses = new HashSet<>();
        boolean variable = false, bidirectional = false;
        for (Path p : all) {
            PyTorchFixture f = PyTorchFixture.load(p);
            losses.add(f.loss());
            variable |= f.lengths() != null;
            bidirectional |= f.spec().contains("bidirectional(");
        }
        assertEquals(Set.of("cross_entropy", "mse", "binary_cross_entropy"), losses);
        assertTrue(variable && bidirectional);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void consistent(Path file) {
        PyTorchFixture f = PyTorchFixture.load(file);
        assertEquals(file.getFileName().toString(), f.name() + ".json");
        assertTrue(f.spec().contains("network ") && f.spec().contains("input x[" + f.inputSize() + "];"), f.spec());
        assertTrue(f.spec().contains("loss = " + f.loss() + ";"), f.spec());
        assertTrue(f.batch() >= 1 && f.steps() >= 1 && f.inputSize() >= 1);
        assertEquals(f.batch() * f.steps() * f.inputSize(), f.x().length);
        assertEquals(f.x().length, f.xGrad().length);

        int[] shape = f.outputShape();
        assertTrue(shape.length == 2 || shape.length == 3);
        assertEquals(f.batch(), shape[0]);
        if (f.perStep()) assertEquals(f.steps(), shape[1]);
        assertEquals(product(shape), f.y().length);
        int out = f.outputSize();
        int rows = f.y().length / out;

        if (f.lengths() != null) {
            assertEquals(f.batch(), f.lengths().length);
            for (int n : f.lengths()) assertTrue(n >= 1 && n <= f.steps());
        }

        // parameters and gradients: same names, order and shapes
        assertEquals(f.parameters().size(), f.gradients().size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < f.parameters().size(); i++) {
            Tensor p = f.parameters().get(i), g = f.gradients().get(i);
            assertTrue(names.add(p.name()), "duplicate " + p.name());
            assertTrue(RECURRENT.matcher(p.name()).matches() || DENSE.matcher(p.name()).matches(), p.name());
            assertEquals(p.name(), g.name());
            assertArrayEquals(p.shape(), g.shape(), p.name());
            assertEquals(p.size(), p.values().length, p.name());
            assertEquals(g.size(), g.values().length, g.name());
            assertFinite(p.values(), p.name());
            assertFinite(g.values(), "grad " + g.name());
            if (p.name().contains("weight_hh")) {
                int gates = p.shape()[0] / p.shape()[1];
                assertTrue(p.shape()[0] % p.shape()[1] == 0 && (gates == 1 || gates == 3 || gates == 4), p.name());
            }
        }
        Tensor head = f.parameters().get(f.parameters().size() - 1);
        assertTrue(head.name().endsWith(".bias") && head.shape()[0] == out, "last parameter is the head bias");
        assertTrue(f.parameters().stream().anyMatch(t -> t.name().contains("weight_ih")), "has a recurrent layer");
        assertFinite(f.x(), "x");
        assertFinite(f.y(), "y");
        assertFinite(f.xGrad(), "x_grad");

        // padded steps: outputs, labels, targets and input gradients are 0 there
        boolean[] real = new boolean[rows];
        int realRows = 0;
        for (int r = 0; r < rows; r++) {
            real[r] = !f.perStep() || (r % f.steps()) < f.length(r / f.steps());
            if (real[r]) realRows++;
        }
        for (int b = 0; b < f.batch(); b++) {
            for (int t = f.length(b); t < f.steps(); t++) {
                for (int k = 0; k < f.inputSize(); k++) {
                    assertEquals(0f, f.xGrad()[(b * f.steps() + t) * f.inputSize() + k], "x_grad at padding");
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            if (real[r]) continue;
            for (int k = 0; k < out; k++) {
                assertEquals(0f, f.y()[r * out + k], "y at padding");
                if (f.logits() != null) assertEquals(0f, f.logits()[r * out + k], "logits at padding");
                if (f.targets() != null) assertEquals(0f, f.targets()[r * out + k], "targets at padding");
            }
            if (f.labels() != null) assertEquals(0, f.labels()[r], "label at padding");
        }

        // recompute the loss from y / logits and the labels or targets
        double sum = 0;
        switch (f.loss()) {
            case "cross_entropy" -> {
                assertNotNull(f.labels());
                assertNotNull(f.logits());
                assertNull(f.targets());
                assertTrue(f.spec().contains("activation = softmax"));
                assertEquals(rows, f.labels().length);
                assertEquals(f.y().length, f.logits().length);
                assertFinite(f.logits(), "logits");
                for (int r = 0; r < rows; r++) {
                    int label = f.labels()[r];
                    assertTrue(label >= 0 && label < out, "label " + label);
                    if (!real[r]) continue;
                    double max = Double.NEGATIVE_INFINITY, z = 0, ySum = 0;
                    for (int k = 0; k < out; k++) max = Math.max(max, f.logits()[r * out + k]);
                    for (int k = 0; k < out; k++) z += Math.exp(f.logits()[r * out + k] - max);
                    for (int k = 0; k < out; k++) {
                        double p = Math.exp(f.logits()[r * out + k] - max) / z;
                        assertEquals(p, f.y()[r * out + k], 1e-6, "softmax(logits)");
                        ySum += f.y()[r * out + k];
                    }
                    assertEquals(1.0, ySum, 1e-5);
                    sum += Math.log(z) + max - f.logits()[r * out + label];
                }
                sum /= realRows;
            }
            case "mse", "binary_cross_entropy" -> {
                assertNotNull(f.targets());
                assertNull(f.labels());
                assertEquals(f.y().length, f.targets().length);
                assertFinite(f.targets(), "targets");
                boolean bce = f.loss().equals("binary_cross_entropy");
                if (bce) assertTrue(f.spec().contains("activation = sigmoid"));
                else assertNull(f.logits());
                for (int r = 0; r < rows; r++) {
                    if (!real[r]) continue;
                    for (int k = 0; k < out; k++) {
                        double y = f.y()[r * out + k], t = f.targets()[r * out + k];
                        if (bce) {
                            assertTrue(y > 0 && y < 1 && t >= 0 && t <= 1);
                            sum -= t * Math.log(y) + (1 - t) * Math.log(1 - y);
                        } else {
                            sum += (y - t) * (y - t);
                        }
                    }
                }
                sum /= (double) realRows * out;
            }
            default -> throw new AssertionError("unknown loss " + f.loss());
        }
        assertEquals(sum, f.lossValue(), 1e-5 * Math.max(1, Math.abs(sum)), "loss_value");
    }

    @Test
    void namedLoadsTheSameFile() {
        Path first = PyTorchFixture.all().get(0);
        PyTorchFixture f = PyTorchFixture.load(first);
        PyTorchFixture g = PyTorchFixture.named(f.name());
        assertArrayEquals(f.y(), g.y());
        assertEquals(f.parameters().get(0).name(), f.parameter(f.parameters().get(0).name()).name());
        assertArrayEquals(f.gradients().get(0).values(), f.gradient(f.parameters().get(0).name()).values());
    }

    @Test
    void parsesStrictJson() {
        Object v = PyTorchFixture.parseJson(
                " {\"a\": [1, -0.5e-3, 2E+2, true, false, null], \"b\": \"q\\\"\\\\\\/\\n\\u00e9\", \"c\": {}, \"d\": []} ");
        assertTrue(v instanceof Map<?, ?>);
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(m.keySet()));
        List<?> a = (List<?>) m.get("a");
        assertEquals(new PyTorchFixture.Num("-0.5e-3"), a.get(1));
        assertEquals(Boolean.TRUE, a.get(3));
        assertNull(a.get(5));
        assertEquals("q\"\\/\n\u00e9", m.get("b"));
        assertEquals(Map.of(), m.get("c"));
        assertEquals(List.of(), m.get("d"));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : List.of("", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "{\"a\":1 \"b\":2}",
                "{\"a\":1,\"a\":2}", "[\"x]", "[\"\\x\"]", "[\"a\nb\"]", "tru", "[NaN]", "[Infinity]", "{a:1}", "[1] 2",
                "['a']", "[1}", "{\"a\" 1}")) {
            assertThrows(IllegalArgumentException.class, () -> PyTorchFixture.parseJson(bad), bad);
        }
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private static void assertFinite(float[] values, String what) {
        for (float v : values) assertTrue(Float.isFinite(v), what + " has " + v);
    }
}
