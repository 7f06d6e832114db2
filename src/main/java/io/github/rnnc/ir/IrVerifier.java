package io.github.rnnc.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the invariants every pass must keep: SSA (each value defined once, before use), sizes agree, parameters
 * exist with the right shapes. A failure is a compiler bug, never a user error.
 */
public final class IrVerifier {
    private IrVerifier() {
    }

    public static void verify(NetworkIr network) {
        network.layers().forEach(layer -> {
            if (layer instanceof NetworkIr.Recurrent recurrent) {
                verify(recurrent.forward());
                recurrent.backward().ifPresent(IrVerifier::verify);
            } else {
                verify(((NetworkIr.PerStep) layer).function());
            }
        });
    }

    public static void verify(AdjointFunction adjoint) {
        Set<Integer> defined = new HashSet<>();
        adjoint.forward().ops().forEach(op -> defined.add(op.result().id()));
        StepFunction function = adjoint.forward();
        for (Op op : adjoint.ops()) {
            for (Value operand : op.operands()) {
                check(defined.contains(operand.id()), function, op, operand + " used before its definition");
            }
            check(defined.add(op.result().id()), function, op, op.result() + " defined twice");
            checkSizes(function, op);
        }
        check(adjoint.inputAdjoint().size() == function.input().size(), function, null, "input adjoint size");
        for (int i = 0; i < function.states().size(); i++) {
            check(adjoint.stateAdjoints().get(i).size() == function.states().get(i).size(), function, null,
                    "state adjoint size");
        }
        for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
            check(defined.contains(update.adjoint().id()), function, null, "gradient of undefined value");
            List<Integer> shape = function.tensor(update.parameter()).shape();
            check(update.operand().isPresent() ? shape.equals(List.of(update.adjoint().size(),
                    update.operand().get().size())) : shape.equals(List.of(update.adjoint().size())), function, null,
                    "gradient shape of " + update.parameter());
        }
    }

    public static void verify(StepFunction function) {
        Set<Integer> defined = new HashSet<>();
        for (Op op : function.ops()) {
            for (Value operand : op.operands()) {
                check(defined.contains(operand.id()), function, op, operand + " used before its definition");
            }
            check(defined.add(op.result().id()), function, op, op.result() + " defined twice");
            checkSizes(function, op);
        }
        check(defined.contains(function.input().id()), function, null, "input not defined");
        for (Value value : function.states()) {
            check(defined.contains(value.id()), function, null, "state " + value + " not defined");
        }
        for (int i = 0; i < function.outputs().size(); i++) {
            Value output = function.outputs().get(i);
            check(defined.contains(output.id()), function, null, "output " + output + " not defined");
            if (i < function.states().size()) {
                check(output.size() == function.states().get(i).size(), function, null,
                        "output " + output + " does not match its state's size");
            }
        }
    }

    private static void checkSizes(StepFunction function, Op op) {
        int size = op.result().size();
        if (op instanceof Op.MatVec matVec) {
            List<Integer> shape = function.tensor(matVec.matrix()).shape();
            check(shape.size() == 2 && shape.get(0) == size && shape.get(1) == matVec.vector().size(), function, op,
                    "matrix shape " + shape + " does not fit");
        } else if (op instanceof Op.StackedMatVec stacked) {
            int rows = 0;
            for (String matrix : stacked.matrices()) {
                List<Integer> shape = function.tensor(matrix).shape();
                check(shape.size() == 2 && shape.get(1) == stacked.vector().size(), function, op, "stacked " + matrix);
                rows += shape.get(0);
            }
            check(rows == size, function, op, "stacked rows");
        } else if (op instanceof Op.ParameterVector vector) {
            check(function.tensor(vector.parameter()).shape().equals(List.of(size)), function, op, "vector shape");
        } else if (op instanceof Op.Binary binary) {
            check(fits(binary.left(), size) && fits(binary.right(), size), function, op, "operand sizes");
        } else if (op instanceof Op.Unary unary) {
            check(fits(unary.operand(), size), function, op, "operand size");
        } else if (op instanceof Op.Softmax softmax) {
            check(softmax.operand().size() == size, function, op, "operand size");
        } else if (op instanceof Op.Concat concat) {
            check(concat.parts().stream().mapToInt(Value::size).sum() == size, function, op, "concat size");
        } else if (op instanceof Op.MatVecTransposed t) {
            List<Integer> shape = function.tensor(t.matrix()).shape();
            check(shape.get(1) == size && shape.get(0) == t.vector().size(), function, op, "transposed shape");
        } else if (op instanceof Op.Embed embed) {
            check(embed.offset() >= 0 && embed.offset() + embed.operand().size() <= size, function, op, "embed");
        } else if (op instanceof Op.SoftmaxGradient sg) {
            check(sg.output().size() == size && sg.adjoint().size() == size, function, op, "softmax gradient");
        } else if (op instanceof Op.Slice slice) {
            check(slice.from() >= 0 && slice.to() <= slice.operand().size() && slice.to() - slice.from() == size,
                    function, op, "slice bounds");
        }
    }

    private static boolean fits(Value operand, int size) {
        return operand.scalar() || operand.size() == size;
    }

    private static void check(boolean condition, StepFunction function, Op op, String problem) {
        if (!condition) {
            throw new IllegalStateException("invalid IR in step " + function.name() + (op == null ? ""
                    : " at " + op.result() + " = " + IrPrinter.describe(op)) + ": " + problem);
        }
    }
}
