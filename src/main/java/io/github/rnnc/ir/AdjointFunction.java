package io.github.rnnc.ir;

import java.util.List;

/**
 * The reverse of one step function: given the adjoints of the step's outputs, computes the adjoints of its input
 * and previous states and adds to the parameter gradients. Its ops may read any value of the forward step (the
 * code generator keeps those values from the forward pass); its own values are numbered after the forward's.
 *
 * @param forward        the step function it differentiates
 * @param outputAdjoints one input value per forward output: the adjoint of that output
 * @param ops            the adjoint computation, in definition order
 * @param inputAdjoint   the adjoint of the step's input x
 * @param stateAdjoints  the adjoints of the previous states, in the forward's state order
 * @param updates        gradient accumulations, in parameter layout order
 * @param hoisted        adjoint values (and updates) that differentiate hoisted forward ops: computed for every
 *                       step after the reversed recurrence
 */
public record AdjointFunction(StepFunction forward, List<Value> outputAdjoints, List<Op> ops, Value inputAdjoint,
        List<Value> stateAdjoints, List<GradientUpdate> updates, java.util.Set<Integer> hoisted) {
    public AdjointFunction {
        outputAdjoints = List.copyOf(outputAdjoints);
        ops = List.copyOf(ops);
        stateAdjoints = List.copyOf(stateAdjoints);
        updates = List.copyOf(updates);
        hoisted = java.util.Set.copyOf(hoisted);
    }

    public boolean isHoisted(Value value) {
        return hoisted.contains(value.id());
    }

    /**
     * {@code grad[parameter] += adjoint ⊗ operand} for a matrix (operand present), or {@code += adjoint} for a
     * vector parameter.
     */
    public record GradientUpdate(String parameter, Value adjoint, java.util.Optional<Value> operand,
            boolean hoisted) {
    }
}
