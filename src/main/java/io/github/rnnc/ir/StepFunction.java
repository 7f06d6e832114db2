package io.github.rnnc.ir;

import java.util.List;

/**
 * One time step of a layer as straight-line SSA code: inputs (the layer input and the previous states) to
 * outputs (the next states; the first is the layer's output). A stateless layer (dense) has no states.
 *
 * @param name       a stable name, e.g. {@code l0_mgu} or {@code l0_lstm_reverse}
 * @param input      the layer input at this step
 * @param states     the previous state values, in declaration order
 * @param ops        all ops, in definition order (inputs first)
 * @param outputs    the next state values (or, for stateless layers, the single output)
 * @param parameters the learnable tensors the ops read, in layout order
 * @param hoisted    values that do not depend on any state: computed for every step before the recurrence
 */
public record StepFunction(String name, Value input, List<Value> states, List<String> stateNames, List<Op> ops,
        List<Value> outputs, List<Tensor> parameters, java.util.Set<Integer> hoisted) {
    public StepFunction {
        states = List.copyOf(states);
        stateNames = List.copyOf(stateNames);
        ops = List.copyOf(ops);
        outputs = List.copyOf(outputs);
        parameters = List.copyOf(parameters);
        hoisted = java.util.Set.copyOf(hoisted);
    }

    public StepFunction(String name, Value input, List<Value> states, List<String> stateNames, List<Op> ops,
            List<Value> outputs, List<Tensor> parameters) {
        this(name, input, states, stateNames, ops, outputs, parameters, java.util.Set.of());
    }

    public StepFunction withOps(List<Op> newOps, List<Value> newOutputs) {
        return new StepFunction(name, input, states, stateNames, newOps, newOutputs, parameters, hoisted);
    }

    public StepFunction withHoisted(java.util.Set<Integer> newHoisted) {
        return new StepFunction(name, input, states, stateNames, ops, outputs, parameters, newHoisted);
    }

    public boolean isHoisted(Value value) {
        return hoisted.contains(value.id());
    }

    /** A learnable tensor: its name in the step (as written in the cell) and its full, public name. */
    public record Tensor(String local, String publicName, List<Integer> shape, String initializer) {
        public Tensor {
            shape = List.copyOf(shape);
        }

        public int elementCount() {
            return shape.stream().reduce(1, (a, b) -> a * b);
        }
    }

    public Tensor tensor(String local) {
        return parameters.stream().filter(t -> t.local().equals(local)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no parameter " + local + " in " + name));
    }
}
