package io.github.rnnc.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random cell specs for gradient checks: random equations over {@code + - * / @}, unary minus, concatenation,
 * slicing, numbers and the cell functions, with one or two states, written so that the checker accepts them and
 * their values stay tame:
 *
 * <ul>
 *   <li>the cell is {@code cell NAME(units)} and is meant for {@code NAME(4, ...)} over a 3-element input
 *       ({@link #UNITS}, {@link #INPUT}); sizes other than the states' are written as literals;</li>
 *   <li>division is only by {@code (1 + sigmoid(...))} (in [1, 2]) or by a number &ge; 1;</li>
 *   <li>{@code exp} only of a bounded value ({@code exp(tanh(...))} and the like);</li>
 *   <li>matrices are declared with {@code param}, except that some products {@code W @ v} that are a direct
 *       operand of {@code + - *} are left to shape inference; vector parameters are declared, or undeclared when
 *       they are a direct operand of {@code + - *} (their size then comes from the other operand);</li>
 *   <li>every local is read, {@code x} is read, every state's previous value is read.</li>
 * </ul>
 *
 * The same seed always gives the same text.
 */
public final class RandomCells {
    /** The {@code units} the cells are written for. */
    public static final int UNITS = 4;
    /** The input size the cells are written for. */
    public static final int INPUT = 3;

    private static final String[] SQUASH = {"sigmoid", "tanh", "softsign", "hard_sigmoid"};
    private static final String[] FUNCTIONS = {"sigmoid", "tanh", "relu", "hard_sigmoid", "softsign", "identity"};
    private static final String[] NUMBERS = {"0.5", "2", "1.5", ".25", "0.75", "1e-1", "3"};

    /** A generated cell: its name, its text, and its number of states. */
    public record Cell(String name, String text, int stateCount) {
    }

    /** A vector-valued variable in scope: a state (previous or primed), a local, or {@code x}. */
    private record Var(String text, int size, String usageKey) {
    }

    private final Random random;
    private final Map<String, String> params = new LinkedHashMap<>(); // name -> declaration ("" when inferred)
    private final List<Var> scope = new ArrayList<>();
    private final Map<String, Boolean> used = new LinkedHashMap<>();
    private int nextParam;

    private RandomCells(long seed) {
        // java.util.Random's first outputs are correlated for nearby seeds; scramble the seed first.
        this.random = new Random(new java.util.SplittableRandom(seed).nextLong());
    }

    /** A random cell called {@code name}. */
    public static Cell generate(long seed, String name) {
        return new RandomCells(seed).cell(name);
    }

    /**
     * A whole spec: the cell and the network {@code input x[3]; NAME(4, return_sequences = true); dense(2);} trained
     * with {@code mse} and {@code sgd}.
     */
    public static String spec(Cell cell, String packageName, String networkName) {
        return "package " + packageName + ";\n\n" + cell.text() + "\nnetwork " + networkName + " {\n"
                + "    input x[" + INPUT + "];\n"
                + "    " + cell.name() + "(" + UNITS + ", return_sequences = true);\n"
                + "    dense(2);\n"
                + "    train { loss = mse; optimizer = sgd(lr = 0.1); }\n"
                + "}\n";
    }

    private Cell cell(String name) {
        // States: h (the output, size units) and maybe s.
        List<String[]> states = new ArrayList<>(); // {name, size expression}
        List<Integer> stateSizes = new ArrayList<>();
        states.add(new String[] {"h", "units"});
        stateSizes.add(UNITS);
        if (random.nextBoolean()) {
            String[][] second = {{"units + 1", "5"}, {"units - 2", "2"}, {"3", "3"}, {"units", "4"}};
            String[] pick = second[random.nextInt(second.length)];
            states.add(new String[] {"s", pick[0]});
            stateSizes.add(Integer.parseInt(pick[1]));
        }
        scope.add(new Var("x", INPUT, "x"));
        used.put("x", false);
        for (int i = 0; i < states.size(); i++) {
            String n = states.get(i)[0];
            scope.add(new Var(n, stateSizes.get(i), n));
            used.put(n, false);
        }

        List<String> equations = new ArrayList<>();
        int locals = random.nextInt(3);
        for (int i = 0; i < locals; i++) {
            int size = 2 + random.nextInt(5);
            String local = "a" + i;
            equations.add(local + " = " + expression(size, 2 + random.nextInt(2)) + ";");
            scope.add(new Var(local, size, local));
            used.put(local, false);
        }

        // Assign the states in a random order; a later one may read an earlier one's new value.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            order.add(i);
        }
        if (order.size() == 2 && random.nextBoolean()) {
            order.add(order.remove(0));
        }
        for (int k = 0; k < order.size(); k++) {
            int i = order.get(k);
            String n = states.get(i)[0];
            int size = stateSizes.get(i);
            String value = stateValue(n, size);
            if (k == order.size() - 1) {
                value = withUnusedVariables(value, size);
            }
            equations.add(n + "' = " + value + ";");
            scope.add(new Var(n + "'", size, n + "'"));
        }

        StringBuilder text = new StringBuilder("cell ").append(name).append("(units) {\n    state ");
        for (int i = 0; i < states.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(states.get(i)[0]).append('[').append(states.get(i)[1]).append(']');
        }
        text.append(";\n");
        for (String declaration : params.values()) {
            if (!declaration.isEmpty()) {
                text.append("    ").append(declaration).append('\n');
            }
        }
        for (String equation : equations) {
            text.append("    ").append(equation).append('\n');
        }
        text.append("}\n");
        return new Cell(name, text.toString(), states.size());
    }

    /** A state's next value: a gated update, a squashed expression, or a raw one. */
    private String stateValue(String state, int size) {
        int form = random.nextInt(3);
        if (form == 0) {
            // a gated update (GRU-like): the same gate expression twice, so the same parameters
            String g = "sigmoid(" + expression(size, 2) + ")";
            use(state);
            return "(" + g + " * " + state + " + (1 - " + g + ") * " + squash() + "(" + expression(size, 2) + "))";
        }
        if (form == 1) {
            return squash() + "(" + expression(size, 3 + random.nextInt(2)) + ")";
        }
        return expression(size, 3 + random.nextInt(2));
    }

    /** Adds a term {@code M @ v} for every variable not read yet (x, locals, previous states). */
    private String withUnusedVariables(String value, int size) {
        StringBuilder out = new StringBuilder(value);
        for (Map.Entry<String, Boolean> e : used.entrySet()) {
            if (!e.getValue()) {
                Var v = variable(e.getKey());
                out.insert(0, "(").append(" + ").append(matrix(size, v.size())).append(" @ ").append(v.text())
                        .append(")");
                e.setValue(true);
            }
        }
        return out.toString();
    }

    private Var variable(String usageKey) {
        for (Var v : scope) {
            if (v.usageKey().equals(usageKey)) {
                return v;
            }
        }
        throw new IllegalStateException(usageKey);
    }

    private String squash() {
        return SQUASH[random.nextInt(SQUASH.length)];
    }

    /** A vector expression of {@code size} elements. */
    private String expression(int size, int depth) {
        if (depth <= 0) {
            return leaf(size);
        }
        int choice = random.nextInt(100);
        if (choice < 12) {
            return leaf(size);
        }
        if (choice < 30) {
            return product(size, depth, true);
        }
        if (choice < 46) {
            String f = FUNCTIONS[random.nextInt(FUNCTIONS.length)];
            return f + "(" + expression(size, depth - 1) + ")";
        }
        if (choice < 50) {
            return "exp(" + squash() + "(" + expression(size, depth - 1) + "))";
        }
        if (choice < 55) {
            return "-" + parenthesized(size, depth - 1);
        }
        if (choice < 75) {
            return binary(size, depth);
        }
        if (choice < 82) {
            return division(size, depth);
        }
        if (choice < 91 && size >= 2) {
            int first = 1 + random.nextInt(size - 1);
            return "[" + expression(first, depth - 1) + ", " + expression(size - first, depth - 1) + "]";
        }
        int whole = size + 1 + random.nextInt(3);
        int from = random.nextInt(whole - size + 1);
        return parenthesized(whole, depth - 1) + "[" + from + " : " + (from + size) + "]";
    }

    /** An operand that can take a postfix slice or a prefix minus: a name, or a parenthesized expression. */
    private String parenthesized(int size, int depth) {
        String e = expression(size, depth);
        return e.matches("[A-Za-z_][A-Za-z_0-9]*'?") ? e : "(" + e + ")";
    }

    private String binary(int size, int depth) {
        String op = random.nextInt(3) == 0 ? " * " : random.nextBoolean() ? " + " : " - ";
        int kind = random.nextInt(10);
        if (kind < 2) {
            // a number on one side
            String number = NUMBERS[random.nextInt(NUMBERS.length)];
            String e = expression(size, depth - 1);
            return random.nextBoolean() ? "(" + number + op + e + ")" : "(" + e + op + number + ")";
        }
        if (kind < 4) {
            // an undeclared vector parameter, sized by the other operand
            String p = "p" + nextParam++;
            params.put(p, "");
            String e = expression(size, depth - 1);
            return random.nextBoolean() ? "(" + p + op + e + ")" : "(" + e + op + p + ")";
        }
        if (kind < 6) {
            // an undeclared matrix product, its rows inferred from the other operand
            return "(" + product(size, depth, false) + op + expression(size, depth - 1) + ")";
        }
        return "(" + expression(size, depth - 1) + op + expression(size, depth - 1) + ")";
    }

    private String division(int size, int depth) {
        int kind = random.nextInt(3);
        if (kind == 0) {
            return "(" + expression(size, depth - 1) + " / " + NUMBERS[1 + random.nextInt(2)] + ")";
        }
        String denominator = "(1 + sigmoid(" + expression(size, depth - 1) + "))";
        if (kind == 1) {
            return "(0.5 / " + denominator + ")";
        }
        return "(" + expression(size, depth - 1) + " / " + denominator + ")";
    }

    /**
     * {@code M @ v}: with {@code declared}, a {@code param}-declared matrix and the product in parentheses; else an
     * undeclared matrix, unparenthesized, for the caller to put directly beside an operand that fixes its rows.
     */
    private String product(int rows, int depth, boolean declared) {
        int columns;
        String operand;
        if (random.nextInt(3) > 0) {
            Var v = scope.get(random.nextInt(scope.size()));
            use(v.usageKey());
            columns = v.size();
            operand = v.text();
        } else {
            columns = 1 + random.nextInt(6);
            operand = "(" + expression(columns, depth - 1) + ")";
        }
        String m = declared ? matrix(rows, columns) : "W" + nextParam++;
        if (!declared) {
            params.put(m, "");
        }
        return declared ? "(" + m + " @ " + operand + ")" : m + " @ " + operand;
    }

    private String matrix(int rows, int columns) {
        String m = "M" + nextParam++;
        params.put(m, "param " + m + "[" + rows + ", " + columns + "];");
        return m;
    }

    /**
     * A variable of this size if there is one (preferring unread ones), else a slice of a bigger variable, a
     * declared product of a variable, or a declared vector parameter.
     */
    private String leaf(int size) {
        List<Var> fits = new ArrayList<>();
        for (Var v : scope) {
            if (v.size() == size) {
                fits.add(v);
            }
        }
        if (!fits.isEmpty() && random.nextInt(5) > 0) {
            Var pick = null;
            for (Var v : fits) {
                if (!used.getOrDefault(v.usageKey(), true) && random.nextBoolean()) {
                    pick = v;
                    break;
                }
            }
            if (pick == null) {
                pick = fits.get(random.nextInt(fits.size()));
            }
            use(pick.usageKey());
            return pick.text();
        }
        int fallback = random.nextInt(20);
        if (fallback < 10) {
            // a slice of a bigger variable
            List<Var> bigger = new ArrayList<>();
            for (Var v : scope) {
                if (v.size() > size) {
                    bigger.add(v);
                }
            }
            if (!bigger.isEmpty()) {
                Var v = bigger.get(random.nextInt(bigger.size()));
                use(v.usageKey());
                int from = random.nextInt(v.size() - size + 1);
                return v.text() + "[" + from + " : " + (from + size) + "]";
            }
        }
        if (fallback < 17) {
            // a declared product of a variable
            Var v = scope.get(random.nextInt(scope.size()));
            use(v.usageKey());
            return "(" + matrix(size, v.size()) + " @ " + v.text() + ")";
        }
        String p = "q" + nextParam++;
        params.put(p, "param " + p + "[" + size + "];");
        return p;
    }

    private void use(String usageKey) {
        if (used.containsKey(usageKey)) {
            used.put(usageKey, true);
        }
    }
}
