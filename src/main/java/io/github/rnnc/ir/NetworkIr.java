package io.github.rnnc.ir;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A whole network: layers in order, each a step function (two for bidirectional layers), and the training setup. */
public record NetworkIr(String className, String javaPackage, String sourcePath, int inputSize,
        OptionalInt fixedSteps, List<Layer> layers, Optional<Training> training) {
    public NetworkIr {
        layers = List.copyOf(layers);
    }

    public enum Merge { CONCAT, SUM, MUL, AVE }

    public sealed interface Layer {
        int index();

        int outputSize();

        /** Whether this layer's output is one value per step (true) or one per sequence. */
        boolean sequenceOutput();
    }

    public record Recurrent(int index, StepFunction forward, Optional<StepFunction> backward, Merge merge,
            boolean returnSequences, int outputSize) implements Layer {
        public boolean sequenceOutput() {
            return returnSequences;
        }
    }

    /** A stateless layer applied at every step (after a sequence) or once (after a many-to-one layer). */
    public record PerStep(int index, StepFunction function, boolean sequenceOutput, int outputSize)
            implements Layer {
    }

    public enum Loss { CROSS_ENTROPY, BINARY_CROSS_ENTROPY, MSE }

    public sealed interface Optimizer {
        record Sgd(double learningRate, double momentum) implements Optimizer {
        }

        record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
        }

        record RmsProp(double learningRate, double rho, double epsilon) implements Optimizer {
        }
    }

    public record Training(Loss loss, Optimizer optimizer, Optional<Double> clipNorm, Optional<Double> clipValue,
            OptionalInt truncate) {
    }
}
