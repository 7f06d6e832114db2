package io.github.rnnc.codegen;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hoisted adjoint ops that serve only the adjoint of the step's input: for the first layer, whose input is the
 * network's, they can be left out when nobody asks for d loss / d x (a training step; PyTorch computes nothing for
 * an input that does not require grad). For an LSTM that is the product dz · W_ih over all steps, a third of the
 * layer's backward products. Empty when the input's adjoint is computed per step (inside the recurrence) or is read
 * by anything else.
 */
final class InputAdjointCone {
    private InputAdjointCone() {
    }

    static Set<Integer> of(AdjointFunction adjoint) {
        Value dx = adjoint.inputAdjoint();
        Map<Integer, List<Integer>> readers = new HashMap<>();
        for (Op op : adjoint.ops()) {
            op.operands().forEach(v -> readers.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(op.result().id()));
        }
        // read outside the ops: by parameter updates and as state adjoints
        Set<Integer> outside = new HashSet<>();
        adjoint.updates().forEach(u -> {
            outside.add(u.adjoint().id());
            u.operand().ifPresent(v -> outside.add(v.id()));
        });
        adjoint.stateAdjoints().forEach(v -> outside.add(v.id()));
        if (!adjoint.isHoisted(dx) || readers.containsKey(dx.id()) || outside.contains(dx.id())) {
            return Set.of();
        }
        // A fused loop runs as one block: it is left out whole or not at all.
        Set<Integer> kept = new HashSet<>();
        while (true) {
            Set<Integer> cone = cone(adjoint, dx, readers, outside, kept);
            Set<Integer> mixed = mixedLoops(adjoint, cone);
            if (mixed.isEmpty()) {
                return cone;
            }
            adjoint.loops().forEach((id, loop) -> {
                if (mixed.contains(loop)) {
                    kept.add(id);
                }
            });
        }
    }

    /** dx's op, and every hoisted op (not in {@code kept}, not read outside the ops) that only ops of the cone read. */
    private static Set<Integer> cone(AdjointFunction adjoint, Value dx, Map<Integer, List<Integer>> readers,
            Set<Integer> outside, Set<Integer> kept) {
        Set<Integer> cone = new HashSet<>();
        if (kept.contains(dx.id())) {
            return cone;
        }
        cone.add(dx.id());
        List<Op> ops = adjoint.ops();
        // readers come after what they read: deciding in reverse order sees every reader decided
        for (int i = ops.size() - 1; i >= 0; i--) {
            int id = ops.get(i).result().id();
            List<Integer> by = readers.getOrDefault(id, List.of());
            if (!cone.contains(id) && adjoint.isHoisted(ops.get(i).result()) && !kept.contains(id)
                    && !outside.contains(id) && !by.isEmpty() && cone.containsAll(by)) {
                cone.add(id);
            }
        }
        return cone;
    }

    private static Set<Integer> mixedLoops(AdjointFunction adjoint, Set<Integer> cone) {
        Map<Integer, Boolean> inCone = new HashMap<>();
        Set<Integer> mixed = new HashSet<>();
        adjoint.loops().forEach((id, loop) -> {
            Boolean earlier = inCone.putIfAbsent(loop, cone.contains(id));
            if (earlier != null && earlier != cone.contains(id)) {
                mixed.add(loop);
            }
        });
        return mixed;
    }
}
