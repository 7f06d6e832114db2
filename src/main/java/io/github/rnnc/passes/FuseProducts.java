package io.github.rnnc.passes;

import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matrix products that share their vector operand become one product with the matrices stacked row-wise, so the
 * vector is read once (the minimal gated unit's {@code W_f @ x} and {@code W_h @ x}). The stacked product stands
 * where the first of them stood; each original result becomes a slice of it.
 */
public final class FuseProducts {
    public static final String NAME = "fuse-products";

    private FuseProducts() {
    }

    public static NetworkIr run(NetworkIr network) {
        return Passes.mapSteps(network, FuseProducts::run);
    }

    public static StepFunction run(StepFunction step) {
        Map<Integer, List<Op.MatVec>> byOperand = new LinkedHashMap<>();
        for (Op op : step.ops()) {
            if (op instanceof Op.MatVec matVec) {
                byOperand.computeIfAbsent(matVec.vector().id(), k -> new ArrayList<>()).add(matVec);
            }
        }
        int nextId = step.ops().stream().mapToInt(op -> op.result().id()).max().orElse(-1) + 1;
        Map<Op, List<Op>> replacements = new LinkedHashMap<>();
        for (List<Op.MatVec> group : byOperand.values()) {
            if (group.size() < 2) {
                continue;
            }
            int rows = group.stream().mapToInt(m -> m.result().size()).sum();
            Value stacked = new Value(nextId++, rows, false);
            List<String> matrices = group.stream().map(Op.MatVec::matrix).toList();
            int offset = 0;
            for (int k = 0; k < group.size(); k++) {
                Op.MatVec matVec = group.get(k);
                List<Op> replacement = new ArrayList<>();
                if (k == 0) {
                    replacement.add(new Op.StackedMatVec(stacked, matrices, matVec.vector()));
                }
                replacement.add(new Op.Slice(matVec.result(), stacked, offset, offset + matVec.result().size()));
                offset += matVec.result().size();
                replacements.put(matVec, replacement);
            }
        }
        if (replacements.isEmpty()) {
            return step;
        }
        List<Op> ops = new ArrayList<>();
        for (Op op : step.ops()) {
            ops.addAll(replacements.getOrDefault(op, List.of(op)));
        }
        return step.withOps(ops, step.outputs());
    }
}
