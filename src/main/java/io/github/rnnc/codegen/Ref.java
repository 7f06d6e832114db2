package io.github.rnnc.codegen;

/**
 * Where the elements of an IR value live in generated code. Element {@code i} of a value in row
 * {@code r = t * maxBatch + b} (a step t, a sequence b) is {@code array[row * stride + offset + i]}, where the row
 * is {@code r}, the next step's row {@code r + maxBatch} (next states), {@code b} (one step's temporaries) or
 * nothing (parameters, the same in every row). Scalar constants are literals.
 */
record Ref(String array, Row row, int stride, String offset, String literal) {
    enum Row { R, NEXT, B, NONE }

    static Ref rows(String array, Row row, int stride) {
        return new Ref(array, row, stride, "0", null);
    }

    static Ref fixed(String array, String offset) {
        return new Ref(array, Row.NONE, 0, offset, null);
    }

    /** A value that lives only in a local of its fused loop: no storage, never read through a Ref. */
    static Ref local() {
        return new Ref(null, Row.NONE, 0, null, null);
    }

    boolean isLocal() {
        return array == null && literal == null;
    }

    static Ref scalar(String literal) {
        return new Ref(null, Row.NONE, 0, null, literal);
    }

    boolean isScalar() {
        return literal != null;
    }

    /** The same storage starting {@code delta} elements later in each row (a slice is a view). */
    Ref plus(int delta) {
        if (delta == 0) {
            return this;
        }
        String shifted = offset.equals("0") ? String.valueOf(delta) : offset + " + " + delta;
        return new Ref(array, row, stride, shifted, null);
    }

    /** The index of element 0 in the current row (loop variables r and b in scope). */
    String base() {
        return baseAt("r", "b");
    }

    /** The index of element 0 where the loop variables are the given expressions. */
    String baseAt(String r, String b) {
        String start = switch (row) {
            case R -> "(" + r + ") * " + stride;
            case NEXT -> "(" + r + " + maxBatch) * " + stride;
            case B -> b.equals("0") ? null : "(" + b + ") * " + stride;
            case NONE -> null;
        };
        if (start == null) {
            return offset;
        }
        return offset.equals("0") ? start : start + " + " + offset;
    }

    /** Distance between consecutive rows; zero for parameters, which repeat. */
    int rowStride() {
        return row == Row.NONE ? 0 : stride;
    }

    String at(String index) {
        return array + "[" + base() + " + " + index + "]";
    }
}
