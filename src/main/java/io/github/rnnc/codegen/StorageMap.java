package io.github.rnnc.codegen;

import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where every value of one step function lives during the forward pass. Rows are {@code t * maxBatch + b}.
 * <ul>
 * <li>the input x: the direction's input sequence, {@code [steps][maxBatch][inSize]};</li>
 * <li>states: {@code [maxSteps + 1][maxBatch][size]}; the state before step t is row r, after it row
 * {@code r + maxBatch};</li>
 * <li>computed values: {@code [maxSteps][maxBatch][size]}, kept for the backward pass (a stateless layer's output
 * is the layer's output array itself);</li>
 * <li>slices are views; parameter vectors read the parameter array; scalar constants are literals.</li>
 * </ul>
 */
final class StorageMap {
    /** A field to allocate: its name, its element count per row, whether it has the extra initial-state row. */
    record Buffer(String field, int rowSize, boolean stateBuffer) {
    }

    private final Map<Integer, Ref> refs = new HashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    /** State outputs that are not computed in place and are copied into the next state row after the step. */
    private final Map<Integer, Integer> copiedOutputs = new LinkedHashMap<>();

    StorageMap(StepFunction step, String prefix, String inArray, String outArray, Target target,
            ParameterOffsets offsets) {
        refs.put(step.input().id(), Ref.rows(inArray, Ref.Row.R, step.input().size()));
        for (int k = 0; k < step.states().size(); k++) {
            Value state = step.states().get(k);
            String field = prefix + "_s" + k;
            buffers.put(field, new Buffer(field, state.size(), true));
            refs.put(state.id(), Ref.rows(field, Ref.Row.R, state.size()));
        }
        Map<Integer, Integer> outputIndex = new HashMap<>();
        for (int k = 0; k < step.outputs().size(); k++) {
            outputIndex.putIfAbsent(step.outputs().get(k).id(), k);
        }
        boolean stateless = step.states().isEmpty();
        for (Op op : step.ops()) {
            Value result = op.result();
            if (refs.containsKey(result.id())) {
                continue;
            }
            Integer output = outputIndex.get(result.id());
            if (op instanceof Op.Constant constant) {
                refs.put(result.id(), Ref.scalar(target.literal(constant.value())));
            } else if (op instanceof Op.ParameterVector parameter) {
                refs.put(result.id(), Ref.fixed("parameters", offsets.constant(step, parameter.parameter())));
            } else if (op instanceof Op.Slice slice) {
                refs.put(result.id(), refs.get(slice.operand().id()).plus(slice.from()));
            } else if (output != null && output < step.states().size()) {
                refs.put(result.id(), Ref.rows(prefix + "_s" + output, Ref.Row.NEXT, result.size()));
            } else if (output != null && stateless && outArray != null) {
                refs.put(result.id(), Ref.rows(outArray, Ref.Row.R, result.size()));
            } else {
                String field = prefix + "_v" + result.id();
                buffers.put(field, new Buffer(field, result.size(), false));
                refs.put(result.id(), Ref.rows(field, Ref.Row.R, result.size()));
            }
        }
        for (int k = 0; k < step.states().size(); k++) {
            Ref ref = refs.get(step.outputs().get(k).id());
            if (!(ref.array().equals(prefix + "_s" + k) && ref.row() == Ref.Row.NEXT && ref.offset().equals("0"))) {
                copiedOutputs.put(k, step.outputs().get(k).id());
            }
        }
        if (stateless && outArray != null && !refs.get(step.outputs().get(0).id()).array().equals(outArray)) {
            copiedOutputs.put(0, step.outputs().get(0).id());
        }
    }

    Ref ref(Value value) {
        Ref ref = refs.get(value.id());
        if (ref == null) {
            throw new IllegalStateException("no storage for " + value);
        }
        return ref;
    }

    Map<String, Buffer> buffers() {
        return buffers;
    }

    Map<Integer, Integer> copiedOutputs() {
        return copiedOutputs;
    }
}
