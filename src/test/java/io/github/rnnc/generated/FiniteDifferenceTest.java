package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.CompileResult;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.ir.Op;
import io.github.rnnc.passes.DerivativeTable;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.GradientCheck;
import io.github.rnnc.testing.RandomCells;
import io.github.rnnc.testing.Specs;
import io.github.rnnc.testing.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients of generated code against central finite differences, on the {@code F64} + {@code SCALAR} variant: every
 * parameter, input and initial-state gradient (criterion in {@link GradientCheck}). The cells are the contract
 * examples' {@code mgu} and {@code peephole_lstm} at small sizes (also with variable lengths) and
 * {@value #RANDOM_CELLS} random cells from {@link RandomCells}; each network has an {@code mse} head, batch 2,
 * steps 3, and seeded random parameters, inputs, targets and initial state.
 *
 * <p>Also: the {@code F32} + {@code VECTOR} class agrees with the {@code F64} + {@code SCALAR} one on the same data
 * (within 1e-4 times each tensor's magnitude), and a deliberately wrong derivative rule for {@code tanh} makes the
 * check fail.
 */
class FiniteDifferenceTest {
    static final int RANDOM_CELLS = 16;
    static final int BATCH = 2;
    static final int STEPS = 3;
    static final int[] LENGTHS = {3, 2};
    static final double VECTOR_TOLERANCE = 1e-4;
    static final String PACKAGE = "fd";

    static final CompileRequest.Options F64_SCALAR = GeneratedClasses.options(Backend.SCALAR, Precision.F64);
    static final CompileRequest.Options F32_VECTOR = GeneratedClasses.options(Backend.VECTOR, Precision.F32);

    /** A network to check: its spec, and the lengths to run it with (null: full length). */
    record Case(String name, String fileName, String spec, int[] lengths, long seed) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    static Path directory;

    static final Map<String, Case> CASES = cases();

    static Map<String, Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        String mgu = "package " + PACKAGE + ";\n\n" + Specs.cells("mgu") + "\nnetwork MguSmall {\n"
                + "    input x[4];\n"
                + "    mgu(5, return_sequences = true);\n"
                + "    dense(3);\n"
                + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
                + "}\n";
        String peephole = "package " + PACKAGE + ";\n\n" + Specs.cells("peephole") + "\nnetwork PeepholeSmall {\n"
                + "    input x[4];\n"
                + "    bidirectional(peephole_lstm(5, return_sequences = true), merge = sum);\n"
                + "    dense(3);\n"
                + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
                + "}\n";
        add(cases, new Case("mgu", "mgu_small.rnn", mgu, null, 11));
        add(cases, new Case("mgu_lengths", "mgu_small.rnn", mgu, LENGTHS, 12));
        add(cases, new Case("peephole", "peephole_small.rnn", peephole, null, 13));
        add(cases, new Case("peephole_lengths", "peephole_small.rnn", peephole, LENGTHS, 14));
        for (int seed = 0; seed < RANDOM_CELLS; seed++) {
            RandomCells.Cell cell = RandomCells.generate(seed, "rc" + seed);
            add(cases, new Case("random_cell_" + seed, "rc" + seed + ".rnn",
                    RandomCells.spec(cell, PACKAGE, "Rc" + seed), null, 100 + seed));
        }
        return cases;
    }

    private static void add(Map<String, Case> cases, Case c) {
        cases.put(c.name(), c);
    }

    static Stream<Case> allCases() {
        return CASES.values().stream();
    }

    @BeforeAll
    static void compileTogether() {
        List<GeneratedClasses.Spec> specs = new ArrayList<>();
        for (Case c : CASES.values()) {
            if (specs.stream().noneMatch(s -> s.fileName().equals(c.fileName()))) {
                specs.add(new GeneratedClasses.Spec(c.fileName(), c.spec()));
            }
        }
        GeneratedClasses.precompile(directory, specs, F64_SCALAR);
        GeneratedClasses.precompile(directory, specs, F32_VECTOR);
    }

    /** The random specs are valid: the checker accepts each without a single diagnostic. */
    @Test
    void randomCellSpecsPassTheChecker() throws IOException {
        Path checks = Files.createDirectories(directory.resolve("check"));
        int count = 0;
        for (Case c : CASES.values()) {
            if (!c.name().startsWith("random_cell_")) {
                continue;
            }
            Path file = checks.resolve(c.fileName());
            Files.writeString(file, c.spec());
            CompileResult result = GeneratedClasses.check(file);
            assertEquals("", DiagnosticPrinter.render(result.diagnostics()), c.name() + ":\n" + c.spec());
            count++;
        }
        assertTrue(count >= 12, "random cell specs: " + count);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void gradientsMatchFiniteDifferences(Case c) {
        GeneratedNetwork net = instantiate(c, F64_SCALAR);
        assertTrue(net.isDouble(), "F64 class has double[] arrays");
        Data data = data(c, net);
        data.apply(net);
        GradientCheck.Report report = GradientCheck.check(net, data.x, data.targets, BATCH, STEPS, c.lengths());
        String context = c.name() + " (F64, SCALAR):\n" + report.summary(20) + "\n--- spec\n" + c.spec();
        assertTrue(report.mismatches().isEmpty(), context);
        assertTrue(Double.isFinite(report.loss()) && report.loss() > 0, context);
        int expected = net.parameterCount() + BATCH * STEPS * net.inputSize() + BATCH * net.stateSize();
        assertEquals(expected, report.checked(), "elements checked");
        assertTrue(report.skipped().size() <= Math.max(2, report.checked() / 50), "too many unstable: " + context);
        if (c.lengths() != null) {
            // Padded steps cannot influence the loss.
            double[] xGrad = net.inputGradients();
            for (int b = 0; b < BATCH; b++) {
                for (int t = c.lengths()[b]; t < STEPS; t++) {
                    for (int k = 0; k < net.inputSize(); k++) {
                        int i = (b * STEPS + t) * net.inputSize() + k;
                        assertEquals(0.0, xGrad[i], c.name() + ": input gradient at padded x[" + b + "][" + t + "]["
                                + k + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void float32VectorMatchesFloat64Scalar(Case c) {
        GeneratedNetwork reference = instantiate(c, F64_SCALAR);
        GeneratedNetwork vector = instantiate(c, F32_VECTOR);
        assertFalse(vector.isDouble(), "F32 class has float[] arrays");
        assertEquals(reference.parameterList().toString(), vector.parameterList().toString(), "parameter layout");
        assertEquals(reference.stateList(), vector.stateList(), "state layout");
        Data data = data(c, reference);
        data.apply(reference);
        data.apply(vector);
        String context = c.name() + ": F32 VECTOR vs F64 SCALAR";
        int[] lengths = c.lengths();

        double[] yRef = reference.forward(data.x, BATCH, STEPS, lengths);
        double[] y = vector.forward(data.x, BATCH, STEPS, lengths);
        Tolerance.assertClose(context, "y", yRef, y, yRef.length, VECTOR_TOLERANCE, real(c, reference),
                i -> Tolerance.multiIndex(i, BATCH, STEPS, reference.outputSize()));

        double lossRef = reference.computeGradients(data.x, data.targets, BATCH, STEPS, lengths);
        double loss = vector.computeGradients(data.x, data.targets, BATCH, STEPS, lengths);
        Tolerance.assertClose(context, "loss", lossRef, loss, VECTOR_TOLERANCE);
        Tolerance.assertGradientsClose(context, reference, vector, BATCH, STEPS, VECTOR_TOLERANCE);
        int states = BATCH * reference.stateSize();
        Tolerance.assertClose(context, "initialStateGradients", reference.initialStateGradients(),
                vector.initialStateGradients(), states, VECTOR_TOLERANCE, i -> true,
                i -> Tolerance.multiIndex(i, BATCH, reference.stateSize()));
    }

    /** The check is not vacuous: mgu compiled with tanh' = y (instead of 1 - y^2) fails it. */
    @Test
    void wrongTanhDerivativeIsCaught() {
        Case c = CASES.get("mgu");
        DerivativeTable wrong = DerivativeTable.standard().replacing(Op.UnaryKind.TANH, (b, x, y, g) -> b.mul(g, y));
        CompileRequest.Options wrongOptions = new CompileRequest.Options(Backend.SCALAR, Precision.F64, wrong);
        GeneratedClasses.Network wrongNetwork = GeneratedClasses.compile(directory.resolve("wrong"), c.fileName(),
                c.spec(), wrongOptions);

        GeneratedNetwork right = instantiate(c, F64_SCALAR);
        Data data = data(c, right);
        data.apply(right);
        GradientCheck.Report good = GradientCheck.check(right, data.x, data.targets, BATCH, STEPS, null);
        assertTrue(good.mismatches().isEmpty(), "the standard rules pass: " + good.summary(10));

        GeneratedNetwork broken = wrongNetwork.instantiate(BATCH, STEPS);
        data.apply(broken);
        GradientCheck.Report bad = GradientCheck.check(broken, data.x, data.targets, BATCH, STEPS, null);
        assertFalse(bad.mismatches().isEmpty(), "a wrong tanh rule must fail the check: " + bad.summary(10));
        // hc = tanh(W_h @ x + U_h @ (f * h) + b_h): the parameters under the tanh must be among the mismatches.
        assertTrue(bad.mismatches().stream().anyMatch(m -> m.element().startsWith("0.b_h")),
                "b_h gradients should be wrong: " + bad.summary(10));
        assertEquals(good.loss(), bad.loss(), 1e-12, "the forward pass does not depend on derivative rules");
    }

    // ------------------------------------------------------------------ helpers

    private static GeneratedNetwork instantiate(Case c, CompileRequest.Options options) {
        return GeneratedClasses.compile(directory, c.fileName(), c.spec(), options).instantiate(BATCH, STEPS);
    }

    /** Seeded random parameters, input, targets and initial state; the targets cover every output. */
    record Data(double[] parameters, double[] x, double[] targets, double[] initialState) {
        void apply(GeneratedNetwork net) {
            net.setParameters(parameters);
            net.setInitialState(initialState);
        }
    }

    private static Data data(Case c, GeneratedNetwork net) {
        Random random = new Random(c.seed());
        double[] parameters = Specs.uniform(random, net.parameterCount(), 0.5);
        double[] x = Specs.uniform(random, BATCH * STEPS * net.inputSize(), 1.0);
        double[] targets = Specs.uniform(random, net.outputLength(BATCH, STEPS), 1.0);
        double[] state = Specs.uniform(random, BATCH * net.stateSize(), 0.5);
        if (c.lengths() != null && net.sequenceOutput()) {
            // targets at padded steps are irrelevant; make them 0 as the PyTorch fixtures do
            int out = net.outputSize();
            for (int b = 0; b < BATCH; b++) {
                for (int t = c.lengths()[b]; t < STEPS; t++) {
                    java.util.Arrays.fill(targets, (b * STEPS + t) * out, (b * STEPS + t + 1) * out, 0.0);
                }
            }
        }
        return new Data(parameters, x, targets, state);
    }

    /** Rows of y that exist: with lengths, per-step outputs at padded steps are not compared. */
    private static java.util.function.IntPredicate real(Case c, GeneratedNetwork net) {
        if (c.lengths() == null || !net.sequenceOutput()) {
            return i -> true;
        }
        int outputSize = net.outputSize();
        return i -> {
            int row = i / outputSize;
            return row % STEPS < c.lengths()[row / STEPS];
        };
    }
}
