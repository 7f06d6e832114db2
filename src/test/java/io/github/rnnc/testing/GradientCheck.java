package io.github.rnnc.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a network's analytic gradients (parameters, input, initial state) against central finite differences of the
 * loss returned by {@code computeGradients}. Meant for {@code F64} classes.
 *
 * <p><b>Criterion.</b> With step {@link #H} = 1e-6, an element passes when
 * <pre>  |analytic - numeric| &lt;= 1e-6 * max(|analytic|, |numeric|) + 1e-8 * max(1, |loss|)</pre>
 * i.e. 1e-6 relative, with an absolute floor for gradients near zero. The floor is ~20 times the rounding noise of a
 * central difference in double precision (about {@code eps * |loss| / h} = 2e-10 * |loss|), and the truncation
 * error (h^2 * |f'''| / 6, about 1e-13) is far below both.
 *
 * <p><b>Kinks.</b> relu and hard_sigmoid are not differentiable everywhere. An element is skipped as
 * <em>unstable</em> when the central differences with h and h/2 disagree by more than the tolerance, or when the
 * one-sided differences with h disagree by more than 1e-3 * max(1, |numeric|) (a smooth loss makes them differ by
 * only about h * |f''|, a kink by the jump in slope). Skipped elements are counted; callers bound their number.
 */
public final class GradientCheck {
    public static final double H = 1e-6;
    public static final double RELATIVE = 1e-6;
    public static final double ABSOLUTE_PER_LOSS = 1e-8;
    public static final double ONE_SIDED = 1e-3;

    /** One element whose analytic gradient disagrees with the finite difference. */
    public record Mismatch(String element, double analytic, double numeric) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: analytic %.10g, finite difference %.10g (diff %.3g)", element,
                    analytic, numeric, Math.abs(analytic - numeric));
        }
    }

    /** The outcome: how many elements were compared, skipped as unstable, and the mismatches. */
    public record Report(double loss, int checked, List<String> skipped, List<Mismatch> mismatches) {
        public String summary(int limit) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "loss %.10g; %d elements checked, %d skipped as unstable, %d mismatches", loss, checked,
                    skipped.size(), mismatches.size()));
            for (int i = 0; i < Math.min(limit, mismatches.size()); i++) {
                out.append("\n  ").append(mismatches.get(i));
            }
            if (mismatches.size() > limit) {
                out.append("\n  ...");
            }
            if (!skipped.isEmpty()) {
                out.append("\n  skipped: ").append(skipped.subList(0, Math.min(limit, skipped.size())));
            }
            return out.toString();
        }
    }

    /** The loss at the current parameters, input and initial state. */
    private interface Loss {
        double at(double[] x);
    }

    /** Reads and writes one scalar that the loss depends on. */
    private interface Element {
        double get();

        void set(double value);
    }

    private GradientCheck() {
    }

    /**
     * Checks {@code net} with {@code mse}/{@code binary_cross_entropy} targets; {@code lengths} may be null. The
     * network's parameters and initial state are restored afterwards.
     */
    public static Report check(GeneratedNetwork net, double[] x, double[] targets, int batch, int steps,
            int[] lengths) {
        return run(net, x, batch, steps, in -> net.computeGradients(in, targets, batch, steps, lengths));
    }

    /** Checks {@code net} with {@code cross_entropy} labels. */
    public static Report check(GeneratedNetwork net, double[] x, int[] labels, int batch, int steps, int[] lengths) {
        return run(net, x, batch, steps, in -> net.computeGradients(in, labels, batch, steps, lengths));
    }

    private static Report run(GeneratedNetwork net, double[] x, int batch, int steps, Loss loss) {
        double[] input = x.clone();
        double loss0 = loss.at(input);
        double[] parameterGradients = net.gradients();
        double[] inputGradients = net.inputGradients();
        double[] stateGradients = net.initialStateGradients();
        double floor = ABSOLUTE_PER_LOSS * Math.max(1, Math.abs(loss0));

        List<Mismatch> mismatches = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int checked = 0;

        for (GeneratedNetwork.Param p : net.parameterList()) {
            for (int k = 0; k < p.size(); k++) {
                int index = p.offset() + k;
                String name = p.name() + Tolerance.multiIndex(k, p.shape());
                compare(name, parameterGradients[index], new Element() {
                    public double get() {
                        return net.parameterElement(index);
                    }

                    public void set(double value) {
                        net.setParameterElement(index, value);
                    }
                }, () -> loss.at(input), loss0, floor, mismatches, skipped);
                checked++;
            }
        }
        int inputSize = net.inputSize();
        for (int i = 0; i < batch * steps * inputSize; i++) {
            int index = i;
            compare("x" + Tolerance.multiIndex(i, batch, steps, inputSize), inputGradients[i], new Element() {
                public double get() {
                    return input[index];
                }

                public void set(double value) {
                    input[index] = value;
                }
            }, () -> loss.at(input), loss0, floor, mismatches, skipped);
            checked++;
        }
        int stateSize = net.stateSize();
        for (int b = 0; b < batch; b++) {
            for (GeneratedNetwork.StateSlot slot : net.stateList()) {
                for (int j = 0; j < slot.size(); j++) {
                    int index = b * stateSize + slot.offset() + j;
                    compare("initialState[" + b + "]." + slot.name() + "[" + j + "]", stateGradients[index],
                            new Element() {
                                public double get() {
                                    return net.initialStateElement(index);
                                }

                                public void set(double value) {
                                    net.setInitialStateElement(index, value);
                                }
                            }, () -> loss.at(input), loss0, floor, mismatches, skipped);
                    checked++;
                }
            }
        }
        return new Report(loss0, checked, skipped, mismatches);
    }

    private static void compare(String name, double analytic, Element e, java.util.function.DoubleSupplier loss,
            double loss0, double floor, List<Mismatch> mismatches, List<String> skipped) {
        double original = e.get();
        double plus = evaluate(e, original + H, loss);
        double minus = evaluate(e, original - H, loss);
        double plusHalf = evaluate(e, original + H / 2, loss);
        double minusHalf = evaluate(e, original - H / 2, loss);
        e.set(original);
        // Divide by the steps actually taken (original + h is rounded).
        double numeric = (plus - minus) / ((original + H) - (original - H));
        double numericHalf = (plusHalf - minusHalf) / ((original + H / 2) - (original - H / 2));
        double forward = (plus - loss0) / ((original + H) - original);
        double backward = (loss0 - minus) / (original - (original - H));
        double tolerance = RELATIVE * Math.max(Math.abs(analytic), Math.abs(numeric)) + floor;
        if (!Double.isFinite(numeric) || !Double.isFinite(analytic)) {
            mismatches.add(new Mismatch(name, analytic, numeric));
            return;
        }
        if (Math.abs(numeric - numericHalf) > tolerance
                || Math.abs(forward - backward) > ONE_SIDED * Math.max(1, Math.abs(numeric))) {
            skipped.add(name);
            return;
        }
        if (!(Math.abs(analytic - numeric) <= tolerance)) {
            mismatches.add(new Mismatch(name, analytic, numeric));
        }
    }

    private static double evaluate(Element e, double value, java.util.function.DoubleSupplier loss) {
        e.set(value);
        return loss.getAsDouble();
    }
}
