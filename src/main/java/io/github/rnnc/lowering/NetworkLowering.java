package io.github.rnnc.lowering;

import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import io.github.rnnc.semantics.NetworkModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The lowering stage: a checked network to IR. Every layer becomes step functions; the rest is metadata. */
public final class NetworkLowering {
    private NetworkLowering() {
    }

    /** Whether every layer of the network can be lowered (convolutional layers have their own issue). */
    public static boolean supported(NetworkModel network) {
        return network.layers().stream().noneMatch(l -> l instanceof NetworkModel.ConvLstmLayer
                || l instanceof NetworkModel.Conv2dLayer);
    }

    public static NetworkIr lower(NetworkModel network) {
        List<NetworkIr.Layer> layers = new ArrayList<>();
        for (NetworkModel.Layer layer : network.layers()) {
            layers.add(layer(layer));
        }
        Optional<NetworkIr.Training> training = network.training().map(NetworkLowering::training);
        return new NetworkIr(network.className(), network.javaPackage(), network.sourcePath(),
                network.inputShape().get(0), network.fixedSteps(), layers, training);
    }

    private static NetworkIr.Layer layer(NetworkModel.Layer layer) {
        String prefix = layer.index() + ".";
        if (layer instanceof NetworkModel.RecurrentLayer recurrent) {
            String base = "l" + layer.index() + "_" + recurrent.forward().cell().name().text();
            StepFunction forward = StepLowering.lower(recurrent.forward(), base, prefix, "");
            Optional<StepFunction> backward = recurrent.backward().map(b -> StepLowering.lower(b, base + "_reverse",
                    prefix, "_reverse"));
            NetworkModel.Flow.Vectors output = (NetworkModel.Flow.Vectors) recurrent.output();
            return new NetworkIr.Recurrent(layer.index(), forward, backward,
                    NetworkIr.Merge.valueOf(recurrent.merge().name()), recurrent.returnSequences(), output.size());
        }
        if (layer instanceof NetworkModel.DenseLayer dense) {
            NetworkModel.Flow.Vectors input = (NetworkModel.Flow.Vectors) dense.input();
            return new NetworkIr.PerStep(layer.index(), dense(dense, input.size(), prefix), input.sequence(),
                    dense.units());
        }
        throw new IllegalArgumentException("layer " + layer.getClass().getSimpleName() + " cannot be lowered yet");
    }

    /** {@code activation(weight @ x + bias)} with Keras's initializers and PyTorch's names. */
    private static StepFunction dense(NetworkModel.DenseLayer dense, int inputSize, String prefix) {
        List<Op> ops = new ArrayList<>();
        Value x = new Value(0, inputSize, false);
        ops.add(new Op.Input(x, "x"));
        Value product = new Value(1, dense.units(), false);
        ops.add(new Op.MatVec(product, "weight", x));
        Value bias = new Value(2, dense.units(), false);
        ops.add(new Op.ParameterVector(bias, "bias"));
        Value sum = new Value(3, dense.units(), false);
        ops.add(new Op.Binary(sum, Op.BinaryKind.ADD, product, bias));
        Value output = sum;
        if (dense.activation() == NetworkModel.Activation.SOFTMAX) {
            output = new Value(4, dense.units(), false);
            ops.add(new Op.Softmax(output, sum));
        } else if (dense.activation() != NetworkModel.Activation.LINEAR) {
            output = new Value(4, dense.units(), false);
            ops.add(new Op.Unary(output, Op.UnaryKind.valueOf(dense.activation().name().toUpperCase(Locale.ROOT)),
                    sum));
        }
        List<StepFunction.Tensor> tensors = List.of(
                new StepFunction.Tensor("weight", prefix + "weight", List.of(dense.units(), inputSize),
                        "glorot_uniform"),
                new StepFunction.Tensor("bias", prefix + "bias", List.of(dense.units()), "constant(0.0)"));
        return new StepFunction("l" + dense.index() + "_dense", x, List.of(), List.of(), ops, List.of(output),
                tensors);
    }

    private static NetworkIr.Training training(NetworkModel.Training training) {
        NetworkModel.Optimizer optimizer = training.optimizer();
        NetworkIr.Optimizer lowered;
        if (optimizer instanceof NetworkModel.Optimizer.Sgd sgd) {
            lowered = new NetworkIr.Optimizer.Sgd(sgd.learningRate(), sgd.momentum());
        } else if (optimizer instanceof NetworkModel.Optimizer.Adam adam) {
            lowered = new NetworkIr.Optimizer.Adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon());
        } else {
            NetworkModel.Optimizer.RmsProp rms = (NetworkModel.Optimizer.RmsProp) optimizer;
            lowered = new NetworkIr.Optimizer.RmsProp(rms.learningRate(), rms.rho(), rms.epsilon());
        }
        return new NetworkIr.Training(NetworkIr.Loss.valueOf(training.loss().name()), lowered,
                training.clipNorm().isPresent() ? Optional.of(training.clipNorm().getAsDouble()) : Optional.empty(),
                training.clipValue().isPresent() ? Optional.of(training.clipValue().getAsDouble()) : Optional.empty(),
                training.truncate());
    }
}
