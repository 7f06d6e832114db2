package io.github.rnnc.ir;

import java.util.Map;

/**
 * A network with the adjoint of every step function, keyed by step name. For a cross-entropy head the head's
 * adjoint starts from the pre-softmax logits (the loss gradient there is p - onehot), so softmax is not
 * differentiated on its own.
 */
public record DifferentiatedNetwork(NetworkIr network, Map<String, AdjointFunction> adjoints) {
    public DifferentiatedNetwork {
        adjoints = Map.copyOf(adjoints);
    }

    public AdjointFunction adjoint(StepFunction step) {
        AdjointFunction adjoint = adjoints.get(step.name());
        if (adjoint == null) {
            throw new IllegalArgumentException("no adjoint for " + step.name());
        }
        return adjoint;
    }
}
