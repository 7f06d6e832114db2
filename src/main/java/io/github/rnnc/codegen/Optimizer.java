package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
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
    /** The field that tells packWeights() an update changed the parameters since it last packed them. */
    static final String UPDATED = "updatedSincePacking";

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
                    .addJavadoc("computeGradients without d loss / d x, then the spec's clipping and one update of\n"
                            + "parameters() by the spec's optimizer; returns the loss before the update.\n"
                            + "inputGradients() keeps what the last computeGradients call left: like PyTorch for an\n"
                            + "input that does not require grad, a training step does not compute the input's gradient.\n")
                    .addParameter(array, "x")
                    .addParameter(labels ? TypeName.get(int[].class) : array, targetName)
                    .addParameter(int.class, "batch").addParameter(int.class, "steps");
            if (withLengths) {
                method.addParameter(int[].class, "lengths");
            }
            method.addStatement("$T loss = differentiate(x, $L, batch, steps, $L, false)", elem, targetName,
                    withLengths ? CodeBlock.of("$T.requireNonNull(lengths, \"lengths\")", java.util.Objects.class)
                            : "null");
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
            // four partial sums: one sum waits for each addition before the next (4 cycles an element)
            method.addStatement("double s0 = 0, s1 = 0, s2 = 0, s3 = 0");
            method.beginControlFlow("for (int i = 0; i < PARAMETER_COUNT - PARAMETER_COUNT % 4; i += 4)");
            for (int k = 0; k < 4; k++) {
                method.addStatement("s$L += (double) gradients[i + $L] * gradients[i + $L]", k, k, k);
            }
            method.endControlFlow();
            method.addStatement("for (int i = PARAMETER_COUNT - PARAMETER_COUNT % 4; i < PARAMETER_COUNT; i++) "
                    + "s0 += (double) gradients[i] * gradients[i]");
            method.addStatement("double norm = Math.sqrt((s0 + s1) + (s2 + s3))");
            method.beginControlFlow("if (norm > $L)", limit)
                    .addComment("as clip_grad_norm_: scale by max_norm / (norm + 1e-6)")
                    .addStatement("$L scale = ($L) ($L / (norm + 1e-6))", e, e, limit)
                    .addStatement("for (int i = 0; i < PARAMETER_COUNT; i++) gradients[i] *= scale")
                    .endControlFlow();
        });
        method.addStatement("updates++");
        NetworkIr.Optimizer optimizer = training.optimizer();
        Update update = new Update();
        Expr g = update.let("g", load("gradients"));
        if (optimizer instanceof NetworkIr.Optimizer.Sgd sgd) {
            Expr lr = scalar(target.literal(sgd.learningRate()));
            if (sgd.momentum() == 0) {
                update.store("parameters", sub(load("parameters"), mul(g, lr)));
            } else {
                method.addComment("torch.optim.SGD: the first step's buffer is the gradient itself")
                        .addStatement("$L momentum = updates == 1 ? 0 : $L", e, target.literal(sgd.momentum()));
                Expr buffer = update.let("buffer", add(mul(load("optimizerState"), scalar("momentum")), g));
                update.store("optimizerState", buffer);
                update.store("parameters", sub(load("parameters"), mul(buffer, lr)));
            }
        } else if (optimizer instanceof NetworkIr.Optimizer.Adam adam) {
            // one division per element, not two: sqrt(v) / sqrt(correction2) as a product with the reciprocal
            // (kernel alone, 148608 parameters at 512 bits: 84 -> 60 us; without any division 50)
            method.addStatement("double correction1 = 1 - Math.pow($L, updates)", adam.beta1())
                    .addStatement("double correction2 = 1 - Math.pow($L, updates)", adam.beta2())
                    .addStatement("$L stepSize = ($L) ($L / correction1)", e, e, adam.learningRate())
                    .addStatement("$L inverseRoot2 = ($L) (1 / Math.sqrt(correction2))", e, e);
            Expr m = update.let("m", add(mul(load("optimizerState"), scalar(target.literal(adam.beta1()))),
                    mul(g, scalar(target.literal(1 - adam.beta1())))));
            Expr v = update.let("v", add(mul(load("optimizerState2"), scalar(target.literal(adam.beta2()))),
                    mul(mul(g, scalar(target.literal(1 - adam.beta2()))), g)));
            update.store("optimizerState", m);
            update.store("optimizerState2", v);
            update.store("parameters", sub(load("parameters"), div(mul(m, scalar("stepSize")),
                    add(mul(new Sqrt(v), scalar("inverseRoot2")), scalar(target.literal(adam.epsilon()))))));
        } else {
            NetworkIr.Optimizer.RmsProp rms = (NetworkIr.Optimizer.RmsProp) optimizer;
            Expr square = update.let("square", add(mul(load("optimizerState"), scalar(target.literal(rms.rho()))),
                    mul(mul(g, scalar(target.literal(1 - rms.rho()))), g)));
            update.store("optimizerState", square);
            update.store("parameters", sub(load("parameters"), div(mul(g, scalar(target.literal(rms.learningRate()))),
                    add(new Sqrt(square), scalar(target.literal(rms.epsilon()))))));
        }
        update.emit(method, target);
        // the weights changed: the next forward repacks them without first comparing every one with its copy
        method.addStatement("packed = false").addStatement("$L = true", UPDATED);
        if (streaming) {
            method.addCode(StreamingEmitter.markStale());
        }
        return method.build();
    }

    // ------------------------------------------------------------ the update loop over all parameters

    /*
     * One update is written once as expressions over element i and emitted twice: Vector API calls over the vectors
     * of the parameter array, scalar Java over the rest (and everywhere in the scalar backend). Both evaluate the same
     * IEEE operations in the same order (no fused multiply-add), so the two parts round alike. The scalar loop alone
     * was not vectorized by C2 (Adam's square root of a float widened to double).
     */
    private sealed interface Expr {
    }

    /** Element i of a field. */
    private record Load(String array) implements Expr {
    }

    /** A local of the loop body. */
    private record Local(String name) implements Expr {
    }

    /** The same value for every element: a literal or a local outside the loop. */
    private record Scalar(String text) implements Expr {
    }

    private record Binary(String method, String symbol, Expr left, Expr right) implements Expr {
    }

    private record Sqrt(Expr operand) implements Expr {
    }

    private static Expr load(String array) {
        return new Load(array);
    }

    private static Expr scalar(String text) {
        return new Scalar(text);
    }

    private static Expr add(Expr left, Expr right) {
        return new Binary("add", "+", left, right);
    }

    private static Expr sub(Expr left, Expr right) {
        return new Binary("sub", "-", left, right);
    }

    private static Expr mul(Expr left, Expr right) {
        return new Binary("mul", "*", left, right);
    }

    private static Expr div(Expr left, Expr right) {
        return new Binary("div", "/", left, right);
    }

    /** The statements of the loop body: locals ({@code store} null) and stores to element i of a field. */
    private static final class Update {
        private record Statement(String name, String store, Expr value) {
        }

        private final java.util.List<Statement> statements = new java.util.ArrayList<>();

        Expr let(String name, Expr value) {
            statements.add(new Statement(name, null, value));
            return new Local(name);
        }

        void store(String array, Expr value) {
            statements.add(new Statement(null, array, value));
        }

        void emit(MethodSpec.Builder method, Target target) {
            int lanes = target.lanes();
            String vectorBound = "PARAMETER_COUNT - PARAMETER_COUNT % " + lanes;
            if (target.vector()) {
                method.beginControlFlow("for (int i = 0; i < $L; i += $L)", vectorBound, lanes);
                for (Statement statement : statements) {
                    String value = asVector(statement.value(), target);
                    if (statement.store() == null) {
                        method.addStatement("$T $L = $L", target.vectorClass(), statement.name(), value);
                    } else {
                        method.addStatement("$L.intoArray($L, i)", value, statement.store());
                    }
                }
                method.endControlFlow();
            }
            method.beginControlFlow("for (int i = $L; i < PARAMETER_COUNT; i++)", target.vector() ? vectorBound : "0");
            for (Statement statement : statements) {
                String value = asScalar(statement.value(), target);
                if (statement.store() == null) {
                    method.addStatement("$L $L = $L", target.elem(), statement.name(), value);
                } else {
                    method.addStatement("$L[i] = $L", statement.store(), value);
                }
            }
            method.endControlFlow();
        }

        private static String asScalar(Expr expr, Target target) {
            if (expr instanceof Load load) {
                return load.array() + "[i]";
            } else if (expr instanceof Local local) {
                return local.name();
            } else if (expr instanceof Scalar constant) {
                return constant.text();
            } else if (expr instanceof Binary binary) {
                return "(" + asScalar(binary.left(), target) + " " + binary.symbol() + " "
                        + asScalar(binary.right(), target) + ")";
            }
            String operand = asScalar(((Sqrt) expr).operand(), target);
            return target.f64() ? "Math.sqrt(" + operand + ")" : "(float) Math.sqrt(" + operand + ")";
        }

        private static String asVector(Expr expr, Target target) {
            String v = target.vectorClass().simpleName();
            if (expr instanceof Load load) {
                return v + ".fromArray(SPECIES, " + load.array() + ", i)";
            } else if (expr instanceof Local local) {
                return local.name();
            } else if (expr instanceof Scalar constant) {
                return v + ".broadcast(SPECIES, " + constant.text() + ")";
            } else if (expr instanceof Binary binary) {
                // a scalar right operand goes to the lanewise overload that broadcasts it
                String right = binary.right() instanceof Scalar constant ? constant.text()
                        : asVector(binary.right(), target);
                return asVector(binary.left(), target) + "." + binary.method() + "(" + right + ")";
            }
            return asVector(((Sqrt) expr).operand(), target) + ".sqrt()";
        }
    }
}
