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
     * @param storage      where the forward pass of a training step keeps its values
     * @param inference    where {@code forward}, which no backward pass follows, keeps them (a recurrent step's
     *                     values that only the backward pass reads then live for one step); the same as
     *                     {@code storage} for a stateless step, which runs over all steps at once
     * @param stateOffsets offset of each state within a row of the initial-state array
     */
    record Direction(StepFunction step, AdjointFunction adjoint, String prefix, boolean reversed,
            StorageMap storage, StorageMap inference, List<Integer> stateOffsets) {
    }

    boolean recurrent() {
        return layer instanceof NetworkIr.Recurrent;
    }
}
