package io.github.rnnc.codegen;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.StepFunction;
import java.util.List;

/**
 * How one layer is wired in the generated class: where it reads its input, where it writes its output and the
 * adjoints, and its directions (one step function each).
 *
 * @param inArray     the array holding the layer's input sequence ({@code [steps][maxBatch][inSize]}) or, after
 *                    a many-to-one layer, its input vectors ({@code [maxBatch][inSize]})
 * @param inSequence  whether the input has a time axis
 * @param outSequence whether the output has a time axis
 */
record LayerPlan(NetworkIr.Layer layer, int index, String inArray, String dInArray, int inSize,
        boolean inSequence, String outArray, String dOutArray, int outSize, boolean outSequence,
        List<Direction> directions) {

    /**
     * @param stateOffsets offset of each state within a row of the initial-state array
     */
    record Direction(StepFunction step, AdjointFunction adjoint, String prefix, boolean reversed,
            StorageMap storage, List<Integer> stateOffsets) {
    }

    boolean recurrent() {
        return layer instanceof NetworkIr.Recurrent;
    }
}
