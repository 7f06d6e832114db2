package io.github.rnnc.codegen;

import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.Value;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The slices among some ops: a slice is a view, so what reads it reads its operand's storage. */
final class Views {
    private final Map<Integer, Integer> viewOf = new HashMap<>();

    Views(List<Op> ops) {
        for (Op op : ops) {
            if (op instanceof Op.Slice slice) {
                viewOf.put(slice.result().id(), slice.operand().id());
            }
        }
    }

    /** The value whose storage value {@code id} is a view of (itself when it is not a slice). */
    int base(int id) {
        int target = id;
        while (viewOf.containsKey(target)) {
            target = viewOf.get(target);
        }
        return target;
    }

    /**
     * The values that some op reads outside the value's own fused loop ({@code loops}: value id to loop): from no
     * loop, from another loop, or through a slice (a fused loop keeps a value in a local for the ops after it, but
     * reads a slice from memory). The others live in locals of their loop.
     */
    Set<Integer> readOutsideOwnLoop(List<Op> ops, Map<Integer, Integer> loops) {
        Set<Integer> outside = new HashSet<>();
        for (Op op : ops) {
            if (op instanceof Op.Slice) {
                continue;
            }
            Integer loop = loops.get(op.result().id());
            for (Value operand : op.operands()) {
                int base = base(operand.id());
                if (base != operand.id() || loop == null || !loop.equals(loops.get(base))) {
                    outside.add(base);
                }
            }
        }
        return outside;
    }
}
