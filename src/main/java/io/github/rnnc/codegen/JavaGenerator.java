package io.github.rnnc.codegen;

import com.palantir.javapoet.JavaFile;
import io.github.rnnc.ir.DifferentiatedNetwork;

/** The code generation stage: a differentiated network in, one Java source file out. */
public final class JavaGenerator {
    private JavaGenerator() {
    }

    /** The generated compilation unit's text; the same input always gives the same bytes. */
    public static String generate(DifferentiatedNetwork network, Target target) {
        JavaFile file = new NetworkClassEmitter(network, target).emit();
        return file.toString();
    }
}
