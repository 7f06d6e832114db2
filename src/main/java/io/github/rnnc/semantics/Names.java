package io.github.rnnc.semantics;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The names the language reserves, and "did you mean" suggestions. */
public final class Names {
    /** Elementwise functions of the cell language. */
    public static final List<String> FUNCTIONS =
            List.of("sigmoid", "tanh", "relu", "hard_sigmoid", "softsign", "exp", "identity");

    /** Layers that are not cells. */
    public static final List<String> LAYERS = List.of("bidirectional", "dense", "convlstm2d", "conv2d");

    public static final String INPUT = "x";

    private static final Set<String> JAVA_RESERVED = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for",
            "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new",
            "package", "private", "protected", "public", "return", "short", "static", "strictfp", "super",
            "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile", "while",
            "true", "false", "null", "_", "var", "yield", "record", "sealed", "permits", "non-sealed", "when",
            "module", "open", "exports", "requires", "opens", "to", "uses", "provides", "with", "transitive");

    /** Names that generated classes use for their own nested types. */
    private static final Set<String> GENERATED_TYPE_NAMES = Set.of("Parameter");

    private Names() {
    }

    public static boolean isJavaReserved(String name) {
        return JAVA_RESERVED.contains(name);
    }

    public static boolean isReservedClassName(String name) {
        return JAVA_RESERVED.contains(name) || GENERATED_TYPE_NAMES.contains(name);
    }

    /** The closest candidate within a small edit distance, for "did you mean". */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance || (distance == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(1, Math.min(3, name.length() / 3));
        return best != null && bestDistance <= allowed && !best.equals(name) ? Optional.of(best) : Optional.empty();
    }

    /** The message suffix "; did you mean 'x'?" or nothing. */
    public static String suggestion(String name, Collection<String> candidates) {
        return closest(name, candidates).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3) {
            return Integer.MAX_VALUE;
        }
        int[] beforePrevious = new int[b.length() + 1];
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    current[j] = Math.min(current[j], beforePrevious[j - 2] + 1); // a swap of two letters
                }
            }
            int[] recycled = beforePrevious;
            beforePrevious = previous;
            previous = current;
            current = recycled;
        }
        return previous[b.length()];
    }
}
