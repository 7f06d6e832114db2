package io.github.rnnc.codegen;

import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every value of one step function lives during the forward pass. Inside a generated step method,
 * {@code row} is {@code t * maxBatch + b}, {@code in}/{@code inOff} locate the step's input vector.
 * <ul>
 * <li>states: {@code [maxSteps + 1][maxBatch][size]}; the state before step t is row {@code row}, after it
 * {@code row + maxBatch};</li>
 * <li>computed values: {@code [maxSteps][maxBatch][size]}, kept for the backward pass;</li>
 * <li>slices are views; parameter vectors read the parameter array; scalar constants are literals.</li>
 * </ul>
 */
final class StorageMap {
    /** A field to allocate: its name and its element count per (step, batch) row. */
    record Buffer(String field, int rowSize, boolean stateBuffer) {
    }

    private final Map<Integer, Ref> refs = new HashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    /** Outputs whose value could not be written in place and must be copied into the state row afterwards. */
    private final Map<Integer, Integer> copiedOutputs = new LinkedHashMap<>();

    StorageMap(StepFunction step, String prefix, Target target, ParameterOffsets offsets) {
        refs.put(step.input().id(), Ref.of("in", "inOff"));
        for (int k = 0; k < step.states().size(); k++) {
            Value state = step.states().get(k);
            String field = prefix + "_s" + k;
            buffers.put(field, new Buffer(field, state.size(), true));
            refs.put(state.id(), Ref.of(field, "row * " + state.size()));
        }
        Map<Integer, Integer> outputIndex = new HashMap<>();
        for (int k = 0; k < step.outputs().size(); k++) {
            outputIndex.putIfAbsent(step.outputs().get(k).id(), k);
        }
        for (Op op : step.ops()) {
            Value result = op.result();
            if (refs.containsKey(result.id())) {
                continue;
            }
            if (op instanceof Op.Constant constant) {
                refs.put(result.id(), Ref.scalar(target.literal(constant.value())));
            } else if (op instanceof Op.ParameterVector parameter) {
                refs.put(result.id(), Ref.of("parameters", offsets.constant(step, parameter.parameter())));
            } else if (op instanceof Op.Slice slice) {
                refs.put(result.id(), refs.get(slice.operand().id()).plus(slice.from()));
            } else if (outputIndex.containsKey(result.id()) && outputIndex.get(result.id()) < step.states().size()) {
                int k = outputIndex.get(result.id());
                refs.put(result.id(), Ref.of(prefix + "_s" + k, "(row + maxBatch) * " + result.size()));
            } else {
                String field = prefix + "_v" + result.id();
                buffers.put(field, new Buffer(field, result.size(), false));
                refs.put(result.id(), Ref.of(field, "row * " + result.size()));
            }
        }
        // Outputs that are not computed in place (a state passed through, a slice, a parameter, or one value
        // returned as two states) are copied into their state rows at the end of the step.
        for (int k = 0; k < step.states().size(); k++) {
            Value output = step.outputs().get(k);
            Ref ref = refs.get(output.id());
            String expected = prefix + "_s" + k;
            if (!(expected.equals(ref.array()) && ref.base().startsWith("(row + maxBatch)"))) {
                copiedOutputs.put(k, output.id());
            }
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
