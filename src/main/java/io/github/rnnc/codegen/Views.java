package io.github.rnnc.codegen;

import io.github.rnnc.ir.Op;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
}
