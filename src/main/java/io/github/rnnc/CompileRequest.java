package io.github.rnnc;

import io.github.rnnc.passes.DerivativeTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.SourceVersion;

/**
 * What to compile and how far.
 *
 * @param files           the spec files, as the user named them (diagnostics and generated headers quote these
 *                        paths)
 * @param goal            the last stage to run
 * @param outputDirectory where {@link Goal#GENERATE} writes sources; empty to keep them in the result only
 * @param options         how to generate
 * @param baseDirectory   where relative {@code files} are read from; empty for the working directory. The Maven
 *                        plugin passes the project directory, so that paths stay relative to the project (and
 *                        generated headers reproducible) whatever directory Maven was started in
 * @param defaultPackages the Java package of the networks of a file without a {@code package} line, by the
 *                        file's path as given in {@code files}; files not in the map use the unnamed package
 */
public record CompileRequest(List<Path> files, Goal goal, Optional<Path> outputDirectory, Options options,
        Optional<Path> baseDirectory, Map<Path, String> defaultPackages) {
    public enum Goal {
        /** Parse and check only. */
        CHECK,
        /** Check, then lower to IR (for --dump-ir). */
        LOWER,
        /** Everything: Java sources in the result, and written to the output directory if there is one. */
        GENERATE
    }

    /** The Vector API backend (default) or plain Java for JVMs without {@code jdk.incubator.vector}. */
    public enum Backend { VECTOR, SCALAR }

    /** float (default) or double; the double variant exists for gradient checks. */
    public enum Precision { F32, F64 }

    /**
     * Where the vector backend keeps its packed copies of the weights: in {@code float[]} fields (default, any
     * JDK from 17), or in 64-byte-aligned off-heap {@code MemorySegment}s read with
     * {@code FloatVector.fromMemorySegment}, which needs JDK 22 or later to compile and run. A Java array's data
     * starts 16 bytes into the object, so every other vector load of a panel crosses a cache line at 512 bits.
     */
    public enum PackedWeights { ARRAY, SEGMENT }

    /**
     * @param derivatives the derivative rules of the differentiation pass; only tests replace them, to prove
     *                    that the gradient checks catch a wrong rule
     */
    public record Options(Backend backend, Precision precision, DerivativeTable derivatives, int vectorBits,
            PackedWeights packedWeights) {
        public Options {
            if (vectorBits != 256 && vectorBits != 512) {
                throw new IllegalArgumentException("vector width must be 256 or 512 bits, not " + vectorBits);
            }
            if (packedWeights == PackedWeights.SEGMENT && backend != Backend.VECTOR) {
                throw new IllegalArgumentException("packed weights in memory segments need the vector backend");
            }
        }

        public Options(Backend backend, Precision precision, DerivativeTable derivatives, int vectorBits) {
            this(backend, precision, derivatives, vectorBits, PackedWeights.ARRAY);
        }

        /** 256-bit vectors: every x86 machine with AVX2 has them; 512 is an option for AVX-512 machines. */
        public Options(Backend backend, Precision precision, DerivativeTable derivatives) {
            this(backend, precision, derivatives, 256);
        }

        public static Options defaults() {
            return new Options(Backend.VECTOR, Precision.F32, DerivativeTable.standard());
        }

        public Options with(Backend newBackend) {
            return new Options(newBackend, precision, derivatives, vectorBits, packedWeights);
        }

        public Options with(Precision newPrecision) {
            return new Options(backend, newPrecision, derivatives, vectorBits, packedWeights);
        }

        public Options withVectorBits(int bits) {
            return new Options(backend, precision, derivatives, bits, packedWeights);
        }

        public Options with(PackedWeights weights) {
            return new Options(backend, precision, derivatives, vectorBits, weights);
        }
    }

    public CompileRequest {
        files = List.copyOf(files);
        defaultPackages = Map.copyOf(defaultPackages);
        defaultPackages.forEach((file, name) -> {
            if (!SourceVersion.isName(name)) {
                throw new IllegalArgumentException("default package '" + name + "' of " + file
                        + " is not a Java package name");
            }
        });
    }

    public CompileRequest(List<Path> files, Goal goal, Optional<Path> outputDirectory, Options options) {
        this(files, goal, outputDirectory, options, Optional.empty(), Map.of());
    }

    public static CompileRequest check(List<Path> files) {
        return new CompileRequest(files, Goal.CHECK, Optional.empty(), Options.defaults());
    }

    public static CompileRequest lower(List<Path> files) {
        return new CompileRequest(files, Goal.LOWER, Optional.empty(), Options.defaults());
    }

    public static CompileRequest generate(List<Path> files, Options options) {
        return new CompileRequest(files, Goal.GENERATE, Optional.empty(), options);
    }
}
