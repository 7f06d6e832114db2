package io.github.rnnc.ir;

import java.util.List;
import java.util.Locale;

/** The operations of a step function. Every op defines one value; operands are defined earlier. */
public sealed interface Op {
    Value result();

    List<Value> operands();

    /** An input of the step: the layer's input at this step, or a state's value from the previous step. */
    record Input(Value result, String name) implements Op {
        public List<Value> operands() {
            return List.of();
        }
    }

    record Constant(Value result, double value) implements Op {
        public List<Value> operands() {
            return List.of();
        }
    }

    /** A learnable vector parameter read as a value (biases, peephole weights). */
    record ParameterVector(Value result, String parameter) implements Op {
        public List<Value> operands() {
            return List.of();
        }
    }

    /** {@code W @ v} with W a learnable [rows, columns] parameter. */
    record MatVec(Value result, String matrix, Value vector) implements Op {
        public List<Value> operands() {
            return List.of(vector);
        }
    }

    /**
     * Products of several matrices with one vector, as one product with the matrices stacked row-wise: the
     * vector is read once. The result is the concatenation of the individual products.
     */
    record StackedMatVec(Value result, List<String> matrices, Value vector) implements Op {
        public StackedMatVec {
            matrices = List.copyOf(matrices);
        }

        public List<Value> operands() {
            return List.of(vector);
        }
    }

    enum BinaryKind { ADD, SUB, MUL, DIV }

    /** Elementwise; a scalar operand broadcasts. */
    record Binary(Value result, BinaryKind kind, Value left, Value right) implements Op {
        public List<Value> operands() {
            return List.of(left, right);
        }
    }

    /**
     * Elementwise functions. The last three exist for derivatives: STEP is 1 where x > 0 (relu'), ABS is |x|,
     * HARD_SIGMOID_SLOPE is 0.2 where 0 < 0.2x + 0.5 < 1 (hard_sigmoid').
     */
    enum UnaryKind {
        NEG, SIGMOID, TANH, RELU, HARD_SIGMOID, SOFTSIGN, EXP, IDENTITY, STEP, ABS, HARD_SIGMOID_SLOPE;

        public String spelled() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Unary(Value result, UnaryKind kind, Value operand) implements Op {
        public List<Value> operands() {
            return List.of(operand);
        }
    }

    /** Softmax over the whole vector (the only non-elementwise activation). */
    record Softmax(Value result, Value operand) implements Op {
        public List<Value> operands() {
            return List.of(operand);
        }
    }

    record Concat(Value result, List<Value> parts) implements Op {
        public Concat {
            parts = List.copyOf(parts);
        }

        public List<Value> operands() {
            return parts;
        }
    }

    record Slice(Value result, Value operand, int from, int to) implements Op {
        public List<Value> operands() {
            return List.of(operand);
        }
    }

    /** A vector of zeros (the adjoint of a value nothing reads). */
    record Zeros(Value result) implements Op {
        public List<Value> operands() {
            return List.of();
        }
    }

    /** {@code W^T v}: the adjoint of a matrix–vector product with respect to its vector. */
    record MatVecTransposed(Value result, String matrix, Value vector) implements Op {
        public List<Value> operands() {
            return List.of(vector);
        }
    }

    /** The operand placed at {@code offset} in a vector of zeros of the result's size (the adjoint of a slice). */
    record Embed(Value result, Value operand, int offset) implements Op {
        public List<Value> operands() {
            return List.of(operand);
        }
    }

    /** {@code y * (g - sum(g * y))}: the adjoint of softmax output y with respect to its input, given g. */
    record SoftmaxGradient(Value result, Value output, Value adjoint) implements Op {
        public List<Value> operands() {
            return List.of(output, adjoint);
        }
    }
}
