package io.github.rnnc.passes;

import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.HashSet;
import java.util.Set;

/**
 * Marks every value that does not depend on a state. The code generator computes those for all steps of a
 * sequence before the recurrence, so input-to-hidden products become one matrix-matrix product over
 * batch x steps instead of one matrix-vector product per step; a layer without states (dense) is hoisted whole.
 */
public final class HoistInputProducts {
    public static final String NAME = "hoist-input-products";

    private HoistInputProducts() {
    }

    public static NetworkIr run(NetworkIr network) {
        return Passes.mapSteps(network, HoistInputProducts::run);
    }

    public static StepFunction run(StepFunction step) {
        Set<Integer> states = new HashSet<>();
        step.states().forEach(s -> states.add(s.id()));
        Set<Integer> hoisted = new HashSet<>();
        for (Op op : step.ops()) {
            boolean independent = op instanceof Op.Input ? !states.contains(op.result().id())
                    : op.operands().stream().allMatch(v -> hoisted.contains(v.id()));
            if (independent) {
                hoisted.add(op.result().id());
            }
        }
        // Outputs are written into the state rows of each step, so they are computed inside the recurrence.
        for (Value output : step.outputs().subList(0, step.states().size())) {
            hoisted.remove(output.id());
        }
        return step.withHoisted(hoisted);
    }
}
