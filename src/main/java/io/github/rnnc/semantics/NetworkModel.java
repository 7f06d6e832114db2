package io.github.rnnc.semantics;

import io.github.rnnc.ast.NetworkDecl;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** A checked network: everything code generation needs, with concrete sizes. */
public record NetworkModel(NetworkDecl decl, String className, String javaPackage, String sourcePath,
        List<Integer> inputShape, OptionalInt fixedSteps, List<Layer> layers, Optional<Training> training) {

    public NetworkModel {
        inputShape = List.copyOf(inputShape);
        layers = List.copyOf(layers);
    }

    /** What flows between layers. */
    public sealed interface Flow {
        /** Per-step vectors over time, or one vector once a layer has consumed the sequence. */
        record Vectors(int size, boolean sequence) implements Flow {
        }

        /** Per-step images [channels, height, width] over time, or one image. */
        record Images(int channels, int height, int width, boolean sequence) implements Flow {
        }

        boolean sequence();
    }

    public sealed interface Layer {
        int index();

        Flow input();

        Flow output();
    }

    public enum Merge { CONCAT, SUM, MUL, AVE }

    /** A cell layer; {@code backward} is present for bidirectional layers. */
    public record RecurrentLayer(int index, Flow input, Flow output, CellInstance forward,
            Optional<CellInstance> backward, Merge merge, boolean returnSequences) implements Layer {
    }

    public record DenseLayer(int index, Flow input, Flow output, int units, Activation activation)
            implements Layer {
    }

    public enum Padding { SAME, VALID }

    public record ConvLstmLayer(int index, Flow input, Flow output, int filters, int kernel, Padding padding,
            boolean returnSequences) implements Layer {
    }

    public record Conv2dLayer(int index, Flow input, Flow output, int filters, int kernel, Padding padding,
            Activation activation) implements Layer {
    }

    public enum Activation { LINEAR, SOFTMAX, SIGMOID, TANH, RELU, HARD_SIGMOID, SOFTSIGN, EXP }

    public enum Loss { CROSS_ENTROPY, BINARY_CROSS_ENTROPY, MSE }

    public sealed interface Optimizer {
        double learningRate();

        record Sgd(double learningRate, double momentum) implements Optimizer {
        }

        record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
        }

        record RmsProp(double learningRate, double rho, double epsilon) implements Optimizer {
        }
    }

    public record Training(Loss loss, Optimizer optimizer, OptionalDouble clipNorm, OptionalDouble clipValue,
            OptionalInt truncate) {
    }

    public Flow output() {
        return layers.get(layers.size() - 1).output();
    }
}
