package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedClasses.Variant;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.PyTorchFixture;
import io.github.rnnc.testing.PyTorchFixture.Tensor;
import io.github.rnnc.testing.Tolerance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated classes (F32: the scalar backend and the vector backend at 256 and 512 bits) reproduce PyTorch on every
 * fixture of {@code fixtures/pytorch}: the forward output within 1e-5, the loss, every parameter gradient and the
 * input gradient within 1e-4, each relative to the tensor's magnitude
 * ({@code |a - b| <= tol * max(1, max|reference|)}).
 *
 * <p>With {@code lengths}, {@code y} at padded steps is not compared (the contract does not say what forward writes
 * there; the fixture holds 0), but the input gradient is compared everywhere: at padded steps it is d loss / d x = 0.
 */
class PyTorchParityTest {
    static final double Y_TOLERANCE = 1e-5;
    static final double GRADIENT_TOLERANCE = 1e-4;

    @TempDir
    static Path directory;

    private static final Map<String, PyTorchFixture> FIXTURES = new LinkedHashMap<>();

    static synchronized PyTorchFixture fixture(String name) {
        return FIXTURES.computeIfAbsent(name, PyTorchFixture::named);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Path file : PyTorchFixture.all()) {
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            for (Variant variant : Variant.available()) {
                cases.add(Arguments.of(name, variant));
            }
        }
        return cases.stream();
    }

    @BeforeAll
    static void compileTogether() {
        List<GeneratedClasses.Spec> specs = new ArrayList<>();
        for (Path file : PyTorchFixture.all()) {
            PyTorchFixture f = PyTorchFixture.load(file);
            FIXTURES.put(f.name(), f);
            specs.add(new GeneratedClasses.Spec(f.name() + ".rnn", f.spec()));
        }
        for (Variant variant : Variant.available()) {
            GeneratedClasses.precompile(directory, specs, variant.options(Precision.F32));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String fixtureName, Variant variant) {
        PyTorchFixture f = fixture(fixtureName);
        check(f, variant, f.batch(), f.steps());
    }

    /**
     * The same with room to spare ({@code maxBatch = batch + 2}, {@code maxSteps = steps + 3}): the arrays are laid
     * out by the {@code batch} and {@code steps} of the call, not by the capacity.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorchWithSpareCapacity(String fixtureName, Variant variant) {
        PyTorchFixture f = fixture(fixtureName);
        check(f, variant, f.batch() + 2, f.steps() + 3);
    }

    private static void check(PyTorchFixture f, Variant variant, int maxBatch, int maxSteps) {
        CompileRequest.Options options = variant.options(Precision.F32);
        GeneratedClasses.Network network = GeneratedClasses.compile(directory, f.name() + ".rnn", f.spec(), options);
        GeneratedNetwork net = network.instantiate(maxBatch, maxSteps);
        String context = "fixture " + f.name() + " (" + variant + ", F32, maxBatch " + maxBatch + ", maxSteps "
                + maxSteps + ")";
        int batch = f.batch();
        int steps = f.steps();

        assertEquals(f.inputSize(), net.inputSize(), context + ": INPUT_SIZE");
        assertEquals(f.outputSize(), net.outputSize(), context + ": OUTPUT_SIZE");
        assertEquals(f.perStep(), net.sequenceOutput(), context + ": per-step output");
        List<String> expectedNames = new ArrayList<>();
        f.parameters().forEach(t -> expectedNames.add(t.name()));
        List<String> names = new ArrayList<>();
        net.parameterList().forEach(p -> names.add(p.name()));
        assertEquals(expectedNames, names, context + ": PARAMETERS names in layout order");
        for (Tensor t : f.parameters()) {
            assertArrayEquals(t.shape(), net.parameterInfo(t.name()).shape(), context + ": shape of " + t.name());
            net.setParameter(t.name(), t.values());
        }

        double[] x = Tolerance.toDouble(f.x());
        int[] lengths = f.lengths();
        int out = f.outputSize();
        IntPredicate realOutput = realRows(f, out);

        double[] y = net.forward(x, batch, steps, lengths);
        Tolerance.assertClose(context, "y", Tolerance.toDouble(f.y()), y, f.y().length, Y_TOLERANCE, realOutput,
                i -> Tolerance.multiIndex(i, f.outputShape()));

        for (int run = 1; run <= 2; run++) {
            String pass = run == 1 ? context : context + ", second computeGradients";
            double loss = f.labels() != null
                    ? net.computeGradients(x, f.labels(), batch, steps, lengths)
                    : net.computeGradients(x, Tolerance.toDouble(f.targets()), batch, steps, lengths);
            Tolerance.assertClose(pass, "loss (" + f.loss() + ")", f.lossValue(), loss, GRADIENT_TOLERANCE);
            for (Tensor g : f.gradients()) {
                Tolerance.assertClose(pass, "gradient of " + g.name(), Tolerance.toDouble(g.values()),
                        net.gradient(g.name()), g.size(), GRADIENT_TOLERANCE, i -> true,
                        i -> Tolerance.multiIndex(i, g.shape()));
            }
            Tolerance.assertClose(pass, "x_grad", Tolerance.toDouble(f.xGrad()), net.inputGradients(),
                    f.xGrad().length, GRADIENT_TOLERANCE, i -> true,
                    i -> Tolerance.multiIndex(i, batch, steps, f.inputSize()));
        }

        // computeGradients leaves forward's results alone: running forward again gives the same y.
        double[] again = net.forward(x, batch, steps, lengths);
        Tolerance.assertClose(context + ", forward after computeGradients", "y", Tolerance.toDouble(f.y()), again,
                f.y().length, Y_TOLERANCE, realOutput, i -> Tolerance.multiIndex(i, f.outputShape()));
    }

    /** Output rows that exist: with lengths, per-step rows at padded steps are skipped. */
    private static IntPredicate realRows(PyTorchFixture f, int out) {
        if (f.lengths() == null || !f.perStep()) {
            return i -> true;
        }
        return i -> {
            int row = i / out;
            return row % f.steps() < f.length(row / f.steps());
        };
    }
}
