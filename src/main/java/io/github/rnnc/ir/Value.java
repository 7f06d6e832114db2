package io.github.rnnc.ir;

/**
 * An SSA value of a step function: a vector of {@code size} elements, or a scalar constant (size 1,
 * {@code scalar} true) that broadcasts in elementwise operations.
 */
public record Value(int id, int size, boolean scalar) {
    @Override
    public String toString() {
        return "%" + id;
    }

    public String type() {
        return scalar ? "f" : "f[" + size + "]";
    }
}
