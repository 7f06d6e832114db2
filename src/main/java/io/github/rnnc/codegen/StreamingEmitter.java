package io.github.rnnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.github.rnnc.ir.Value;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The streaming API of a network whose layers are all unidirectional: {@code step(x, batch, y)} advances every
 * sequence of the batch by one time step, keeping each row's recurrent state in the object, and
 * {@code resetState()} starts every row again from {@code initialState()}. A bidirectional layer needs the whole
 * sequence, so a network with one gets neither method ({@link #streamable}).
 *
 * <p>One step reuses the forward pass's own code: each layer's hoisted and per-step methods run on time slice 0
 * ({@code t0 = 0, t1 = 1}), reading the state from row 0 of the state buffers and writing row 1, which is then
 * moved back to row 0 for the next call. Between calls the streaming state thus stays in row 0 of the forward
 * pass's state buffers; {@code runForward}, which overwrites them, first saves it to {@code streamState}
 * ({@code [maxBatch][STATE_SIZE]}, laid out as {@code initialState()}), and the next step loads it back. The
 * weights are packed by forward's {@code packWeights()} (which repacks only what changed), called only when
 * {@code streamPacked} is false (after construction, {@code resetState}, {@code initialize} and
 * {@code applyGradients}).
 */
final class StreamingEmitter {
    static final String PACKED = "streamPacked";
    static final String IN_BUFFERS = "streamStateInBuffers";
    static final String SAVED = "streamState";

    private final NetworkClassEmitter owner;
    private final List<LayerPlan> plans;
    private final LayerPlan head;
    private final boolean sequenceOutput;

    StreamingEmitter(NetworkClassEmitter owner) {
        this.owner = owner;
        this.plans = owner.plans();
        this.head = plans.get(plans.size() - 1);
        this.sequenceOutput = head.outSequence();
    }

    /** Whether a network can stream: no layer reads its sequence backwards. */
    static boolean streamable(List<LayerPlan> plans) {
        return plans.stream().allMatch(p -> p.directions().size() == 1 && !p.directions().get(0).reversed());
    }

    void fields(TypeSpec.Builder type) {
        type.addField(owner.array(), SAVED, Modifier.PRIVATE, Modifier.FINAL);
        type.addField(FieldSpec.builder(TypeName.BOOLEAN, PACKED, Modifier.PRIVATE)
                .addJavadoc("Whether the packed weights are those of parameters() for step(); see resetState().\n")
                .build());
        type.addField(FieldSpec.builder(TypeName.BOOLEAN, IN_BUFFERS, Modifier.PRIVATE)
                .addJavadoc("Whether row 0 of the state buffers holds the streaming state (else streamState does).\n")
                .build());
    }

    /** The statement a method that changes the weights adds: the next step packs them again. */
    static CodeBlock markStale() {
        return CodeBlock.of("$L = false;\n", PACKED);
    }

    void methods(TypeSpec.Builder type) {
        type.addMethod(resetState());
        type.addMethod(step());
        type.addMethod(transfer(true));
        type.addMethod(transfer(false));
    }

    /** What {@code runForward} does first: keep the streaming state out of the buffers it overwrites. */
    static CodeBlock saveBeforeForward() {
        return CodeBlock.builder().beginControlFlow("if ($L)", IN_BUFFERS)
                .addStatement("saveStreamState()").endControlFlow().build();
    }

    private MethodSpec resetState() {
        return MethodSpec.methodBuilder("resetState").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Starts every row's stream again from initialState() as it is now (zeros unless set), and\n"
                        + "makes the next step() pack the weights of parameters() again: after writing into\n"
                        + "parameters() or initialState() directly, call resetState() before streaming. A new\n"
                        + "network behaves as if resetState() had been called.\n")
                .addStatement("$T.arraycopy(initialState, 0, $L, 0, initialState.length)", System.class, SAVED)
                .addStatement("$L = false", IN_BUFFERS)
                .addStatement("$L = false", PACKED)
                .build();
    }

    private MethodSpec step() {
        String output = sequenceOutput ? "the network's output at this step"
                : "the head applied to the current top state, i.e. what forward would output if the\n"
                        + "sequences ended now";
        MethodSpec.Builder method = MethodSpec.methodBuilder("step").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Streaming: advances every sequence b < batch by one time step. {@code x} is\n"
                        + "[batch][INPUT_SIZE]; {@code y} receives [batch][OUTPUT_SIZE], $L.\n"
                        + "Each row's recurrent state is kept in this object between calls (as Keras\n"
                        + "{@code stateful=True}); rows b >= batch keep theirs. resetState() starts every row again\n"
                        + "from initialState(). forward, computeGradients and trainStep leave the streaming state\n"
                        + "as it was (trainStep changes the weights the next step uses). The weights are packed on\n"
                        + "the first step after construction, resetState(), initialize or applyGradients: after\n"
                        + "writing into parameters() directly, call resetState() before streaming."
                        + (owner.network().fixedSteps().isPresent() ? " The spec's fixed\n"
                        + "{@code steps} does not limit a stream." : "") + "\n", output)
                .addParameter(owner.array(), "x").addParameter(int.class, "batch").addParameter(owner.array(), "y");
        method.beginControlFlow("if (batch < 1 || batch > maxBatch)")
                .addStatement("throw new $T(\"batch is \" + batch + \"; expected 1 to maxBatch = \" + maxBatch)",
                        IllegalArgumentException.class)
                .endControlFlow();
        method.addCode(ApiEmitter.checkArray("x", "batch * INPUT_SIZE", "batch * INPUT_SIZE"));
        method.addCode(ApiEmitter.checkArray("y", "batch * OUTPUT_SIZE", "batch * OUTPUT_SIZE"));
        // packWeights compares all of parameters(): once per stream, not on every step
        method.beginControlFlow("if (!$L)", PACKED);
        method.addStatement("packWeights()");
        method.addStatement("$L = true", PACKED).endControlFlow();
        method.beginControlFlow("if (!$L)", IN_BUFFERS).addStatement("loadStreamState()").endControlFlow();
        method.addComment("one step on time slice 0 of the forward buffers, whose input rows are laid out as x")
                .addStatement("$T.arraycopy(x, 0, input, 0, batch * INPUT_SIZE)", System.class);
        for (LayerPlan plan : plans) {
            LayerPlan.Direction d = plan.directions().get(0);
            method.addStatement("forwardHoisted_$L(0, 1, batch)", d.prefix());
            method.addStatement("forwardStep_$L(0, 1, batch)", d.prefix());
            if (!plan.recurrent()) {
                continue;
            }
            List<Value> states = d.step().states();
            for (int k = 0; k < states.size(); k++) {
                int size = states.get(k).size();
                method.addStatement("$T.arraycopy($L_s$L, maxBatch * $L, $L_s$L, 0, batch * $L)", System.class,
                        d.prefix(), k, size, d.prefix(), k, size);
            }
            int units = d.step().outputs().get(0).size();
            method.addStatement("$T.arraycopy($L_s0, 0, $L, 0, batch * $L)", System.class, d.prefix(),
                    plan == head ? "y" : plan.outArray(), units);
        }
        if (!head.recurrent()) {
            method.addStatement("$T.arraycopy($L, 0, y, 0, batch * OUTPUT_SIZE)", System.class, head.outArray());
        }
        return method.build();
    }

    /** {@code loadStreamState} (streamState to row 0 of the state buffers) or {@code saveStreamState}. */
    private MethodSpec transfer(boolean load) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(load ? "loadStreamState" : "saveStreamState")
                .addModifiers(Modifier.PRIVATE);
        method.beginControlFlow("for (int b = 0; b < maxBatch; b++)");
        for (LayerPlan plan : plans) {
            LayerPlan.Direction d = plan.directions().get(0);
            List<Value> states = d.step().states();
            for (int k = 0; k < states.size(); k++) {
                int size = states.get(k).size();
                String saved = SAVED + ", b * STATE_SIZE + " + d.stateOffsets().get(k);
                String buffer = d.prefix() + "_s" + k + ", b * " + size;
                method.addStatement("$T.arraycopy($L, $L, $L)", System.class, load ? saved : buffer,
                        load ? buffer : saved, size);
            }
        }
        method.endControlFlow();
        return method.addStatement("$L = $L", IN_BUFFERS, load).build();
    }
}
