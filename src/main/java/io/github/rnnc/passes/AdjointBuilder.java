package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the ops of an adjoint function and sums each forward value's adjoint contributions. */
public final class AdjointBuilder {
    private final List<Op> ops = new ArrayList<>();
    private final Map<Integer, Value> adjoints = new HashMap<>();
    private final Map<Double, Value> constants = new HashMap<>();
    private final List<AdjointFunction.GradientUpdate> updates = new ArrayList<>();
    private final java.util.Set<Integer> hoisted = new java.util.HashSet<>();
    /** Whether the forward op being differentiated is hoisted; what it creates is hoisted too. */
    private boolean inHoisted;
    private int nextId;

    private final java.util.function.ToIntFunction<String> rows;

    AdjointBuilder(int firstId, java.util.function.ToIntFunction<String> rows) {
        this.nextId = firstId;
        this.rows = rows;
    }

    /** The row count of a parameter matrix. */
    public int rows(String matrix) {
        return rows.applyAsInt(matrix);
    }

    List<Op> ops() {
        return ops;
    }

    List<AdjointFunction.GradientUpdate> updates() {
        return updates;
    }

    java.util.Set<Integer> hoisted() {
        return hoisted;
    }

    void differentiating(boolean hoistedOp) {
        this.inHoisted = hoistedOp;
    }

    Value adjointOf(Value forward) {
        return adjoints.get(forward.id());
    }

    /**
     * Records an op. It belongs to the hoisted partition (run for all steps after the reversed recurrence) when it
     * differentiates a hoisted op or reads a hoisted adjoint: the recurrence never reads what is computed after it.
     */
    private void emit(Op op) {
        ops.add(op);
        if (inHoisted || op.operands().stream().anyMatch(v -> hoisted.contains(v.id()))) {
            hoisted.add(op.result().id());
        }
    }

    Value input(String name, int size) {
        Value value = new Value(nextId++, size, false);
        emit(new Op.Input(value, name));
        return value;
    }

    /** Adds {@code contribution} to the adjoint of a forward value; constants have none. */
    public void contribute(Value forward, Value contribution) {
        if (forward.scalar() || contribution == null) {
            return; // scalars are constants: nothing to differentiate
        }
        Value earlier = adjoints.get(forward.id());
        adjoints.put(forward.id(), earlier == null ? contribution : add(earlier, contribution));
    }

    public void gradient(String parameter, Value adjoint, Value operand) {
        updates.add(new AdjointFunction.GradientUpdate(parameter, adjoint, Optional.ofNullable(operand),
                inHoisted || hoisted.contains(adjoint.id())));
    }

    public Value constant(double value) {
        return constants.computeIfAbsent(value, v -> {
            // Constants are shared by both partitions; they are literals in generated code.
            Value result = new Value(nextId++, 1, true);
            ops.add(new Op.Constant(result, v));
            return result;
        });
    }

    public Value zeros(int size) {
        Value result = new Value(nextId++, size, false);
        emit(new Op.Zeros(result));
        return result;
    }

    public Value add(Value a, Value b) {
        return binary(Op.BinaryKind.ADD, a, b);
    }

    public Value sub(Value a, Value b) {
        return binary(Op.BinaryKind.SUB, a, b);
    }

    public Value mul(Value a, Value b) {
        return binary(Op.BinaryKind.MUL, a, b);
    }

    public Value div(Value a, Value b) {
        return binary(Op.BinaryKind.DIV, a, b);
    }

    public Value unary(Op.UnaryKind kind, Value operand) {
        Value result = new Value(nextId++, operand.size(), operand.scalar());
        emit(new Op.Unary(result, kind, operand));
        return result;
    }

    public Value matVecTransposed(String matrix, Value vector, int columns) {
        Value result = new Value(nextId++, columns, false);
        emit(new Op.MatVecTransposed(result, matrix, vector));
        return result;
    }

    public Value slice(Value operand, int from, int to) {
        Value result = new Value(nextId++, to - from, false);
        emit(new Op.Slice(result, operand, from, to));
        return result;
    }

    public Value embed(Value operand, int size, int offset) {
        Value result = new Value(nextId++, size, false);
        emit(new Op.Embed(result, operand, offset));
        return result;
    }

    public Value softmaxGradient(Value output, Value adjoint) {
        Value result = new Value(nextId++, output.size(), false);
        emit(new Op.SoftmaxGradient(result, output, adjoint));
        return result;
    }

    private Value binary(Op.BinaryKind kind, Value a, Value b) {
        boolean scalar = a.scalar() && b.scalar();
        Value result = new Value(nextId++, scalar ? 1 : Math.max(a.scalar() ? 0 : a.size(), b.scalar() ? 0 : b.size()),
                scalar);
        emit(new Op.Binary(result, kind, a, b));
        return result;
    }
}
