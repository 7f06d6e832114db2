package io.github.rnnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;

/**
 * What the generated code runs on: the Vector API or plain Java, float or double. The vector width is fixed at
 * generation time so that loop tails are resolved by the generator, not at run time.
 *
 * @param vector     emit Vector API loops (jdk.incubator.vector)
 * @param f64        double precision
 * @param vectorBits 256 or 512
 * @param segments   packed weights in 64-byte-aligned {@code MemorySegment}s (vector code, JDK 22+), not arrays
 */
public record Target(boolean vector, boolean f64, int vectorBits, boolean segments) {
    static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
    static final ClassName DOUBLE_VECTOR = ClassName.get("jdk.incubator.vector", "DoubleVector");
    static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");
    static final ClassName VECTOR_OPERATORS = ClassName.get("jdk.incubator.vector", "VectorOperators");
    static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
    static final ClassName ARENA = ClassName.get("java.lang.foreign", "Arena");
    static final ClassName VALUE_LAYOUT = ClassName.get("java.lang.foreign", "ValueLayout");
    static final ClassName BYTE_ORDER = ClassName.get("java.nio", "ByteOrder");
    /** Alignment of every packed-weight segment: a cache line, so that no vector load of a panel crosses one. */
    static final int SEGMENT_ALIGNMENT = 64;

    public Target {
        if (vectorBits != 256 && vectorBits != 512) {
            throw new IllegalArgumentException("vector width must be 256 or 512 bits");
        }
        if (segments && !vector) {
            throw new IllegalArgumentException("packed weights in segments are read by vector code only");
        }
    }

    public Target(boolean vector, boolean f64, int vectorBits) {
        this(vector, f64, vectorBits, false);
    }

    /** The layout of one element in a segment: {@code ValueLayout.JAVA_FLOAT} or {@code JAVA_DOUBLE}. */
    String elementLayout() {
        return f64 ? "JAVA_DOUBLE" : "JAVA_FLOAT";
    }

    String elem() {
        return f64 ? "double" : "float";
    }

    TypeName elemType() {
        return f64 ? TypeName.DOUBLE : TypeName.FLOAT;
    }

    ClassName vectorClass() {
        return f64 ? DOUBLE_VECTOR : FLOAT_VECTOR;
    }

    ClassName boxed() {
        return f64 ? ClassName.get(Double.class) : ClassName.get(Float.class);
    }

    /** Bytes per element. */
    int elemBytes() {
        return f64 ? 8 : 4;
    }

    /** Elements per vector. */
    int lanes() {
        return vectorBits / (f64 ? 64 : 32);
    }

    String speciesConstant() {
        return "SPECIES_" + vectorBits;
    }

    /** A literal of the element type, exact and locale-independent. */
    String literal(double value) {
        if (f64) {
            return Double.toString(value);
        }
        return Float.toString((float) value) + "f";
    }
}
