package io.github.rnnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Emits one step function, and its adjoint, as methods over one (step, batch) row. Long op lists are split into
 * several methods so that each stays far below HotSpot's 8000-byte limit for JIT compilation.
 */
final class StepEmitter {
    /** Ops per method: keeps every generated method to a few kilobytes of bytecode. */
    private static final int OPS_PER_METHOD_VECTOR = 6;
    private static final int OPS_PER_METHOD_SCALAR = 12;

    private final Target target;
    private final Elementwise elementwise;
    private final Kernels kernels;
    private final ParameterOffsets offsets;

    StepEmitter(Target target, Elementwise elementwise, Kernels kernels, ParameterOffsets offsets) {
        this.target = target;
        this.elementwise = elementwise;
        this.kernels = kernels;
        this.offsets = offsets;
    }

    /** Fields for the adjoint's temporaries: name to element count. */
    record AdjointLayout(Map<String, Integer> temporaries, List<String> outputAdjointFields) {
    }

    // ------------------------------------------------------------ forward

    /** Methods {@code name(in, inOff, row)} computing one step; returns them, the entry point first. */
    List<MethodSpec> forward(StepFunction step, String name, String prefix, StorageMap storage) {
        List<CodeBlock> blocks = new ArrayList<>();
        for (Op op : step.ops()) {
            CodeBlock block = forwardOp(step, op, storage);
            if (block != null) {
                blocks.add(block);
            }
        }
        storage.copiedOutputs().forEach((k, id) -> {
            Value output = step.outputs().get(k);
            CodeBlock.Builder code = CodeBlock.builder();
            elementwise.copy(code, Ref.of(prefix + "_s" + k,
                    "(row + maxBatch) * " + output.size()), storage.ref(output), output.size());
            blocks.add(code.build());
        });
        return chunk(name, blocks, false);
    }

    private CodeBlock forwardOp(StepFunction step, Op op, StorageMap storage) {
        CodeBlock.Builder code = CodeBlock.builder();
        Value result = op.result();
        if (op instanceof Op.Input || op instanceof Op.Constant || op instanceof Op.ParameterVector
                || op instanceof Op.Slice) {
            return null; // views and literals
        }
        Ref dst = storage.ref(result);
        emitValueOp(code, step, op, dst, storage::ref, "parameters");
        return code.build();
    }

    // ------------------------------------------------------------ adjoint

    /**
     * Methods {@code name(in, inOff, row, b, dIn, dInOff)}: reads the output adjoints from the {@code _g<k>}
     * temporaries, adds the input adjoint into {@code dIn}, writes the previous states' adjoints into the
     * {@code _ds<k>} rows of batch element {@code b}, and adds to {@code gradients}.
     */
    List<MethodSpec> adjoint(AdjointFunction adjoint, String name, String prefix, StorageMap forward,
            Map<String, Integer> temporaries) {
        StepFunction step = adjoint.forward();
        Map<Integer, Ref> refs = new HashMap<>();
        for (int k = 0; k < adjoint.outputAdjoints().size(); k++) {
            Value g = adjoint.outputAdjoints().get(k);
            String field = prefix + "_g" + k;
            temporaries.put(field, g.size());
            refs.put(g.id(), Ref.of(field, "0"));
        }
        for (Op op : adjoint.ops()) {
            Value result = op.result();
            if (refs.containsKey(result.id())) {
                continue;
            }
            if (op instanceof Op.Constant constant) {
                refs.put(result.id(), Ref.scalar(target.literal(constant.value())));
            } else if (op instanceof Op.Slice slice) {
                refs.put(result.id(), lookup(refs, forward, slice.operand()).plus(slice.from()));
            } else {
                String field = prefix + "_a" + result.id();
                temporaries.put(field, result.size());
                refs.put(result.id(), Ref.of(field, "0"));
            }
        }
        List<CodeBlock> blocks = new ArrayList<>();
        for (Op op : adjoint.ops()) {
            if (op instanceof Op.Input || op instanceof Op.Constant || op instanceof Op.Slice) {
                continue;
            }
            CodeBlock.Builder code = CodeBlock.builder();
            emitValueOp(code, step, op, refs.get(op.result().id()), v -> lookup(refs, forward, v), "parameters");
            blocks.add(code.build());
        }
        for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
            CodeBlock.Builder code = CodeBlock.builder();
            Ref g = lookup(refs, forward, update.adjoint());
            String offset = offsets.constant(step, update.parameter());
            if (update.operand().isPresent()) {
                Ref v = lookup(refs, forward, update.operand().get());
                List<Integer> shape = step.tensor(update.parameter()).shape();
                code.addStatement("$L(gradients, $L, $L, $L, $L, $L)", kernels.outer(shape.get(0), shape.get(1)),
                        offset, g.array(), g.base(), v.array(), v.base());
            } else {
                elementwise.accumulate(code, Ref.of("gradients", offset), g, update.adjoint().size());
            }
            blocks.add(code.build());
        }
        CodeBlock.Builder input = CodeBlock.builder();
        Value dx = adjoint.inputAdjoint();
        elementwise.accumulate(input, Ref.of("dIn", "dInOff"), lookup(refs, forward, dx), dx.size());
        blocks.add(input.build());
        for (int k = 0; k < adjoint.stateAdjoints().size(); k++) {
            Value ds = adjoint.stateAdjoints().get(k);
            CodeBlock.Builder code = CodeBlock.builder();
            elementwise.copy(code, Ref.of(prefix + "_ds" + k, "b * " + ds.size()), lookup(refs, forward, ds),
                    ds.size());
            blocks.add(code.build());
        }
        return chunk(name, blocks, true);
    }

    private static Ref lookup(Map<Integer, Ref> adjointRefs, StorageMap forward, Value value) {
        Ref ref = adjointRefs.get(value.id());
        return ref != null ? ref : forward.ref(value);
    }

    // ------------------------------------------------------------ shared

    interface Refs {
        Ref of(Value value);
    }

    private void emitValueOp(CodeBlock.Builder code, StepFunction step, Op op, Ref dst, Refs refs, String params) {
        int n = op.result().size();
        if (op instanceof Op.Binary binary) {
            elementwise.binary(code, binary.kind(), dst, refs.of(binary.left()), refs.of(binary.right()), n);
        } else if (op instanceof Op.Unary unary) {
            elementwise.unary(code, unary.kind(), dst, refs.of(unary.operand()), n);
        } else if (op instanceof Op.MatVec matVec) {
            List<Integer> shape = step.tensor(matVec.matrix()).shape();
            Ref x = refs.of(matVec.vector());
            code.addStatement("$L($L, $L, $L, $L, $L, $L)", kernels.matVec(shape.get(0), shape.get(1)), params,
                    offsets.constant(step, matVec.matrix()), x.array(), x.base(), dst.array(), dst.base());
        } else if (op instanceof Op.MatVecTransposed transposed) {
            List<Integer> shape = step.tensor(transposed.matrix()).shape();
            Ref g = refs.of(transposed.vector());
            code.addStatement("$L($L, $L, $L, $L, $L, $L)", kernels.matVecTransposed(shape.get(0), shape.get(1)),
                    params, offsets.constant(step, transposed.matrix()), g.array(), g.base(), dst.array(), dst.base());
        } else if (op instanceof Op.Softmax softmax) {
            elementwise.softmax(code, dst, refs.of(softmax.operand()), n);
        } else if (op instanceof Op.SoftmaxGradient gradient) {
            elementwise.softmaxGradient(code, dst, refs.of(gradient.output()), refs.of(gradient.adjoint()), n);
        } else if (op instanceof Op.Concat concat) {
            int offset = 0;
            for (Value part : concat.parts()) {
                elementwise.copy(code, dst.plus(offset), refs.of(part), part.size());
                offset += part.size();
            }
        } else if (op instanceof Op.Zeros) {
            elementwise.zero(code, dst, n);
        } else if (op instanceof Op.Embed embed) {
            elementwise.zero(code, dst, n);
            elementwise.copy(code, dst.plus(embed.offset()), refs.of(embed.operand()), embed.operand().size());
        } else {
            throw new IllegalStateException("cannot emit " + op.getClass().getSimpleName());
        }
    }

    private List<MethodSpec> chunk(String name, List<CodeBlock> blocks, boolean adjoint) {
        int perMethod = target.vector() ? OPS_PER_METHOD_VECTOR : OPS_PER_METHOD_SCALAR;
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder entry = signature(MethodSpec.methodBuilder(name), adjoint);
        String arguments = adjoint ? "in, inOff, row, b, dIn, dInOff" : "in, inOff, row";
        int part = 0;
        for (int start = 0; start < blocks.size(); start += perMethod) {
            MethodSpec.Builder method = signature(MethodSpec.methodBuilder(name + "_" + part), adjoint);
            for (CodeBlock block : blocks.subList(start, Math.min(blocks.size(), start + perMethod))) {
                method.addCode(block);
            }
            methods.add(method.build());
            entry.addStatement("$L_$L($L)", name, part, arguments);
            part++;
        }
        methods.add(0, entry.build());
        return methods;
    }

    private MethodSpec.Builder signature(MethodSpec.Builder method, boolean adjoint) {
        TypeName array = ArrayTypeName.of(target.elemType());
        method.addModifiers(Modifier.PRIVATE).addParameter(array, "in").addParameter(int.class, "inOff")
                .addParameter(int.class, "row");
        if (adjoint) {
            method.addParameter(int.class, "b").addParameter(array, "dIn").addParameter(int.class, "dInOff");
        }
        return method;
    }

    static Map<String, Integer> newTemporaries() {
        return new LinkedHashMap<>();
    }
}
