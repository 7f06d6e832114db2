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

    enum BinaryKind { ADD, SUB, MUL, DIV }

    /** Elementwise; a scalar operand broadcasts. */
    record Binary(Value result, BinaryKind kind, Value left, Value right) implements Op {
        public List<Value> operands() {
            return List.of(left, right);
        }
    }

    enum UnaryKind {
        NEG, SIGMOID, TANH, RELU, HARD_SIGMOID, SOFTSIGN, EXP, IDENTITY;

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
}
