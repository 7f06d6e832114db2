package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reverse-mode differentiation of a step function, by the rules of a {@link DerivativeTable}. The time loop
 * (BPTT) is the code generator's: it runs the adjoint function from the last step to the first, feeding each
 * step's state adjoints to the step before.
 */
public final class Differentiation {
    private Differentiation() {
    }

    public static AdjointFunction differentiate(StepFunction forward, DerivativeTable table) {
        int firstId = forward.ops().stream().mapToInt(op -> op.result().id()).max().orElse(-1) + 1;
        AdjointBuilder builder = new AdjointBuilder(firstId, matrix -> forward.tensor(matrix).shape().get(0));
        List<Value> outputAdjoints = new ArrayList<>();
        for (int k = 0; k < forward.outputs().size(); k++) {
            Value output = forward.outputs().get(k);
            String name = k < forward.stateNames().size() ? "adjoint " + forward.stateNames().get(k) + "'"
                    : "adjoint output";
            Value adjoint = builder.input(name, output.size());
            outputAdjoints.add(adjoint);
            builder.contribute(output, adjoint);
        }
        List<Op> reversed = new ArrayList<>(forward.ops());
        java.util.Collections.reverse(reversed);
        for (Op op : reversed) {
            Value g = builder.adjointOf(op.result());
            if (g != null) {
                builder.differentiating(forward.isHoisted(op.result()));
                table.apply(op, g, builder);
            }
        }
        builder.differentiating(false);
        Value inputAdjoint = orZeros(builder, forward.input());
        List<Value> stateAdjoints = new ArrayList<>();
        for (Value state : forward.states()) {
            stateAdjoints.add(orZeros(builder, state));
        }
        List<AdjointFunction.GradientUpdate> updates = new ArrayList<>(builder.updates());
        List<String> layout = forward.parameters().stream().map(StepFunction.Tensor::local).toList();
        updates.sort(Comparator.comparingInt(u -> layout.indexOf(u.parameter())));
        return new AdjointFunction(forward, outputAdjoints, builder.ops(), inputAdjoint, stateAdjoints, updates,
                builder.hoisted());
    }

    private static Value orZeros(AdjointBuilder builder, Value forward) {
        Value adjoint = builder.adjointOf(forward);
        return adjoint != null ? adjoint : builder.zeros(forward.size());
    }
}
