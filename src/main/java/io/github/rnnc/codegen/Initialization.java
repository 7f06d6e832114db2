package io.github.rnnc.codegen;

import com.palantir.javapoet.MethodSpec;
import java.util.List;
import java.util.SplittableRandom;
import javax.lang.model.element.Modifier;

/** {@code initialize(seed)}: every tensor by its initializer, in layout order, from one seeded generator. */
final class Initialization {
    private Initialization() {
    }

    static MethodSpec method(ParameterOffsets offsets, Target target, boolean streaming) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("initialize").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Deterministic initialization as Keras does it: Glorot-uniform input matrices,\n"
                        + "orthogonal recurrent matrices, zero biases, or what the spec declares.\n")
                .addParameter(long.class, "seed");
        method.addStatement("$T random = new $T(seed)", SplittableRandom.class, SplittableRandom.class);
        String cast = target.f64() ? "" : "(float) ";
        for (ParameterOffsets.Entry entry : offsets.all()) {
            String init = entry.tensor().initializer();
            List<Integer> shape = entry.tensor().shape();
            int count = entry.tensor().elementCount();
            String o = entry.constant();
            if (init.startsWith("constant(")) {
                double value = Double.parseDouble(init.substring("constant(".length(), init.length() - 1));
                method.addStatement("$T.fill(parameters, $L, $L + $L, $L)", java.util.Arrays.class, o, o, count,
                        target.literal(value));
            } else if (init.equals("glorot_uniform")) {
                double limit = Math.sqrt(6.0 / (shape.get(0) + shape.get(1)));
                method.addStatement("for (int i = 0; i < $L; i++) parameters[$L + i] = $Lrandom.nextDouble(-$L, $L)",
                        count, o, cast, limit, limit);
            } else if (init.equals("orthogonal")) {
                method.addStatement("orthogonal(random, parameters, $L, $L, $L)", o, shape.get(0), shape.get(1));
            } else if (init.startsWith("uniform(")) {
                String[] bounds = init.substring("uniform(".length(), init.length() - 1).split(", ");
                method.addStatement("for (int i = 0; i < $L; i++) parameters[$L + i] = $Lrandom.nextDouble($L, $L)",
                        count, o, cast, Double.parseDouble(bounds[0]), Double.parseDouble(bounds[1]));
            } else if (init.startsWith("normal(")) {
                String[] moments = init.substring("normal(".length(), init.length() - 1).split(", ");
                method.addStatement("for (int i = 0; i < $L; i++) parameters[$L + i] = $L($L + $L * random"
                        + ".nextGaussian())", count, o, cast, Double.parseDouble(moments[0]),
                        Double.parseDouble(moments[1]));
            } else {
                throw new IllegalStateException("unknown initializer " + init);
            }
        }
        if (streaming) {
            method.addCode(StreamingEmitter.markStale());
        }
        return method.build();
    }

    /**
     * Keras's orthogonal initializer for a [rows, columns] matrix: a Gaussian matrix of shape
     * [max, min] made orthonormal by Gram-Schmidt (columns), with each column's sign fixed as QR's diagonal would
     * fix it, transposed when rows are fewer than columns.
     */
    static MethodSpec orthogonal() {
        return MethodSpec.methodBuilder("orthogonal").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(SplittableRandom.class, "random").addParameter(Object.class, "target")
                .addParameter(int.class, "offset").addParameter(int.class, "rows").addParameter(int.class, "columns")
                .addStatement("int n = Math.max(rows, columns)")
                .addStatement("int m = Math.min(rows, columns)")
                .addStatement("double[] q = new double[n * m]")
                .addStatement("for (int i = 0; i < q.length; i++) q[i] = random.nextGaussian()")
                .beginControlFlow("for (int j = 0; j < m; j++)")
                .beginControlFlow("for (int k = 0; k < j; k++)")
                .addStatement("double dot = 0")
                .addStatement("for (int i = 0; i < n; i++) dot += q[i * m + j] * q[i * m + k]")
                .addStatement("for (int i = 0; i < n; i++) q[i * m + j] -= dot * q[i * m + k]")
                .endControlFlow()
                .addStatement("double norm = 0")
                .addStatement("for (int i = 0; i < n; i++) norm += q[i * m + j] * q[i * m + j]")
                .addStatement("norm = Math.sqrt(norm)")
                .addStatement("for (int i = 0; i < n; i++) q[i * m + j] /= norm")
                .endControlFlow()
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .beginControlFlow("for (int c = 0; c < columns; c++)")
                .addStatement("double value = rows >= columns ? q[r * m + c] : q[c * m + r]")
                .beginControlFlow("if (target instanceof float[] floats)")
                .addStatement("floats[offset + r * columns + c] = (float) value")
                .nextControlFlow("else")
                .addStatement("((double[]) target)[offset + r * columns + c] = value")
                .endControlFlow()
                .endControlFlow().endControlFlow()
                .build();
    }
}
