package io.github.rnnc.codegen;

/**
 * Where the elements of an IR value live in generated code: {@code array[base + i]}, or a scalar literal.
 *
 * @param array   a Java expression for the array (a field or parameter name)
 * @param base    a Java expression for the index of element 0
 * @param literal for scalar constants, the literal; null otherwise
 */
record Ref(String array, String base, String literal) {
    static Ref of(String array, String base) {
        return new Ref(array, base, null);
    }

    static Ref scalar(String literal) {
        return new Ref(null, null, literal);
    }

    boolean isScalar() {
        return literal != null;
    }

    /** The same storage starting {@code offset} elements later (a slice is a view). */
    Ref plus(int offset) {
        if (offset == 0) {
            return this;
        }
        return new Ref(array, "(" + base + ") + " + offset, null);
    }

    String at(String index) {
        return array + "[" + base + " + " + index + "]";
    }
}
