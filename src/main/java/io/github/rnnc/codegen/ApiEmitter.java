package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/** The public face of a generated class: constants, metadata, constructor, checks, forward, loss, gradients. */
final class ApiEmitter {
    private final NetworkClassEmitter owner;
    private final NetworkIr network;
    private final Target target;
    private final TypeName elem;
    private final TypeName array;
    private final LayerPlan head;
    private final int outputSize;
    private final boolean sequenceOutput;
    /** The streaming API, for a network without bidirectional layers; else null. */
    private final StreamingEmitter streaming;

    ApiEmitter(NetworkClassEmitter owner) {
        this.owner = owner;
        this.network = owner.network();
        this.target = owner.target();
        this.elem = owner.elem();
        this.array = owner.array();
        this.head = owner.plans().get(owner.plans().size() - 1);
        this.outputSize = head.outSize();
        this.sequenceOutput = head.outSequence();
        this.streaming = StreamingEmitter.streamable(owner.plans()) ? new StreamingEmitter(owner) : null;
    }

    /** Whether a buffer is a segment: packed weights, when the target keeps them off-heap. */
    private boolean isSegment(String buffer) {
        return target.segments() && owner.isPacked(buffer);
    }

    private String lit(double v) {
        return target.literal(v);
    }

    void emit(TypeSpec.Builder type) {
        ClassName self = ClassName.get(network.javaPackage(), network.className());
        ClassName parameter = self.nestedClass("Parameter");
        ClassName state = self.nestedClass("State");
        type.addField(NetworkClassEmitter.constant("INPUT_SIZE", network.inputSize()));
        type.addField(NetworkClassEmitter.constant("OUTPUT_SIZE", outputSize));
        type.addField(NetworkClassEmitter.constant("PARAMETER_COUNT", owner.offsets().total()));
        type.addField(NetworkClassEmitter.constant("STATE_SIZE", owner.stateSize()));
        network.fixedSteps().ifPresent(s -> type.addField(NetworkClassEmitter.constant("STEPS", s)));
        type.addType(TypeSpec.recordBuilder(parameter).addModifiers(Modifier.PUBLIC)
                .addJavadoc("One learnable tensor: its PyTorch-style name, offset in parameters() and shape.\n")
                .recordConstructor(MethodSpec.constructorBuilder().addParameter(String.class, "name")
                        .addParameter(int.class, "offset").addParameter(int[].class, "shape").build())
                .build());
        type.addType(TypeSpec.recordBuilder(state).addModifiers(Modifier.PUBLIC)
                .addJavadoc("One recurrent state: its name, offset in a row of initialState() and size.\n")
                .recordConstructor(MethodSpec.constructorBuilder().addParameter(String.class, "name")
                        .addParameter(int.class, "offset").addParameter(int.class, "size").build())
                .build());
        type.addField(metadata(parameter, "PARAMETERS", parameterEntries(parameter)));
        type.addField(metadata(state, "STATES", stateEntries(state)));
        if (target.vector()) {
            type.addField(FieldSpec.builder(ParameterizedTypeName.get(Target.VECTOR_SPECIES, target.boxed()), "SPECIES",
                    Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("$T.$L", target.vectorClass(), target.speciesConstant()).build());
            type.addField(Kernels.tileRowsField(target));
        }
        if (target.segments()) {
            type.addField(Kernels.nativeOrderField());
        }
        for (ParameterOffsets.Entry entry : owner.offsets().all()) {
            type.addField(FieldSpec.builder(int.class, entry.constant(), Modifier.PRIVATE, Modifier.STATIC,
                    Modifier.FINAL).initializer("$L", entry.offset()).build());
        }
        type.addField(int.class, "maxBatch", Modifier.PRIVATE, Modifier.FINAL);
        type.addField(int.class, "maxSteps", Modifier.PRIVATE, Modifier.FINAL);
        for (String field : List.of("parameters", "gradients", "input", "dInput", "inputGradients", "initialState",
                "initialStateGradients")) {
            type.addField(array, field, Modifier.PRIVATE, Modifier.FINAL);
        }
        owner.buffers().keySet().forEach(field -> type.addField(isSegment(field) ? Target.MEMORY_SEGMENT : array, field,
                Modifier.PRIVATE, Modifier.FINAL));
        type.addField(FieldSpec.builder(array, "packedParameters", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("parameters() as they were when the weights were last packed.\n").build());
        type.addField(boolean.class, "packed", Modifier.PRIVATE);
        if (network.training().isPresent()) {
            type.addField(FieldSpec.builder(boolean.class, Optimizer.UPDATED, Modifier.PRIVATE)
                    .addJavadoc("applyGradients() changed parameters() after the weights were last packed.\n").build());
        }
        type.addField(boolean.class, "packedForBackward", Modifier.PRIVATE);
        if (!owner.inputPacks().isEmpty()) {
            type.addField(boolean.class, "packedInputForBackward", Modifier.PRIVATE);
        }
        owner.temporaries().keySet().forEach(field -> type.addField(array, field, Modifier.PRIVATE, Modifier.FINAL));
        if (streaming != null) {
            streaming.fields(type);
        }
        type.addMethod(constructor());
        type.addMethod(MethodSpec.methodBuilder("size").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int.class).addParameter(int.class, "rows").addParameter(int.class, "batch")
                .addParameter(int.class, "width")
                .addStatement("return Math.multiplyExact(Math.multiplyExact(rows, batch), width)").build());
        type.addMethod(getter("parameters", "All learnable parameters, in {@link #PARAMETERS} order (live)."));
        type.addMethod(getter("gradients", "The gradient of the last computeGradients call, laid out as parameters()."));
        type.addMethod(getter("inputGradients",
                "d loss / d x of the last computeGradients call, laid out as x: [batch][steps][INPUT_SIZE]."));
        type.addMethod(getter("initialState",
                "The states every sequence starts from, [maxBatch][STATE_SIZE] (live; zeros unless set)."));
        type.addMethod(getter("initialStateGradients",
                "d loss / d initialState() of the last computeGradients call."));
        type.addMethod(Initialization.method(owner.offsets(), target, streaming != null));
        type.addMethod(Initialization.orthogonal());
        type.addMethod(checkShape());
        type.addMethod(checkLengths());
        type.addMethod(forwardPublic(false));
        type.addMethod(forwardPublic(true));
        type.addMethod(runForward());
        type.addMethod(runBackward());
        type.addMethod(packWeights());
        type.addMethod(packWeightsForBackward());
        if (streaming != null) {
            streaming.methods(type);
        }
        network.training().ifPresent(training -> {
            boolean labels = training.loss() == NetworkIr.Loss.CROSS_ENTROPY;
            type.addMethod(computeGradientsPublic(labels, false));
            type.addMethod(computeGradientsPublic(labels, true));
            type.addMethod(differentiate(labels));
            type.addMethod(loss(training.loss()));
            Optimizer.emit(type, training, target, labels, streaming != null);
        });
    }

    // ------------------------------------------------------------ metadata

    private FieldSpec metadata(ClassName element, String name, CodeBlock entries) {
        return FieldSpec.builder(NetworkClassEmitter.listOf(element), name, Modifier.PUBLIC, Modifier.STATIC,
                Modifier.FINAL).initializer(entries).build();
    }

    private CodeBlock parameterEntries(ClassName parameter) {
        CodeBlock.Builder code = CodeBlock.builder().add("$T.of(", List.class);
        List<ParameterOffsets.Entry> all = owner.offsets().all();
        for (int i = 0; i < all.size(); i++) {
            ParameterOffsets.Entry entry = all.get(i);
            code.add("\n$>$>new $T($S, $L, $L)$<$<", parameter, entry.tensor().publicName(), entry.offset(),
                    NetworkClassEmitter.intArray(entry.tensor().shape()));
            if (i < all.size() - 1) {
                code.add(",");
            }
        }
        return code.add(")").build();
    }

    private CodeBlock stateEntries(ClassName state) {
        List<CodeBlock> entries = new ArrayList<>();
        for (LayerPlan plan : owner.plans()) {
            for (LayerPlan.Direction d : plan.directions()) {
                for (int k = 0; k < d.step().states().size(); k++) {
                    String name = plan.index() + "." + d.step().stateNames().get(k) + (d.reversed() ? "_reverse" : "");
                    entries.add(CodeBlock.of("new $T($S, $L, $L)", state, name, d.stateOffsets().get(k),
                            d.step().states().get(k).size()));
                }
            }
        }
        CodeBlock.Builder code = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < entries.size(); i++) {
            code.add("\n$>$>$L$<$<", entries.get(i));
            if (i < entries.size() - 1) {
                code.add(",");
            }
        }
        return code.add(")").build();
    }

    static String sanitizeJavadoc(String text) {
        return NetworkClassEmitter.sanitize(text).replace("@", "{@literal @}");
    }

    // ------------------------------------------------------------ construction

    private MethodSpec constructor() {
        MethodSpec.Builder method = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Allocates every buffer for batches of up to {@code maxBatch} sequences of up to\n"
                        + "{@code maxSteps} steps; no method allocates afterwards.\n")
                .addParameter(int.class, "maxBatch").addParameter(int.class, "maxSteps");
        method.beginControlFlow("if (maxBatch < 1)")
                .addStatement("throw new $T(\"maxBatch is \" + maxBatch + \"; it must be at least 1\")",
                        IllegalArgumentException.class)
                .endControlFlow();
        method.beginControlFlow("if (maxSteps < 1)")
                .addStatement("throw new $T(\"maxSteps is \" + maxSteps + \"; it must be at least 1\")",
                        IllegalArgumentException.class)
                .endControlFlow();
        network.fixedSteps().ifPresent(s -> method.beginControlFlow("if (maxSteps < STEPS)")
                .addStatement("throw new $T(\"maxSteps is \" + maxSteps + \"; this network reads exactly \" + STEPS"
                        + " + \" steps\")", IllegalArgumentException.class)
                .endControlFlow());
        method.addStatement("this.maxBatch = maxBatch").addStatement("this.maxSteps = maxSteps");
        method.beginControlFlow("try");
        method.addStatement("this.parameters = new $T[PARAMETER_COUNT]", elem);
        method.addStatement("this.gradients = new $T[PARAMETER_COUNT]", elem);
        method.addStatement("this.packedParameters = new $T[PARAMETER_COUNT]", elem);
        method.addStatement("this.input = new $T[size(maxSteps, maxBatch, INPUT_SIZE)]", elem);
        method.addStatement("this.dInput = new $T[size(maxSteps, maxBatch, INPUT_SIZE)]", elem);
        method.addStatement("this.inputGradients = new $T[size(maxSteps, maxBatch, INPUT_SIZE)]", elem);
        method.addStatement("this.initialState = new $T[size(1, maxBatch, STATE_SIZE)]", elem);
        method.addStatement("this.initialStateGradients = new $T[size(1, maxBatch, STATE_SIZE)]", elem);
        if (target.segments()) {
            // off-heap memory that the collector frees with this object; any thread may read it
            method.addStatement("$T packedWeights = $T.ofAuto()", Target.ARENA, Target.ARENA);
        }
        owner.buffers().forEach((field, size) -> {
            String[] factors = size.split(" \\* ");
            String first = factors[0].equals("(maxSteps + 1)") ? "maxSteps + 1" : factors[0];
            if (isSegment(field)) {
                method.addStatement("this.$L = packedWeights.allocate($L * (long) size($L, $L, $L), $L)", field,
                        target.elemBytes(), factors[0], factors[1], factors[2], Target.SEGMENT_ALIGNMENT);
            } else if (factors.length == 3) {
                method.addStatement("this.$L = new $T[size($L, $L, $L)]", field, elem, first, factors[1], factors[2]);
            } else {
                method.addStatement("this.$L = new $T[size(1, $L, $L)]", field, elem, factors[0], factors[1]);
            }
        });
        owner.temporaries().forEach((field, size) -> method.addStatement("this.$L = new $T[$L]", field, elem, size));
        if (streaming != null) {
            method.addStatement("this.$L = new $T[size(1, maxBatch, STATE_SIZE)]", StreamingEmitter.SAVED, elem);
        }
        method.nextControlFlow("catch ($T e)", ArithmeticException.class)
                .addStatement("throw new $T(\"maxBatch \" + maxBatch + \" and maxSteps \" + maxSteps"
                        + " + \" need buffers larger than a Java array\")", IllegalArgumentException.class)
                .endControlFlow();
        if (streaming != null) {
            method.addStatement("resetState()");
        }
        return method.build();
    }

    private MethodSpec getter(String name, String doc) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(array)
                .addJavadoc("$L\n", doc).addStatement("return $L", name).build();
    }

    // ------------------------------------------------------------ checks

    private MethodSpec checkShape() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("checkShape").addModifiers(Modifier.PRIVATE)
                .addParameter(int.class, "batch").addParameter(int.class, "steps");
        method.beginControlFlow("if (batch < 1 || batch > maxBatch)")
                .addStatement("throw new $T(\"batch is \" + batch + \"; expected 1 to maxBatch = \" + maxBatch)",
                        IllegalArgumentException.class)
                .endControlFlow();
        method.beginControlFlow("if (steps < 1 || steps > maxSteps)")
                .addStatement("throw new $T(\"steps is \" + steps + \"; expected 1 to maxSteps = \" + maxSteps)",
                        IllegalArgumentException.class)
                .endControlFlow();
        network.fixedSteps().ifPresent(s -> method.beginControlFlow("if (steps != STEPS)")
                .addStatement("throw new $T(\"steps is \" + steps + \"; this network reads exactly \" + STEPS"
                        + " + \" steps\")", IllegalArgumentException.class)
                .endControlFlow());
        return method.build();
    }

    private MethodSpec checkLengths() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("checkLengths").addModifiers(Modifier.PRIVATE,
                Modifier.STATIC).addParameter(int[].class, "lengths").addParameter(int.class, "batch")
                .addParameter(int.class, "steps");
        method.beginControlFlow("if (lengths.length < batch)")
                .addStatement("throw new $T(\"lengths has \" + lengths.length + \" elements; expected batch = \""
                        + " + batch)", IllegalArgumentException.class)
                .endControlFlow();
        method.beginControlFlow("for (int b = 0; b < batch; b++)")
                .beginControlFlow("if (lengths[b] < 1 || lengths[b] > steps)")
                .addStatement("throw new $T(\"lengths[\" + b + \"] is \" + lengths[b] + \"; expected 1 to steps = \""
                        + " + steps)", IllegalArgumentException.class)
                .endControlFlow().endControlFlow();
        return method.build();
    }

    static CodeBlock checkArray(String name, String expected, String description) {
        return CodeBlock.builder()
                .beginControlFlow("if ($L.length < $L)", name, expected)
                .addStatement("throw new $T(\"$L has \" + $L.length + \" elements; expected $L = \" + ($L))",
                        IllegalArgumentException.class, name, name, description, expected)
                .endControlFlow().build();
    }

    private String outputElements() {
        return sequenceOutput ? "batch * steps * OUTPUT_SIZE" : "batch * OUTPUT_SIZE";
    }

    // ------------------------------------------------------------ forward

    private MethodSpec forwardPublic(boolean withLengths) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Runs the network on {@code x} [batch][steps][INPUT_SIZE] and writes {@code y}\n"
                        + (sequenceOutput ? "[batch][steps][OUTPUT_SIZE]" : "[batch][OUTPUT_SIZE]")
                        + (withLengths ? "; sequence b has {@code lengths[b]} real steps, the rest is padding\n"
                        + "(it changes no state and its outputs are zero).\n" : ".\n"))
                .addParameter(array, "x").addParameter(int.class, "batch").addParameter(int.class, "steps");
        if (withLengths) {
            method.addParameter(int[].class, "lengths");
        }
        method.addParameter(array, "y");
        method.addStatement("checkShape(batch, steps)");
        if (withLengths) {
            method.addStatement("checkLengths(lengths, batch, steps)");
        }
        method.addCode(checkArray("x", "batch * steps * INPUT_SIZE", "batch * steps * INPUT_SIZE"));
        method.addCode(checkArray("y", outputElements(), sequenceOutput ? "batch * steps * OUTPUT_SIZE"
                : "batch * OUTPUT_SIZE"));
        method.addStatement("runForward(x, batch, steps, $L, false)", withLengths ? "lengths" : "null");
        if (sequenceOutput) {
            method.beginControlFlow("for (int b = 0; b < batch; b++)")
                    .beginControlFlow("for (int t = 0; t < steps; t++)")
                    .addStatement("$T.arraycopy($L, (t * maxBatch + b) * OUTPUT_SIZE, y, (b * steps + t) * OUTPUT_SIZE,"
                            + " OUTPUT_SIZE)", System.class, head.outArray())
                    .endControlFlow().endControlFlow();
        } else {
            method.addStatement("$T.arraycopy($L, 0, y, 0, batch * OUTPUT_SIZE)", System.class, head.outArray());
        }
        return method.build();
    }

    private MethodSpec runForward() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("runForward").addModifiers(Modifier.PRIVATE)
                .addParameter(array, "x").addParameter(int.class, "batch").addParameter(int.class, "steps")
                .addParameter(int[].class, "lengths").addParameter(boolean.class, "keepForBackward");
        if (streaming != null) {
            method.addComment("the streaming state lives in the buffers this overwrites")
                    .addCode(StreamingEmitter.saveBeforeForward());
        }
        method.addComment("x is [batch][steps][in]; inside, sequences are time-major [steps][maxBatch][in]")
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .beginControlFlow("for (int t = 0; t < steps; t++)")
                .addStatement("$T.arraycopy(x, (b * steps + t) * INPUT_SIZE, input, (t * maxBatch + b) * INPUT_SIZE, "
                        + "INPUT_SIZE)", System.class)
                .endControlFlow().endControlFlow();
        method.addStatement("packWeights()");
        for (LayerPlan plan : owner.plans()) {
            method.addStatement("forwardLayer$L(batch, steps, lengths$L)", plan.index(),
                    owner.keepsForBackward(plan) ? ", keepForBackward" : "");
        }
        return method.build();
    }

    private MethodSpec runBackward() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("runBackward").addModifiers(Modifier.PRIVATE)
                .addParameter(int.class, "batch").addParameter(int.class, "steps")
                .addParameter(int[].class, "lengths").addParameter(boolean.class, "withInputGradients");
        boolean optional = owner.inputGradientsOptional();
        method.addStatement("$T.fill(gradients, $L)", java.util.Arrays.class, lit(0));
        method.addStatement("$L$T.fill(dInput, 0, steps * maxBatch * INPUT_SIZE, $L)", optional ? "if (withInputGradients) "
                : "", java.util.Arrays.class, lit(0));
        method.addStatement("$T.fill(initialStateGradients, $L)", java.util.Arrays.class, lit(0));
        for (LayerPlan plan : owner.plans()) {
            if (plan != head) {
                method.addStatement("$T.fill($L, $L)", java.util.Arrays.class, plan.dOutArray(), lit(0));
            }
        }
        method.addStatement("packWeightsForBackward($L)", owner.inputPacks().isEmpty() ? "" : "withInputGradients");
        List<LayerPlan> reversed = new ArrayList<>(owner.plans());
        java.util.Collections.reverse(reversed);
        for (LayerPlan plan : reversed) {
            method.addStatement("backwardLayer$L(batch, steps, lengths$L)", plan.index(),
                    optional && plan.index() == 0 ? ", withInputGradients" : "");
        }
        method.beginControlFlow("if (withInputGradients)");
        method.beginControlFlow("for (int b = 0; b < batch; b++)")
                .beginControlFlow("for (int t = 0; t < steps; t++)")
                .addStatement("$T.arraycopy(dInput, (t * maxBatch + b) * INPUT_SIZE, inputGradients, (b * steps + t) "
                        + "* INPUT_SIZE, INPUT_SIZE)", System.class)
                .endControlFlow().endControlFlow();
        return method.endControlFlow().build();
    }

    /**
     * Packing the weights into the products' layouts costs as much as a quarter of an inference call; comparing
     * parameters() with the copy taken at the last packing reads each weight once, in order, so the weights are
     * repacked only when something (an optimizer step, or the user through the live array) changed them.
     */
    private MethodSpec packWeights() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("packWeights").addModifiers(Modifier.PRIVATE)
                .beginControlFlow("if (packed && $T.equals(parameters, packedParameters))", java.util.Arrays.class)
                .addStatement("return")
                .endControlFlow();
        for (LayerPlan plan : owner.plans()) {
            for (LayerPlan.Direction d : plan.directions()) {
                method.addStatement("pack_$L()", d.prefix());
            }
        }
        method.addStatement("packedForBackward = false");
        CodeBlock snapshot = CodeBlock.builder()
                .addStatement("$T.arraycopy(parameters, 0, packedParameters, 0, PARAMETER_COUNT)", System.class)
                .addStatement("packed = true")
                .build();
        if (network.training().isEmpty()) {
            return method.addCode(snapshot).build();
        }
        // After an optimizer step the next call is most likely another training step, which repacks after its own
        // update whatever parameters() holds: the copy that lets a later call skip the packing is taken only by a
        // packing that follows no update (trainStep, batch 1, JDK 25, the AMD EPYC machine of the benchmarks, JMH
        // runs alternated three times, means: LSTM H = 256 7.40 -> 6.61 ms, each run +-10-20 %; H = 128 1.45 -> 1.42
        // ms). packed stays false, so the next call packs again without comparing.
        return method.beginControlFlow("if ($L)", Optimizer.UPDATED)
                .addStatement("$L = false", Optimizer.UPDATED)
                .nextControlFlow("else")
                .addCode(snapshot)
                .endControlFlow()
                .build();
    }

    /**
     * The backward products' layouts of the weights packWeights() last saw; runs after it, in computeGradients. The
     * weights that only the first layer's input adjoint reads are packed only when it is computed (a training step
     * repacks after every update and never reads them).
     */
    private MethodSpec packWeightsForBackward() {
        boolean inputPacks = !owner.inputPacks().isEmpty();
        MethodSpec.Builder method = MethodSpec.methodBuilder("packWeightsForBackward").addModifiers(Modifier.PRIVATE);
        if (inputPacks) {
            method.addParameter(boolean.class, "withInputGradients");
        }
        method.beginControlFlow("if (!packedForBackward)");
        for (LayerPlan plan : owner.plans()) {
            for (LayerPlan.Direction d : plan.directions()) {
                method.addStatement("packForBackward_$L()", d.prefix());
            }
        }
        method.addStatement("packedForBackward = true");
        if (inputPacks) {
            method.addStatement("packedInputForBackward = false");
        }
        method.endControlFlow();
        if (inputPacks) {
            // without a choice (some direction's input part always runs), always
            method.beginControlFlow("if ($L!packedInputForBackward)", owner.inputGradientsOptional()
                    ? "withInputGradients && " : "");
            owner.inputPacks().forEach(prefix -> method.addStatement("packForBackwardInput_$L()", prefix));
            method.addStatement("packedInputForBackward = true").endControlFlow();
        }
        return method.build();
    }

    // ------------------------------------------------------------ training

    private MethodSpec computeGradientsPublic(boolean labels, boolean withLengths) {
        String targetName = labels ? "labels" : "targets";
        MethodSpec.Builder method = MethodSpec.methodBuilder("computeGradients").addModifiers(Modifier.PUBLIC)
                .returns(elem)
                .addJavadoc("Runs forward, returns the loss (mean over real "
                        + (sequenceOutput ? "steps" : "sequences") + ", as PyTorch's default reduction) and\n"
                        + "overwrites gradients(), inputGradients() and initialStateGradients().\n")
                .addParameter(array, "x")
                .addParameter(labels ? TypeName.get(int[].class) : array, targetName)
                .addParameter(int.class, "batch").addParameter(int.class, "steps");
        if (withLengths) {
            method.addParameter(int[].class, "lengths");
        }
        return method.addStatement("return differentiate(x, $L, batch, steps, $L, true)", targetName,
                withLengths ? CodeBlock.of("$T.requireNonNull(lengths, \"lengths\")", java.util.Objects.class)
                        : "null").build();
    }

    /**
     * computeGradients, and trainStep without d loss / d x: the argument checks, forward, the loss and backward.
     * lengths null: every sequence has all steps.
     */
    private MethodSpec differentiate(boolean labels) {
        String targetName = labels ? "labels" : "targets";
        MethodSpec.Builder method = MethodSpec.methodBuilder("differentiate").addModifiers(Modifier.PRIVATE)
                .returns(elem)
                .addParameter(array, "x")
                .addParameter(labels ? TypeName.get(int[].class) : array, targetName)
                .addParameter(int.class, "batch").addParameter(int.class, "steps")
                .addParameter(int[].class, "lengths").addParameter(boolean.class, "withInputGradients");
        method.addStatement("checkShape(batch, steps)");
        method.addStatement("if (lengths != null) checkLengths(lengths, batch, steps)");
        method.addCode(checkArray("x", "batch * steps * INPUT_SIZE", "batch * steps * INPUT_SIZE"));
        String expected = labels ? (sequenceOutput ? "batch * steps" : "batch") : outputElements();
        String description = labels ? (sequenceOutput ? "batch * steps" : "batch")
                : (sequenceOutput ? "batch * steps * OUTPUT_SIZE" : "batch * OUTPUT_SIZE");
        method.addCode(checkArray(targetName, expected, description));
        if (labels) {
            method.beginControlFlow("for (int i = 0; i < $L; i++)", expected)
                    .beginControlFlow("if ($L[i] < 0 || $L[i] >= OUTPUT_SIZE)", targetName, targetName)
                    .addStatement("throw new $T(\"labels[\" + i + \"] is \" + labels[i] + \"; expected 0 to \" + "
                            + "(OUTPUT_SIZE - 1))", IllegalArgumentException.class)
                    .endControlFlow().endControlFlow();
        }
        method.addStatement("runForward(x, batch, steps, lengths, true)");
        method.addStatement("$T loss = loss($L, batch, steps, lengths)", elem, targetName);
        method.addStatement("runBackward(batch, steps, lengths, withInputGradients)");
        return method.addStatement("return loss").build();
    }

    /** The loss over real positions, and its gradient written into the head's output adjoint. */
    private MethodSpec loss(NetworkIr.Loss loss) {
        boolean labels = loss == NetworkIr.Loss.CROSS_ENTROPY;
        MethodSpec.Builder method = MethodSpec.methodBuilder("loss").addModifiers(Modifier.PRIVATE).returns(elem)
                .addParameter(labels ? TypeName.get(int[].class) : array, labels ? "labels" : "targets")
                .addParameter(int.class, "batch").addParameter(int.class, "steps")
                .addParameter(int[].class, "lengths");
        String out = head.outArray();
        String dOut = head.dOutArray();
        // every real position's row is written below, and the backward pass reads rows of steps < steps and
        // sequences < batch only: what is left to clear are the rows of padded steps
        method.addStatement("int positions = 0");
        if (sequenceOutput) {
            method.beginControlFlow("for (int b = 0; b < batch; b++)")
                    .addStatement("positions += lengths == null ? steps : lengths[b]")
                    .endControlFlow();
        } else {
            method.addStatement("positions = batch");
        }
        method.addStatement("double count = $L", labels ? "positions" : "(double) positions * OUTPUT_SIZE");
        method.addStatement("double total = 0");
        // one division per call, not one per element (a division costs as much as the rest of the loop)
        method.addStatement("double perPosition = $L / count", loss == NetworkIr.Loss.MSE ? "2.0" : "1.0");
        if (loss != NetworkIr.Loss.BINARY_CROSS_ENTROPY) {
            // gradients are written in the element type: storing (float) of a double product costs several times the
            // float loop (MSE, 100 x 128 on JDK 17: 45 against 7.6 us)
            method.addStatement("$T scale = ($T) perPosition", elem, elem);
        }
        method.beginControlFlow("for (int b = 0; b < batch; b++)");
        if (sequenceOutput) {
            method.addStatement("int length = lengths == null ? steps : lengths[b]")
                    .beginControlFlow("for (int t = 0; t < length; t++)")
                    .addStatement("int r = t * maxBatch + b")
                    .addStatement("int position = b * steps + t");
        } else {
            method.addStatement("int r = b").addStatement("int position = b");
        }
        method.addStatement("int o = r * OUTPUT_SIZE");
        switch (loss) {
            case CROSS_ENTROPY -> {
                LayerPlan.Direction d = head.directions().get(0);
                Value logitsValue = d.adjoint().forward().outputs().get(0);
                Ref logits = d.storage().ref(logitsValue);
                method.addStatement("int label = labels[position]");
                method.addStatement("double max = Double.NEGATIVE_INFINITY");
                method.addStatement("for (int i = 0; i < OUTPUT_SIZE; i++) max = Math.max(max, $L)", logits.at("i"));
                method.addStatement("double sum = 0");
                method.addStatement("for (int i = 0; i < OUTPUT_SIZE; i++) sum += Math.exp($L - max)", logits.at("i"));
                method.addStatement("total += Math.log(sum) + max - $L", logits.at("label"));
                method.addStatement("for (int i = 0; i < OUTPUT_SIZE; i++) $L[o + i] = $L[o + i] * scale", dOut, out);
                method.addStatement("$L[o + label] -= scale", dOut);
            }
            case MSE -> {
                // four partial sums: one sum is a chain of dependent additions, four latencies per element; the
                // difference is taken in the element type, as PyTorch does
                method.addStatement("int p = position * OUTPUT_SIZE");
                method.addStatement("double s0 = 0, s1 = 0, s2 = 0, s3 = 0");
                method.addStatement("int i = 0");
                method.beginControlFlow("for (; i + 3 < OUTPUT_SIZE; i += 4)");
                for (int lane = 0; lane < 4; lane++) {
                    method.addStatement("$T d$L = $L[o + i + $L] - targets[p + i + $L]", elem, lane, out, lane, lane)
                            .addStatement("s$L += (double) d$L * d$L", lane, lane, lane)
                            .addStatement("$L[o + i + $L] = d$L * scale", dOut, lane, lane);
                }
                method.endControlFlow();
                method.beginControlFlow("for (; i < OUTPUT_SIZE; i++)")
                        .addStatement("$T d0 = $L[o + i] - targets[p + i]", elem, out)
                        .addStatement("s0 += (double) d0 * d0")
                        .addStatement("$L[o + i] = d0 * scale", dOut)
                        .endControlFlow();
                method.addStatement("total += (s0 + s1) + (s2 + s3)");
            }
            case BINARY_CROSS_ENTROPY -> {
                method.beginControlFlow("for (int i = 0; i < OUTPUT_SIZE; i++)")
                        .addStatement("double p = $L[o + i]", out)
                        .addStatement("double target = targets[position * OUTPUT_SIZE + i]")
                        .addComment("as torch.nn.BCELoss: logarithms clamped at -100, gradient denominator at 1e-12")
                        .addStatement("total -= target * Math.max(Math.log(p), -100) + (1 - target) * Math.max("
                                + "Math.log(1 - p), -100)")
                        .addStatement("$L[o + i] = ($T) ((p - target) / Math.max(p * (1 - p), 1e-12) * perPosition)",
                                dOut, elem)
                        .endControlFlow();
            }
        }
        if (sequenceOutput) {
            method.endControlFlow();
            method.beginControlFlow("for (int t = length; t < steps; t++)")
                    .addStatement("int o = (t * maxBatch + b) * OUTPUT_SIZE")
                    .addStatement("$T.fill($L, o, o + OUTPUT_SIZE, $L)", java.util.Arrays.class, dOut, lit(0))
                    .endControlFlow();
        }
        method.endControlFlow();
        return method.addStatement("return ($T) (total / count)", elem).build();
    }
}
