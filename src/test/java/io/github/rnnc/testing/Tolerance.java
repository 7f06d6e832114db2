package io.github.rnnc.testing;

import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Tensor comparison with a per-tensor tolerance: element {@code i} passes when
 * {@code |actual[i] - expected[i]| <= relative * max(1, max_j |expected[j]|)} (over the compared elements), i.e. a
 * tolerance relative to the tensor's magnitude, never tighter than {@code relative} in absolute terms. NaN never
 * passes. Failures name the context, the tensor, the first failing index (also as a multi-index when a describer is
 * given), expected and actual, the worst element and how many failed.
 */
public final class Tolerance {
    private Tolerance() {
    }

    /** Asserts {@code actual[0..n)} matches {@code expected[0..n)}, over the indices {@code include} accepts. */
    public static void assertClose(String context, String tensor, double[] expected, double[] actual, int n,
            double relative, IntPredicate include, IntFunction<String> describeIndex) {
        String problem = compare(tensor, expected, actual, n, relative, include, describeIndex);
        if (problem != null) {
            throw new AssertionError(context + ": " + problem);
        }
    }

    public static void assertClose(String context, String tensor, double[] expected, double[] actual,
            double relative) {
        assertClose(context, tensor, expected, actual, expected.length, relative, i -> true, null);
    }

    /**
     * Asserts that the gradients {@code actual} computed last (every parameter tensor, and the input's over
     * batch x steps) match those of {@code reference}, with the same parameter layout.
     */
    public static void assertGradientsClose(String context, GeneratedNetwork reference, GeneratedNetwork actual,
            int batch, int steps, double relative) {
        for (GeneratedNetwork.Param p : reference.parameterList()) {
            assertClose(context, "gradient of " + p.name(), reference.gradient(p.name()), actual.gradient(p.name()),
                    p.size(), relative, i -> true, i -> multiIndex(i, p.shape()));
        }
        int inputs = batch * steps * reference.inputSize();
        assertClose(context, "inputGradients", reference.inputGradients(), actual.inputGradients(), inputs, relative,
                i -> true, i -> multiIndex(i, batch, steps, reference.inputSize()));
    }

    /** Null when the tensors match, else a description of the mismatch. */
    public static String compare(String tensor, double[] expected, double[] actual, int n, double relative,
            IntPredicate include, IntFunction<String> describeIndex) {
        if (expected.length < n || actual.length < n) {
            return tensor + ": " + n + " values compared, but expected has " + expected.length + " and actual "
                    + actual.length;
        }
        double scale = 1;
        for (int i = 0; i < n; i++) {
            if (include.test(i)) {
                scale = Math.max(scale, Math.abs(expected[i]));
            }
        }
        double tolerance = relative * scale;
        int failures = 0;
        int first = -1;
        int worst = -1;
        double worstError = -1;
        for (int i = 0; i < n; i++) {
            if (!include.test(i)) {
                continue;
            }
            double error = Math.abs(actual[i] - expected[i]);
            boolean bad = !(error <= tolerance); // NaN fails
            if (bad) {
                failures++;
                if (first < 0) {
                    first = i;
                }
                if (Double.isNaN(error) || error > worstError) {
                    worst = i;
                    worstError = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                }
            }
        }
        if (failures == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%s[%d]%s: expected %.9g, actual %.9g (|diff| %.3g > tolerance %.3g = %.0e"
                + " * max(1, max|expected| = %.4g)); %d of %d elements differ, the worst at [%d]%s: expected %.9g,"
                + " actual %.9g", tensor, first, where(describeIndex, first), expected[first], actual[first],
                Math.abs(actual[first] - expected[first]), tolerance, relative, scale, failures, count(n, include),
                worst, where(describeIndex, worst), expected[worst], actual[worst]);
    }

    private static String where(IntFunction<String> describe, int index) {
        return describe == null ? "" : " " + describe.apply(index);
    }

    private static int count(int n, IntPredicate include) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (include.test(i)) {
                c++;
            }
        }
        return c;
    }

    /** Scalars: {@code |actual - expected| <= relative * max(1, |expected|)}. */
    public static void assertClose(String context, String what, double expected, double actual, double relative) {
        double tolerance = relative * Math.max(1, Math.abs(expected));
        if (!(Math.abs(actual - expected) <= tolerance)) {
            throw new AssertionError(String.format(Locale.ROOT,
                    "%s: %s: expected %.9g, actual %.9g (|diff| %.3g > tolerance %.3g)", context, what, expected,
                    actual, Math.abs(actual - expected), tolerance));
        }
    }

    /** {@code [a][b][c]} for a flat index into a row-major array of the given shape. */
    public static String multiIndex(int index, int... shape) {
        int[] at = new int[shape.length];
        int rest = index;
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = rest % shape[d];
            rest /= shape[d];
        }
        StringBuilder out = new StringBuilder();
        for (int i : at) {
            out.append('[').append(i).append(']');
        }
        return out.toString();
    }

    public static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
