package io.github.rnnc.ir;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stable text form of the IR ({@code rnnc compile --dump-ir}), used by golden tests. */
public final class IrPrinter {
    private IrPrinter() {
    }

    public static String print(NetworkIr network) {
        return print(network, step -> "");
    }

    /** The network as {@link #print(NetworkIr)}, each step function followed by its adjoint. */
    public static String print(DifferentiatedNetwork differentiated) {
        return print(differentiated.network(), step -> '\n' + print(differentiated.adjoint(step)));
    }

    private static String print(NetworkIr network, java.util.function.Function<StepFunction, String> after) {
        StringBuilder out = new StringBuilder();
        out.append("network ").append(qualified(network)).append("  // from ").append(network.sourcePath())
                .append('\n');
        out.append("  input f[").append(network.inputSize()).append("]");
        network.fixedSteps().ifPresent(steps -> out.append(", steps = ").append(steps));
        out.append('\n');
        for (NetworkIr.Layer layer : network.layers()) {
            if (layer instanceof NetworkIr.Recurrent recurrent) {
                out.append("  layer ").append(layer.index()).append(": recurrent ").append(recurrent.forward().name());
                recurrent.backward().ifPresent(b -> out.append(" + ").append(b.name()).append(", merge ")
                        .append(recurrent.merge().name().toLowerCase(Locale.ROOT)));
                out.append(recurrent.returnSequences() ? ", every step" : ", last step");
            } else {
                NetworkIr.PerStep perStep = (NetworkIr.PerStep) layer;
                out.append("  layer ").append(layer.index()).append(": ").append(perStep.function().name())
                        .append(perStep.sequenceOutput() ? ", every step" : ", once");
            }
            out.append(" -> f[").append(layer.outputSize()).append("]\n");
        }
        network.training().ifPresent(training -> {
            out.append("  train ").append(training.loss().name().toLowerCase(Locale.ROOT)).append(", ")
                    .append(optimizer(training.optimizer()));
            training.clipNorm().ifPresent(v -> out.append(", clip_norm ").append(number(v)));
            training.clipValue().ifPresent(v -> out.append(", clip_value ").append(number(v)));
            training.truncate().ifPresent(v -> out.append(", truncate ").append(v));
            out.append('\n');
        });
        for (NetworkIr.Layer layer : network.layers()) {
            if (layer instanceof NetworkIr.Recurrent recurrent) {
                out.append('\n').append(print(recurrent.forward())).append(after.apply(recurrent.forward()));
                recurrent.backward().ifPresent(b -> out.append('\n').append(print(b)).append(after.apply(b)));
            } else {
                StepFunction function = ((NetworkIr.PerStep) layer).function();
                out.append('\n').append(print(function)).append(after.apply(function));
            }
        }
        return out.toString();
    }

    public static String print(StepFunction function) {
        StringBuilder out = new StringBuilder();
        out.append("step ").append(function.name()).append("(").append(function.input()).append(": ")
                .append(function.input().type()).append(" = x");
        for (int i = 0; i < function.states().size(); i++) {
            Value state = function.states().get(i);
            out.append(", ").append(state).append(": ").append(state.type()).append(" = ")
                    .append(function.stateNames().get(i));
        }
        out.append(") {\n");
        for (StepFunction.Tensor tensor : function.parameters()) {
            out.append("  param ").append(tensor.local()).append(tensor.shape()).append(" \"")
                    .append(tensor.publicName()).append("\" init ").append(tensor.initializer()).append('\n');
        }
        for (Op op : function.ops()) {
            if (op instanceof Op.Input) {
                continue;
            }
            out.append("  ").append(op.result()).append(" = ").append(describe(op)).append(" : ")
                    .append(op.result().type());
            if (function.isHoisted(op.result()) && !(op instanceof Op.Constant || op instanceof Op.ParameterVector)) {
                out.append("  hoisted");
            }
            if (function.loops().containsKey(op.result().id())) {
                out.append("  loop ").append(function.loops().get(op.result().id()));
            }
            out.append('\n');
        }
        out.append("  return ").append(function.outputs().stream().map(Value::toString)
                .collect(Collectors.joining(", "))).append('\n');
        return out.append("}\n").toString();
    }

    public static String print(AdjointFunction adjoint) {
        StringBuilder out = new StringBuilder();
        out.append("adjoint ").append(adjoint.forward().name()).append("(");
        out.append(adjoint.outputAdjoints().stream().map(v -> v + ": " + v.type()).collect(Collectors.joining(", ")));
        out.append(") {\n");
        for (Op op : adjoint.ops()) {
            if (op instanceof Op.Input) {
                continue;
            }
            out.append("  ").append(op.result()).append(" = ").append(describe(op)).append(" : ")
                    .append(op.result().type()).append(adjoint.isHoisted(op.result()) ? "  hoisted" : "")
                    .append(adjoint.loops().containsKey(op.result().id()) ? "  loop "
                            + adjoint.loops().get(op.result().id()) : "").append('\n');
        }
        for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
            out.append("  grad ").append(update.parameter()).append(" += ").append(update.adjoint())
                    .append(update.operand().map(v -> " outer " + v).orElse(""))
                    .append(update.hoisted() ? "  hoisted" : "").append('\n');
        }
        out.append("  return dx ").append(adjoint.inputAdjoint());
        for (int i = 0; i < adjoint.stateAdjoints().size(); i++) {
            out.append(", d").append(adjoint.forward().stateNames().get(i)).append(' ')
                    .append(adjoint.stateAdjoints().get(i));
        }
        return out.append("\n}\n").toString();
    }

    static String describe(Op op) {
        if (op instanceof Op.Constant constant) {
            return "const " + number(constant.value());
        }
        if (op instanceof Op.ParameterVector parameter) {
            return "param " + parameter.parameter();
        }
        if (op instanceof Op.MatVec matVec) {
            return "matvec " + matVec.matrix() + ", " + matVec.vector();
        }
        if (op instanceof Op.StackedMatVec stacked) {
            return "matvec " + stacked.matrices() + ", " + stacked.vector();
        }
        if (op instanceof Op.Binary binary) {
            return binary.kind().name().toLowerCase(Locale.ROOT) + " " + binary.left() + ", " + binary.right();
        }
        if (op instanceof Op.Unary unary) {
            return unary.kind().spelled() + " " + unary.operand();
        }
        if (op instanceof Op.Softmax softmax) {
            return "softmax " + softmax.operand();
        }
        if (op instanceof Op.Concat concat) {
            return "concat " + join(concat.parts());
        }
        if (op instanceof Op.Slice slice) {
            return "slice " + slice.operand() + "[" + slice.from() + ":" + slice.to() + "]";
        }
        if (op instanceof Op.Zeros) {
            return "zeros";
        }
        if (op instanceof Op.MatVecTransposed t) {
            return "matvec_t " + t.matrix() + ", " + t.vector();
        }
        if (op instanceof Op.Embed embed) {
            return "embed " + embed.operand() + " at " + embed.offset();
        }
        if (op instanceof Op.SoftmaxGradient sg) {
            return "softmax_grad " + sg.output() + ", " + sg.adjoint();
        }
        return "input " + ((Op.Input) op).name();
    }

    private static String join(List<Value> values) {
        return values.stream().map(Value::toString).collect(Collectors.joining(", "));
    }

    /** Locale-independent, exact for floats: the shortest text that reads back to the same double. */
    public static String number(double value) {
        return Double.toString(value);
    }

    private static String optimizer(NetworkIr.Optimizer optimizer) {
        if (optimizer instanceof NetworkIr.Optimizer.Sgd sgd) {
            return "sgd(lr " + number(sgd.learningRate()) + ", momentum " + number(sgd.momentum()) + ")";
        }
        if (optimizer instanceof NetworkIr.Optimizer.Adam adam) {
            return "adam(lr " + number(adam.learningRate()) + ", beta1 " + number(adam.beta1()) + ", beta2 "
                    + number(adam.beta2()) + ", eps " + number(adam.epsilon()) + ")";
        }
        NetworkIr.Optimizer.RmsProp rms = (NetworkIr.Optimizer.RmsProp) optimizer;
        return "rmsprop(lr " + number(rms.learningRate()) + ", rho " + number(rms.rho()) + ", eps "
                + number(rms.epsilon()) + ")";
    }

    private static String qualified(NetworkIr network) {
        return network.javaPackage().isEmpty() ? network.className()
                : network.javaPackage() + "." + network.className();
    }
}
