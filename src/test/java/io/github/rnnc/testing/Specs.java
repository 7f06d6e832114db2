package io.github.rnnc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/** The contract examples, cells taken from them, and seeded random data for tests of generated classes. */
public final class Specs {
    public static final Path EXAMPLES = Paths.get("src", "test", "resources", "examples");

    private Specs() {
    }

    /** {@code src/test/resources/examples/<name>.rnn}, relative to Maven's {@code basedir} when set. */
    public static Path example(String name) {
        String base = System.getProperty("basedir");
        Path directory = base == null ? EXAMPLES : Paths.get(base).resolve(EXAMPLES);
        return directory.resolve(name + ".rnn");
    }

    public static String exampleText(String name) {
        try {
            return Files.readString(example(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code cell} declaration of an example, verbatim (so variants track the examples' equations). */
    public static String cells(String exampleName) {
        String text = exampleText(exampleName);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = text.indexOf("\ncell ", from);
            if (start < 0) {
                break;
            }
            int open = text.indexOf('{', start);
            int depth = 0;
            int end = open;
            for (; end < text.length(); end++) {
                char c = text.charAt(end);
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    break;
                }
            }
            out.append(text, start + 1, end + 1).append('\n');
            from = end;
        }
        if (out.length() == 0) {
            throw new AssertionError("example " + exampleName + " declares no cell");
        }
        return out.toString();
    }

    /** {@code n} values uniform in [-scale, scale), each exactly representable as a float. */
    public static double[] uniform(Random random, int n, double scale) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return values;
    }

    /** {@code n} values uniform in [lo, hi), each exactly representable as a float. */
    public static double[] uniform(Random random, int n, double lo, double hi) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (lo + random.nextDouble() * (hi - lo));
        }
        return values;
    }

    /** {@code n} class labels uniform in [0, classes). */
    public static int[] labels(Random random, int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
        }
        return labels;
    }
}
