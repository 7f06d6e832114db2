package io.github.rnnc.semantics;

/** The concrete shape of a value in a cell instance: a scalar, a vector or a (parameter) matrix. */
public sealed interface ValueShape {
    record Scalar() implements ValueShape {
        @Override
        public String toString() {
            return "scalar";
        }
    }

    record Vector(int size) implements ValueShape {
        @Override
        public String toString() {
            return "[" + size + "]";
        }
    }

    record Matrix(int rows, int columns) implements ValueShape {
        @Override
        public String toString() {
            return "[" + rows + ", " + columns + "]";
        }
    }

    ValueShape SCALAR = new Scalar();
}
