package io.github.rnnc.lowering;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import io.github.rnnc.semantics.CellInstance;
import io.github.rnnc.semantics.Initializer;
import io.github.rnnc.semantics.ValueShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lowers a checked cell instance to one step function: the built-in cells and user cells take this one path.
 * Cells called inside equations are inlined; their states become extra states of the step.
 */
final class StepLowering {
    private final List<Op> ops = new ArrayList<>();
    private final List<Value> stateInputs = new ArrayList<>();
    private final List<String> stateNames = new ArrayList<>();
    private final List<Value> stateOutputs = new ArrayList<>();
    private final List<StepFunction.Tensor> tensors = new ArrayList<>();
    private final Map<Double, Value> constants = new HashMap<>();
    private int nextId;

    private StepLowering() {
    }

    /**
     * @param name          the step's name
     * @param publicPrefix  prefix of public parameter names, e.g. {@code "0."}
     * @param publicSuffix  suffix, e.g. {@code "_reverse"} for the backward direction
     */
    static StepFunction lower(CellInstance cell, String name, String publicPrefix, String publicSuffix) {
        StepLowering lowering = new StepLowering();
        Value input = lowering.input("x", cell.inputSize());
        lowering.inline(cell, input, "", publicPrefix, publicSuffix);
        List<Value> outputs = lowering.stateOutputs;
        return new StepFunction(name, input, lowering.stateInputs, lowering.stateNames, lowering.ops, outputs,
                lowering.tensors);
    }

    /** Lowers a cell's equations with {@code input} as x; returns the cell's output (its first next state). */
    private Value inline(CellInstance cell, Value input, String localPrefix, String publicPrefix,
            String publicSuffix) {
        Map<String, Value> env = new HashMap<>();
        env.put("x", input);
        List<Value> ownOutputs = new ArrayList<>();
        int firstOutput = stateOutputs.size();
        for (CellInstance.State state : cell.states()) {
            Value value = input(localPrefix + state.name(), state.size());
            env.put(state.name(), value);
            stateInputs.add(value);
            stateNames.add(localPrefix + state.name());
            stateOutputs.add(null);
        }
        Map<String, String> localNames = new HashMap<>();
        for (CellInstance.Parameter parameter : cell.parameters()) {
            String local = localPrefix + parameter.name();
            String publicName = publicPrefix + localPrefix + parameter.name() + (cell.builtin() ? "_l0" : "")
                    + publicSuffix;
            tensors.add(new StepFunction.Tensor(local, publicName, parameter.shape(),
                    initializer(parameter.initializer())));
            localNames.put(parameter.name(), local);
        }
        Context context = new Context(cell, env, localNames, localPrefix, publicPrefix, publicSuffix);
        for (CellDecl.CellStatement statement : cell.cell().body()) {
            if (!(statement instanceof CellDecl.Assignment assignment)) {
                continue;
            }
            Value value = expr(assignment.value(), context);
            if (assignment.primed()) {
                env.put(assignment.target().text() + "'", value);
                int index = indexOfState(cell, assignment.target().text());
                stateOutputs.set(firstOutput + index, value);
            } else {
                env.put(assignment.target().text(), value);
            }
        }
        ownOutputs.add(stateOutputs.get(firstOutput));
        return ownOutputs.get(0);
    }

    private record Context(CellInstance cell, Map<String, Value> env, Map<String, String> parameters,
            String localPrefix, String publicPrefix, String publicSuffix) {
    }

    private Value expr(Expr expr, Context context) {
        ValueShape shape = context.cell().shapeOf(expr);
        if (expr instanceof Expr.NumberLiteral number) {
            return constant(number.value());
        }
        if (expr instanceof Expr.Name name) {
            Value bound = context.env().get(name.primed() ? name.name() + "'" : name.name());
            if (bound != null) {
                return bound;
            }
            Integer size = context.cell().sizes().get(name.name());
            if (size != null) {
                return constant(size);
            }
            String local = context.parameters().get(name.name());
            Value value = define(shape);
            ops.add(new Op.ParameterVector(value, local));
            context.env().put(name.name(), value);
            return value;
        }
        if (expr instanceof Expr.Negate negate) {
            Value operand = expr(negate.operand(), context);
            if (operand.scalar() && constantOf(operand) != null) {
                return constant(-constantOf(operand));
            }
            return unary(Op.UnaryKind.NEG, operand);
        }
        if (expr instanceof Expr.Binary binary) {
            if (binary.operator() == Expr.BinaryOperator.MATMUL) {
                String matrix = context.parameters().get(((Expr.Name) binary.left()).name());
                Value vector = expr(binary.right(), context);
                Value result = define(shape);
                ops.add(new Op.MatVec(result, matrix, vector));
                return result;
            }
            Value left = expr(binary.left(), context);
            Value right = expr(binary.right(), context);
            Op.BinaryKind kind = Op.BinaryKind.valueOf(switch (binary.operator()) {
                case ADD -> "ADD";
                case SUBTRACT -> "SUB";
                case MULTIPLY -> "MUL";
                default -> "DIV";
            });
            Double a = constantOf(left);
            Double b = constantOf(right);
            if (a != null && b != null) {
                return constant(fold(kind, a, b));
            }
            Value result = define(shape);
            ops.add(new Op.Binary(result, kind, left, right));
            return result;
        }
        if (expr instanceof Expr.Concat concat) {
            List<Value> parts = concat.parts().stream().map(p -> expr(p, context)).toList();
            Value result = define(shape);
            ops.add(new Op.Concat(result, parts));
            return result;
        }
        if (expr instanceof Expr.Slice slice) {
            Value operand = expr(slice.target(), context);
            CellInstance.Bounds bounds = context.cell().sliceBounds().get(slice);
            Value result = define(shape);
            ops.add(new Op.Slice(result, operand, bounds.from(), bounds.to()));
            return result;
        }
        Expr.Call call = (Expr.Call) expr;
        CellInstance nested = context.cell().nested().get(call);
        if (nested != null) {
            Value input = expr(call.arguments().get(0).value(), context);
            String prefix = context.localPrefix() + call.callee().text() + "_" + call.span().start() + ".";
            return inline(nested, input, prefix, context.publicPrefix(), context.publicSuffix());
        }
        Value operand = expr(call.arguments().get(0).value(), context);
        Op.UnaryKind kind = Op.UnaryKind.valueOf(context.cell().functions().get(call).toUpperCase(Locale.ROOT));
        return kind == Op.UnaryKind.IDENTITY ? operand : unary(kind, operand);
    }

    private Value unary(Op.UnaryKind kind, Value operand) {
        Value result = new Value(nextId++, operand.size(), operand.scalar());
        ops.add(new Op.Unary(result, kind, operand));
        return result;
    }

    private Value input(String name, int size) {
        Value value = new Value(nextId++, size, false);
        ops.add(new Op.Input(value, name));
        return value;
    }

    private Value define(ValueShape shape) {
        return shape instanceof ValueShape.Vector vector ? new Value(nextId++, vector.size(), false)
                : new Value(nextId++, 1, true);
    }

    private Value constant(double value) {
        return constants.computeIfAbsent(value, v -> {
            Value result = new Value(nextId++, 1, true);
            ops.add(new Op.Constant(result, v));
            return result;
        });
    }

    private Double constantOf(Value value) {
        for (Map.Entry<Double, Value> entry : constants.entrySet()) {
            if (entry.getValue().id() == value.id()) {
                return entry.getKey();
            }
        }
        return null;
    }

    private static double fold(Op.BinaryKind kind, double a, double b) {
        return switch (kind) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    private static int indexOfState(CellInstance cell, String name) {
        for (int i = 0; i < cell.states().size(); i++) {
            if (cell.states().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no state " + name);
    }

    static String initializer(Initializer initializer) {
        if (initializer instanceof Initializer.Constant constant) {
            return "constant(" + constant.value() + ")";
        }
        if (initializer instanceof Initializer.GlorotUniform) {
            return "glorot_uniform";
        }
        if (initializer instanceof Initializer.Orthogonal) {
            return "orthogonal";
        }
        if (initializer instanceof Initializer.Uniform uniform) {
            return "uniform(" + uniform.low() + ", " + uniform.high() + ")";
        }
        Initializer.Normal normal = (Initializer.Normal) initializer;
        return "normal(" + normal.mean() + ", " + normal.std() + ")";
    }
}
