package bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmarked networks: which generated class each name is, its layers, and the matrix products one call
 * performs. The products give the FLOP counts (GFLOP/s) and the shapes whose single-core kernel speed is the
 * ceiling of a configuration; the PyTorch script builds the same layers from the same names.
 */
public final class Nets {
    private Nets() {
    }

    /** One recurrent layer: {@code products} matrices of [rowsPerGate * hidden, in] on x and [.., hidden] on h. */
    public record Layer(String cell, int in, int hidden, int gates, int sequentialRecurrent) {
        /** Rows of the stacked input (and recurrent) weights. */
        int rows() {
            return gates * hidden;
        }
    }

    /** A product y[m][n] = a[m][k] · w[k][n], performed {@code count} times per call. */
    public record Product(String what, int m, int k, int n, long count) {
        public double flops() {
            return 2.0 * m * k * n * count;
        }

        public String shape() {
            return m + "x" + k + "x" + n;
        }
    }

    public record Net(String name, String cellLabel, List<Layer> layers, int out, boolean labels, String example) {
        /** The generated class for a backend; the examples exist on the vector backend only. */
        public String className(String backend) {
            if (example != null) {
                if (!backend.equals("vector")) {
                    throw new IllegalArgumentException(name + " is generated on the vector backend only");
                }
                return example;
            }
            String cell = layers.get(0).cell();
            return "bench." + backend + "." + Character.toUpperCase(cell.charAt(0)) + cell.substring(1) + "H"
                    + layers.get(0).hidden();
        }

        /** Hidden size of the first layer: the x axis of the sweep. */
        public int hidden() {
            return layers.get(0).hidden();
        }

        /** The matrix products of forward (training = false) or of forward + backward (training = true). */
        public List<Product> products(int batch, int steps, boolean training) {
            return products(batch, steps, training, true);
        }

        /**
         * As {@link #products(int, int, boolean)}; without the first layer's dx when {@code inputGradient} is false:
         * computeGradients fills inputGradients(), trainStep computes no input gradient (as PyTorch for an input
         * without requires_grad).
         */
        public List<Product> products(int batch, int steps, boolean training, boolean inputGradient) {
            List<Product> list = new ArrayList<>();
            int tb = steps * batch;
            for (Layer l : layers) {
                list.add(new Product("input", tb, l.in(), l.rows(), 1));
                if (l.sequentialRecurrent() > 1) {
                    // two dependent products per step (mgu: U_h @ (f * h) needs f = sigmoid(U_f @ h ...))
                    list.add(new Product("recurrent", batch, l.hidden(), l.hidden(),
                            (long) steps * l.sequentialRecurrent()));
                } else {
                    list.add(new Product("recurrent", batch, l.hidden(), l.rows(), steps));
                }
            }
            int last = layers.get(layers.size() - 1).hidden();
            list.add(new Product("head", tb, last, out, 1));
            if (!training) {
                return list;
            }
            list.add(new Product("head dW", last, tb, out, 1));
            list.add(new Product("head dx", tb, out, last, 1));
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                if (l.sequentialRecurrent() > 1) {
                    list.add(new Product("recurrent dh", batch, l.hidden(), l.hidden(),
                            (long) steps * l.sequentialRecurrent()));
                } else {
                    list.add(new Product("recurrent dh", batch, l.rows(), l.hidden(), steps));
                }
                list.add(new Product("dW_hh", l.rows(), tb, l.hidden(), 1));
                list.add(new Product("dW_ih", l.rows(), tb, l.in(), 1));
                if (i > 0 || inputGradient) {
                    list.add(new Product("dx", tb, l.rows(), l.in(), 1));
                }
            }
            return list;
        }

        public double flops(int batch, int steps, boolean training, boolean inputGradient) {
            return products(batch, steps, training, inputGradient).stream().mapToDouble(Product::flops).sum();
        }
    }

    public static final List<String> CELLS = List.of("rnn", "lstm", "gru", "mgu");
    public static final List<Integer> SIZES = List.of(32, 64, 128, 256, 512);

    /** {@code lstm_h64}, {@code rnn_h256}, ... (the sweep), {@code CharLstm}, {@code MguTagger} (the examples). */
    public static Net of(String name) {
        switch (name) {
            case "CharLstm":
                return new Net(name, "2×LSTM(256) char model", List.of(layer("lstm", 65, 256), layer("lstm", 256, 256)),
                        65, true, "com.example.charlm.CharLstm");
            case "MguTagger":
                return new Net(name, "MGU(64) tagger", List.of(layer("mgu", 40, 64)), 5, true,
                        "com.example.mgu.MguTagger");
            default:
                int cut = name.indexOf("_h");
                if (cut < 0 || !CELLS.contains(name.substring(0, cut))) {
                    throw new IllegalArgumentException("unknown network " + name);
                }
                String cell = name.substring(0, cut);
                int h = Integer.parseInt(name.substring(cut + 2));
                return new Net(name, cell.toUpperCase(Locale.ROOT), List.of(layer(cell, h, h)), h, false, null);
        }
    }

    private static Layer layer(String cell, int in, int hidden) {
        switch (cell) {
            case "rnn":
                return new Layer(cell, in, hidden, 1, 1);
            case "lstm":
                return new Layer(cell, in, hidden, 4, 1);
            case "gru":
                return new Layer(cell, in, hidden, 3, 1);
            case "mgu":
                return new Layer(cell, in, hidden, 2, 2);
            default:
                throw new IllegalArgumentException(cell);
        }
    }
}
