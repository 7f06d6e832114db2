package io.github.rnnc.codegen;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where every value of one step function lives during the forward pass. Rows are {@code t * maxBatch + b}.
 * <ul>
 * <li>the input x: the direction's input sequence, {@code [steps][maxBatch][inSize]};</li>
 * <li>states: {@code [maxSteps + 1][maxBatch][size]}; the state before step t is row r, after it row
 * {@code r + maxBatch};</li>
 * <li>computed values that the backward pass reads, hoisted values and outputs: {@code [maxSteps][maxBatch][size]}
 * (a stateless layer's output is the layer's output array itself);</li>
 * <li>the other values of a recurrent step: one step's rows, {@code [maxBatch][size]} (row b), or, when only the ops
 * after it in its own fused loop read it, no storage at all (a local of the loop). Kept for every step, they were
 * written to a fresh part of a buffer of maxSteps rows at every step, which at batch 64 and H = 32 made the
 * elementwise part of a forward step memory-bound.</li>
 * <li>slices are views; parameter vectors read the parameter array; scalar constants are literals.</li>
 * </ul>
 * Without an adjoint ({@link #forInference}) nothing is kept for a backward pass: a value that only the backward
 * pass reads lives for one step, in the first maxBatch rows of the buffer the training map gives it, or in a local.
 */
final class StorageMap {
    /** How many rows a buffer has. */
    enum Rows {
        /** {@code (maxSteps + 1) * maxBatch}: a state, with the initial state's row. */
        STATE,
        /** {@code maxSteps * maxBatch}. */
        EVERY_STEP,
        /** {@code maxBatch}: one step's values. */
        ONE_STEP;

        String count() {
            return switch (this) {
                case STATE -> "(maxSteps + 1) * maxBatch";
                case EVERY_STEP -> "maxSteps * maxBatch";
                case ONE_STEP -> "maxBatch";
            };
        }
    }

    /** A field to allocate: its name, its element count per row and its rows. */
    record Buffer(String field, int rowSize, Rows rows) {
    }

    private final Map<Integer, Ref> refs = new HashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    /** State outputs that are not computed in place and are copied into the next state row after the step. */
    private final Map<Integer, Integer> copiedOutputs = new LinkedHashMap<>();

    /**
     * The storage of a forward pass that no backward pass follows ({@code forward}): its buffers have the names of
     * the training map's and at most as many rows, so that it reads and writes only buffers that map allocates.
     */
    static StorageMap forInference(StepFunction step, String prefix, String inArray, String outArray, Target target,
            ParameterOffsets offsets) {
        return new StorageMap(step, null, prefix, inArray, outArray, target, offsets);
    }

    /** @param adjoint the step's adjoint, whose operands are kept for every step */
    StorageMap(StepFunction step, AdjointFunction adjoint, String prefix, String inArray, String outArray,
            Target target, ParameterOffsets offsets) {
        refs.put(step.input().id(), Ref.rows(inArray, Ref.Row.R, step.input().size()));
        for (int k = 0; k < step.states().size(); k++) {
            Value state = step.states().get(k);
            String field = prefix + "_s" + k;
            buffers.put(field, new Buffer(field, state.size(), Rows.STATE));
            refs.put(state.id(), Ref.rows(field, Ref.Row.R, state.size()));
        }
        Readers readers = new Readers(step, adjoint);
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
            } else if (stateless || step.isHoisted(result) || readers.keptForEveryStep(result.id())) {
                String field = prefix + "_v" + result.id();
                buffers.put(field, new Buffer(field, result.size(), Rows.EVERY_STEP));
                refs.put(result.id(), Ref.rows(field, Ref.Row.R, result.size()));
            } else if (readers.onlyInOwnLoop(result.id())) {
                refs.put(result.id(), Ref.local());
            } else {
                String field = prefix + "_v" + result.id();
                buffers.put(field, new Buffer(field, result.size(), Rows.ONE_STEP));
                refs.put(result.id(), Ref.rows(field, Ref.Row.B, result.size()));
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

    /**
     * Who reads each value of a step, through views (a slice reads its operand's storage): the backward pass, the
     * layer (outputs), and forward ops inside or outside the value's own fused loop.
     */
    private static final class Readers {
        private final Views views;
        private final Set<Integer> everyStep = new HashSet<>();
        private final Set<Integer> outsideOwnLoop;
        private final Map<Integer, Integer> loops;

        Readers(StepFunction step, AdjointFunction adjoint) {
            loops = step.loops();
            views = new Views(step.ops());
            step.outputs().forEach(v -> everyStep.add(views.base(v.id())));
            if (adjoint != null) {
                for (Op op : adjoint.ops()) {
                    op.operands().forEach(v -> everyStep.add(views.base(v.id())));
                }
                for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
                    update.operand().ifPresent(v -> everyStep.add(views.base(v.id())));
                }
            }
            outsideOwnLoop = views.readOutsideOwnLoop(step.ops(), loops);
        }

        boolean keptForEveryStep(int id) {
            return everyStep.contains(id);
        }

        boolean onlyInOwnLoop(int id) {
            return loops.containsKey(id) && !outsideOwnLoop.contains(id);
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
