package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.DifferentiatedNetwork;
import io.github.rnnc.ir.IrVerifier;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Differentiates every step function of a network and optimizes each adjoint, verifying it after every pass. */
public final class DifferentiateNetwork {
    private DifferentiateNetwork() {
    }

    public static DifferentiatedNetwork run(NetworkIr network, DerivativeTable table) {
        Map<String, AdjointFunction> adjoints = new LinkedHashMap<>();
        List<NetworkIr.Layer> layers = network.layers();
        for (NetworkIr.Layer layer : layers) {
            boolean head = layer == layers.get(layers.size() - 1);
            if (layer instanceof NetworkIr.Recurrent recurrent) {
                add(adjoints, recurrent.forward(), table);
                recurrent.backward().ifPresent(b -> add(adjoints, b, table));
            } else {
                StepFunction step = ((NetworkIr.PerStep) layer).function();
                boolean crossEntropy = network.training().map(t -> t.loss() == NetworkIr.Loss.CROSS_ENTROPY)
                        .orElse(false);
                add(adjoints, head && crossEntropy ? fromLogits(step) : step, table);
            }
        }
        return new DifferentiatedNetwork(network, adjoints);
    }

    private static void add(Map<String, AdjointFunction> adjoints, StepFunction step, DerivativeTable table) {
        AdjointFunction adjoint = Differentiation.differentiate(step, table);
        IrVerifier.verify(adjoint);
        adjoints.put(step.name(), Passes.optimize(adjoint));
    }

    /** The same step with the softmax's input as its output: cross-entropy's gradient starts at the logits. */
    static StepFunction fromLogits(StepFunction step) {
        Op last = step.ops().get(step.ops().size() - 1);
        if (!(last instanceof Op.Softmax softmax)) {
            throw new IllegalStateException("cross-entropy head " + step.name() + " does not end in softmax");
        }
        return step.withOps(step.ops(), List.of(softmax.operand()));
    }
}
