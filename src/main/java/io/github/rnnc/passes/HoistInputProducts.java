package io.github.rnnc.passes;

import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Marks the values that do not depend on a state and are worth computing before the recurrence. The code
 * generator computes those for all steps of a sequence at once, so input-to-hidden products become one
 * matrix-matrix product over batch x steps instead of one matrix-vector product per step; a layer without states
 * (dense) is hoisted whole. An element-wise op whose every use is inside the recurrence (the input bias added to
 * the input product, say) stays in it: computed there it costs the same, joins the step's fused loop, and needs
 * no buffer of all steps, which the step would otherwise read back from memory.
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
        sinkIntoRecurrence(step, hoisted);
        return step.withHoisted(hoisted);
    }

    /** Un-hoists element-wise ops used only inside the recurrence; in reverse order, so whole chains follow. */
    private static void sinkIntoRecurrence(StepFunction step, Set<Integer> hoisted) {
        Map<Integer, List<Op>> uses = new HashMap<>();
        for (Op op : step.ops()) {
            op.operands().forEach(v -> uses.computeIfAbsent(v.id(), id -> new ArrayList<>()).add(op));
        }
        Set<Integer> outputs = new HashSet<>();
        step.outputs().forEach(v -> outputs.add(v.id()));
        List<Op> ops = step.ops();
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            int id = op.result().id();
            List<Op> users = uses.getOrDefault(id, List.of());
            if (hoisted.contains(id) && isElementwise(op) && !outputs.contains(id) && !users.isEmpty()
                    && users.stream().noneMatch(user -> hoisted.contains(user.result().id()))) {
                hoisted.remove(id);
            }
        }
    }

    /** What the step's fused loops take (see FuseElementwise), and the views of them. */
    private static boolean isElementwise(Op op) {
        return FuseElementwise.fusable(op) || op instanceof Op.Slice || op instanceof Op.Concat;
    }
}
