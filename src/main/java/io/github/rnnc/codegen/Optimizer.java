package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.github.rnnc.ir.NetworkIr;
import javax.lang.model.element.Modifier;

/**
 * {@code trainStep}: gradients, clipping, and one optimizer update of {@code parameters()}, with PyTorch's update
 * rules (torch.optim.SGD with momentum, Adam with bias correction, RMSprop) and its global-norm clipping
 * (torch.nn.utils.clip_grad_norm_; clip_value clamps each gradient element first, as clip_grad_value_).
 */
final class Optimizer {
    private Optimizer() {
    }

    static void emit(TypeSpec.Builder type, NetworkIr.Training training, Target target, boolean labels,
            boolean streaming) {
        TypeName elem = target.elemType();
        TypeName array = ArrayTypeName.of(elem);
        NetworkIr.Optimizer optimizer = training.optimizer();
        boolean twoMoments = optimizer instanceof NetworkIr.Optimizer.Adam;
        type.addField(com.palantir.javapoet.FieldSpec.builder(array, "optimizerState", Modifier.PRIVATE,
                Modifier.FINAL).initializer("new $T[PARAMETER_COUNT]", elem).build());
        if (twoMoments) {
            type.addField(com.palantir.javapoet.FieldSpec.builder(array, "optimizerState2", Modifier.PRIVATE,
                    Modifier.FINAL).initializer("new $T[PARAMETER_COUNT]", elem).build());
        }
        type.addField(long.class, "updates", Modifier.PRIVATE);
        for (boolean withLengths : new boolean[] {false, true}) {
            String targetName = labels ? "labels" : "targets";
            MethodSpec.Builder method = MethodSpec.methodBuilder("trainStep").addModifiers(Modifier.PUBLIC)
                    .returns(elem)
                    .addJavadoc("computeGradients, then the spec's clipping and one update of parameters() by the spec's"
                            + " optimizer;\nreturns the loss before the update.\n")
                    .addParameter(array, "x")
                    .addParameter(labels ? TypeName.get(int[].class) : array, targetName)
                    .addParameter(int.class, "batch").addParameter(int.class, "steps");
            if (withLengths) {
                method.addParameter(int[].class, "lengths");
            }
            method.addStatement("$T loss = computeGradients(x, $L, batch, steps$L)", elem, targetName,
                    withLengths ? ", lengths" : "");
            method.addStatement("applyGradients()");
            type.addMethod(method.addStatement("return loss").build());
        }
        type.addMethod(apply(training, target, twoMoments, streaming));
        MethodSpec.Builder reset = MethodSpec.methodBuilder("resetOptimizer").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Forgets the optimizer's moments and step count, as a fresh torch.optim optimizer.\n")
                .addStatement("$T.fill(optimizerState, $L)", java.util.Arrays.class, target.literal(0));
        if (twoMoments) {
            reset.addStatement("$T.fill(optimizerState2, $L)", java.util.Arrays.class, target.literal(0));
        }
        type.addMethod(reset.addStatement("updates = 0").build());
    }

    private static MethodSpec apply(NetworkIr.Training training, Target target, boolean twoMoments,
            boolean streaming) {
        String e = target.elem();
        MethodSpec.Builder method = MethodSpec.methodBuilder("applyGradients").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Clips gradients() as the spec says and updates parameters() by the spec's optimizer.\n");
        training.clipValue().ifPresent(limit -> method.addStatement(
                "for (int i = 0; i < PARAMETER_COUNT; i++) gradients[i] = Math.max(-$L, Math.min($L, gradients[i]))",
                target.literal(limit), target.literal(limit)));
        training.clipNorm().ifPresent(limit -> {
            method.addStatement("double squares = 0");
            method.addStatement("for (int i = 0; i < PARAMETER_COUNT; i++) squares += (double) gradients[i] * gradients[i]");
            method.addStatement("double norm = Math.sqrt(squares)");
            method.beginControlFlow("if (norm > $L)", limit)
                    .addComment("as clip_grad_norm_: scale by max_norm / (norm + 1e-6)")
                    .addStatement("$L scale = ($L) ($L / (norm + 1e-6))", e, e, limit)
                    .addStatement("for (int i = 0; i < PARAMETER_COUNT; i++) gradients[i] *= scale")
                    .endControlFlow();
        });
        method.addStatement("updates++");
        NetworkIr.Optimizer optimizer = training.optimizer();
        if (optimizer instanceof NetworkIr.Optimizer.Sgd sgd) {
            String lr = target.literal(sgd.learningRate());
            if (sgd.momentum() == 0) {
                method.addStatement("for (int i = 0; i < PARAMETER_COUNT; i++) parameters[i] -= $L * gradients[i]", lr);
            } else {
                method.addComment("torch.optim.SGD: the first step's buffer is the gradient itself")
                        .addStatement("$L momentum = updates == 1 ? 0 : $L", e, target.literal(sgd.momentum()))
                        .beginControlFlow("for (int i = 0; i < PARAMETER_COUNT; i++)")
                        .addStatement("$L buffer = momentum * optimizerState[i] + gradients[i]", e)
                        .addStatement("optimizerState[i] = buffer")
                        .addStatement("parameters[i] -= $L * buffer", lr)
                        .endControlFlow();
            }
        } else if (optimizer instanceof NetworkIr.Optimizer.Adam adam) {
            method.addStatement("double correction1 = 1 - Math.pow($L, updates)", adam.beta1())
                    .addStatement("double correction2 = 1 - Math.pow($L, updates)", adam.beta2())
                    .addStatement("$L stepSize = ($L) ($L / correction1)", e, e, adam.learningRate())
                    .addStatement("$L root2 = ($L) Math.sqrt(correction2)", e, e)
                    .beginControlFlow("for (int i = 0; i < PARAMETER_COUNT; i++)")
                    .addStatement("$L g = gradients[i]", e)
                    .addStatement("$L m = $L * optimizerState[i] + $L * g", e, target.literal(adam.beta1()),
                            target.literal(1 - adam.beta1()))
                    .addStatement("$L v = $L * optimizerState2[i] + $L * g * g", e, target.literal(adam.beta2()),
                            target.literal(1 - adam.beta2()))
                    .addStatement("optimizerState[i] = m")
                    .addStatement("optimizerState2[i] = v")
                    .addStatement("parameters[i] -= stepSize * m / (($L) Math.sqrt(v) / root2 + $L)", e,
                            target.literal(adam.epsilon()))
                    .endControlFlow();
        } else {
            NetworkIr.Optimizer.RmsProp rms = (NetworkIr.Optimizer.RmsProp) optimizer;
            method.beginControlFlow("for (int i = 0; i < PARAMETER_COUNT; i++)")
                    .addStatement("$L g = gradients[i]", e)
                    .addStatement("$L square = $L * optimizerState[i] + $L * g * g", e, target.literal(rms.rho()),
                            target.literal(1 - rms.rho()))
                    .addStatement("optimizerState[i] = square")
                    .addStatement("parameters[i] -= $L * g / (($L) Math.sqrt(square) + $L)", target.literal(
                            rms.learningRate()), e, target.literal(rms.epsilon()))
                    .endControlFlow();
        }
        if (streaming) {
            method.addCode(StreamingEmitter.markStale());
        }
        return method.build();
    }
}
