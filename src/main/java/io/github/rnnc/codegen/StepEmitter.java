package io.github.rnnc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.Op;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emits a step function and its adjoint as methods {@code name(t0, t1, batch)} that apply each op, in order, to
 * every row of steps t0..t1-1 and sequences 0..batch-1. The recurrence calls the per-step part with one step; the
 * hoisted part runs once over all steps, where products become matrix-matrix products. Long op lists are split
 * into several methods, each far below HotSpot's 8000-byte limit for JIT compilation.
 */
final class StepEmitter {
    /**
     * Source characters per method, a proxy for bytecode. Vector code is kept small because C2 must inline every
     * Vector API call of a method to compile it to vector instructions (a call it cannot inline boxes vectors).
     */
    private static final int METHOD_BUDGET_VECTOR = 2400;
    private static final int METHOD_BUDGET_SCALAR = 6000;

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

    /**
     * The generated methods of one direction, and the buffers they need besides the forward storage.
     *
     * @param inputPart whether the ops that serve only the input's adjoint are in a method of their own,
     *                  {@code adjointInput_<prefix>(t0, t1, batch)}, run after the hoisted part when asked for
     * @param inputPack whether the weights only that part reads are packed by {@code packForBackwardInput_<prefix>()}
     * @param inferencePart whether {@code forward} runs steps of its own, {@code inferenceStep_<prefix>(t0, t1, batch)},
     *                  which keep for one step what only the backward pass reads
     * @param packedFields the buffers that hold packed weights (read by the products only): segments, when the
     *                  target keeps them off-heap
     */
    record Emitted(List<MethodSpec> methods, Map<String, String> buffers, boolean inputPart, boolean inputPack,
            boolean inferencePart, Set<String> packedFields) {
    }

    /**
     * @param prefix   field prefix of the direction
     * @param storage  where the forward pass of a training step keeps its values
     * @param inference where {@code forward} keeps them
     * @param dInArray where the adjoint of the input is added, rows like the input
     * @param dOutArray for a stateless step, the array holding its output adjoint (rows like its output)
     * @param inputOnly the hoisted adjoint ops to put in the input part (see {@link InputAdjointCone}); empty
     *                  for none
     */
    Emitted emit(AdjointFunction adjoint, StepFunction step, String prefix, StorageMap storage,
            StorageMap inference, String outArray, String dInArray, String dOutArray, Set<Integer> inputOnly) {
        List<MethodSpec> methods = new ArrayList<>();
        // the packed weights: their own map, so that a segment target can tell them from the other buffers
        Map<String, String> packedBuffers = new java.util.LinkedHashMap<>();
        methods.add(pack(step, prefix, packedBuffers));
        // W for the backward products; a W that only the input part reads is packed only when that part runs
        java.util.Set<String> alwaysPacked = new java.util.LinkedHashSet<>();
        java.util.Set<String> inputPacked = new java.util.LinkedHashSet<>();
        for (Op op : adjoint.ops()) {
            if (op instanceof Op.MatVecTransposed transposed) {
                (inputOnly.contains(op.result().id()) ? inputPacked : alwaysPacked).add(transposed.matrix());
            }
        }
        inputPacked.removeAll(alwaysPacked);
        methods.add(packForBackward("packForBackward_" + prefix, alwaysPacked, step, packedBuffers));
        if (!inputPacked.isEmpty()) {
            methods.add(packForBackward("packForBackwardInput_" + prefix, inputPacked, step, packedBuffers));
        }
        Map<String, String> buffers = new java.util.LinkedHashMap<>(packedBuffers);
        // Forward: hoisted ops over all rows, the others per step; state outputs that are views are copied.
        List<CodeBlock> hoisted = new ArrayList<>();
        List<CodeBlock> perStep = new ArrayList<>();
        forward(step, prefix, storage, outArray, hoisted, perStep);
        methods.addAll(chunk("forwardHoisted_" + prefix, hoisted));
        List<MethodSpec> forwardStep = chunk("forwardStep_" + prefix, perStep);
        methods.addAll(forwardStep);
        // The steps of a forward pass without backward, where they keep less (their hoisted part is the same); a
        // part that is the training step's own is called, not repeated.
        List<CodeBlock> inferenceStep = new ArrayList<>();
        if (inference != storage) {
            forward(step, prefix, inference, outArray, null, inferenceStep);
        }
        boolean inferencePart = !inferenceStep.isEmpty() && !inferenceStep.equals(perStep);
        if (inferencePart) {
            Map<CodeBlock, String> shared = new HashMap<>();
            forwardStep.forEach(m -> shared.put(m.code(), m.name()));
            methods.addAll(chunk("inferenceStep_" + prefix, inferenceStep, shared));
        }
        // Adjoint.
        AdjointStorage adjointStorage = new AdjointStorage(adjoint, prefix, storage, dOutArray, buffers);
        List<CodeBlock> adjointHoisted = new ArrayList<>();
        List<CodeBlock> adjointStep = new ArrayList<>();
        List<CodeBlock> adjointInput = new ArrayList<>();
        List<Op> adjointOps = adjoint.ops();
        for (int i = 0; i < adjointOps.size(); i++) {
            Op op = adjointOps.get(i);
            if (op instanceof Op.Input || op instanceof Op.Constant || op instanceof Op.Slice) {
                continue;
            }
            Integer loop = adjoint.loops().get(op.result().id());
            CodeBlock block;
            if (loop != null) {
                List<Op> run = run(adjointOps, i, adjoint.loops(), loop);
                i = adjointOps.indexOf(run.get(run.size() - 1));
                block = fusedBlock(run, adjointStorage::ref);
            } else if (op instanceof Op.Concat concat && inPlace(concat, adjointStorage::ref)) {
                continue;
            } else {
                block = valueOp(step, op, adjointStorage.ref(op.result()), adjointStorage::ref, true);
            }
            (inputOnly.contains(op.result().id()) ? adjointInput
                    : adjoint.isHoisted(op.result()) ? adjointHoisted : adjointStep).add(block);
        }
        // Gradient sums over steps run after the recurrence, once over all rows: the gradient rows then stay in
        // registers across the whole sequence instead of being loaded and stored at every step.
        for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
            adjointHoisted.add(gradientUpdate(step, update, adjointStorage));
        }
        Value dx = adjoint.inputAdjoint();
        CodeBlock input = rows(code -> elementwise.accumulate(code, Ref.rows(dInArray, Ref.Row.R, dx.size()),
                adjointStorage.ref(dx), dx.size()));
        (inputOnly.contains(dx.id()) ? adjointInput : adjoint.isHoisted(dx) ? adjointHoisted : adjointStep).add(input);
        for (int k = 0; k < adjoint.stateAdjoints().size(); k++) {
            Value ds = adjoint.stateAdjoints().get(k);
            Ref destination = Ref.rows(prefix + "_dsn" + k, Ref.Row.B, ds.size());
            buffers.put(prefix + "_dsn" + k, "maxBatch * " + ds.size());
            adjointStep.add(rows(code -> elementwise.copy(code, destination, adjointStorage.ref(ds), ds.size())));
        }
        methods.addAll(chunk("adjointStep_" + prefix, adjointStep));
        methods.addAll(chunk("adjointHoisted_" + prefix, adjointHoisted));
        if (!adjointInput.isEmpty()) {
            methods.addAll(chunk("adjointInput_" + prefix, adjointInput));
        }
        return new Emitted(methods, buffers, !adjointInput.isEmpty(), !inputPacked.isEmpty(), inferencePart,
                Set.copyOf(packedBuffers.keySet()));
    }

    /**
     * The forward ops of a step over {@code storage}: those over all rows into hoisted (left out when it is null),
     * the others into perStep.
     */
    private void forward(StepFunction step, String prefix, StorageMap storage, String outArray,
            List<CodeBlock> hoisted, List<CodeBlock> perStep) {
        List<Op> forwardOps = step.ops();
        for (int i = 0; i < forwardOps.size(); i++) {
            Op op = forwardOps.get(i);
            boolean isHoisted = step.isHoisted(op.result());
            Integer loop = step.loops().get(op.result().id());
            List<Op> run = loop != null ? run(forwardOps, i, step.loops(), loop) : List.of(op);
            if (loop != null) {
                i = forwardOps.indexOf(run.get(run.size() - 1));
            }
            if (isHoisted && hoisted == null) {
                continue;
            }
            CodeBlock block = loop != null ? fusedBlock(run, storage::ref) : forwardOp(step, op, prefix, storage);
            if (block != null) {
                (isHoisted ? hoisted : perStep).add(block);
            }
        }
        storage.copiedOutputs().forEach((k, id) -> {
            Value output = step.outputs().get(k);
            boolean stateless = step.states().isEmpty();
            Ref destination = stateless ? Ref.rows(outArray, Ref.Row.R, output.size())
                    : Ref.rows(prefix + "_s" + k, Ref.Row.NEXT, output.size());
            (stateless ? hoisted : perStep).add(rows(code -> elementwise.copy(code, destination,
                    storage.ref(output), output.size())));
        });
    }

    // ------------------------------------------------------------ storage of adjoint values

    /**
     * Adjoint values of the per-step part live in one step's rows ({@code [maxBatch][size]}, row b); hoisted ones,
     * and per-step ones that the hoisted part reads, keep every row ({@code [maxSteps][maxBatch][size]}). In a
     * stateless step everything is hoisted and the output adjoint is the layer's output-adjoint array.
     */
    private final class AdjointStorage {
        private final Map<Integer, Ref> refs = new HashMap<>();
        private final StorageMap forward;

        AdjointStorage(AdjointFunction adjoint, String prefix, StorageMap forward, String dOutArray,
                Map<String, String> buffers) {
            this.forward = forward;
            boolean stateless = adjoint.forward().states().isEmpty();
            // Slices are views: what the hoisted part reads through a slice is its operand's storage.
            Views views = new Views(adjoint.ops());
            Set<Integer> readByHoisted = new HashSet<>();
            java.util.function.IntConsumer mark = id -> readByHoisted.add(views.base(id));
            for (Op op : adjoint.ops()) {
                if (adjoint.isHoisted(op.result())) {
                    op.operands().forEach(v -> mark.accept(v.id()));
                }
            }
            for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
                mark.accept(update.adjoint().id());
            }
            if (adjoint.isHoisted(adjoint.inputAdjoint())) {
                mark.accept(adjoint.inputAdjoint().id());
            }
            for (int k = 0; k < adjoint.outputAdjoints().size(); k++) {
                Value g = adjoint.outputAdjoints().get(k);
                if (stateless) {
                    refs.put(g.id(), Ref.rows(dOutArray, Ref.Row.R, g.size()));
                } else {
                    // Every step's output adjoint is kept: gradient sums after the recurrence may read it.
                    String field = prefix + "_g" + k;
                    buffers.put(field, "maxSteps * maxBatch * " + g.size());
                    refs.put(g.id(), Ref.rows(field, Ref.Row.R, g.size()));
                }
            }
            java.util.function.IntPredicate everyStep = id -> stateless || adjoint.hoisted().contains(id)
                    || readByHoisted.contains(id);
            Map<Integer, Placement> inConcat = placementsInConcats(adjoint, everyStep);
            Set<Integer> local = locals(adjoint, views);
            for (Op op : adjoint.ops()) {
                Value result = op.result();
                if (refs.containsKey(result.id()) || inConcat.containsKey(result.id())) {
                    continue;
                }
                if (op instanceof Op.Constant constant) {
                    refs.put(result.id(), Ref.scalar(target.literal(constant.value())));
                } else if (op instanceof Op.Slice slice) {
                    refs.put(result.id(), ref(slice.operand()).plus(slice.from()));
                } else if (everyStep.test(result.id())) {
                    String field = prefix + "_x" + result.id();
                    buffers.put(field, "maxSteps * maxBatch * " + result.size());
                    refs.put(result.id(), Ref.rows(field, Ref.Row.R, result.size()));
                } else if (local.contains(result.id())) {
                    refs.put(result.id(), Ref.local());
                } else {
                    String field = prefix + "_a" + result.id();
                    buffers.put(field, "maxBatch * " + result.size());
                    refs.put(result.id(), Ref.rows(field, Ref.Row.B, result.size()));
                }
            }
            // Parts live in their concat's storage, the outermost concat first (a concat may be a part itself).
            List<Op> reversed = new ArrayList<>(adjoint.ops());
            java.util.Collections.reverse(reversed);
            for (Op op : reversed) {
                Placement placement = inConcat.get(op.result().id());
                if (placement != null) {
                    refs.put(op.result().id(), refs.get(placement.concat()).plus(placement.offset()));
                }
            }
        }

        /** A value computed in place as part of a concat: at {@code offset} of the concat's storage. */
        private record Placement(int concat, int offset) {
        }

        /**
         * The parts of concats that are computed in place: elementwise results of this function, each in the first
         * concat that keeps as many rows as it needs (other concats it is part of copy it).
         */
        private static Map<Integer, Placement> placementsInConcats(AdjointFunction adjoint,
                java.util.function.IntPredicate everyStep) {
            Map<Integer, Op> definitions = new HashMap<>();
            adjoint.ops().forEach(op -> definitions.put(op.result().id(), op));
            Map<Integer, Placement> placements = new HashMap<>();
            for (Op op : adjoint.ops()) {
                if (!(op instanceof Op.Concat concat)) {
                    continue;
                }
                int offset = 0;
                for (Value part : concat.parts()) {
                    Op definition = definitions.get(part.id());
                    boolean computed = definition instanceof Op.Binary || definition instanceof Op.Unary
                            || definition instanceof Op.Zeros || definition instanceof Op.Concat;
                    if (computed && !placements.containsKey(part.id())
                            && (!everyStep.test(part.id()) || everyStep.test(concat.result().id()))) {
                        placements.put(part.id(), new Placement(concat.result().id(), offset));
                    }
                    offset += part.size();
                }
            }
            return placements;
        }

        /** Values of a fused loop that only later ops of the same loop read: locals of the loop, never stored. */
        private static Set<Integer> locals(AdjointFunction adjoint, Views views) {
            Set<Integer> outside = views.readOutsideOwnLoop(adjoint.ops(), adjoint.loops());
            java.util.function.Consumer<Value> readOutside = v -> outside.add(views.base(v.id()));
            for (AdjointFunction.GradientUpdate update : adjoint.updates()) {
                readOutside.accept(update.adjoint());
                update.operand().ifPresent(readOutside);
            }
            readOutside.accept(adjoint.inputAdjoint());
            adjoint.stateAdjoints().forEach(readOutside);
            Set<Integer> locals = new HashSet<>();
            for (Op op : adjoint.ops()) {
                int id = op.result().id();
                if (adjoint.loops().containsKey(id) && !outside.contains(id)) {
                    locals.add(id);
                }
            }
            return locals;
        }

        Ref ref(Value value) {
            Ref ref = refs.get(value.id());
            return ref != null ? ref : forward.ref(value);
        }
    }

    // ------------------------------------------------------------ ops

    /** The ops of one fused loop, starting at index {@code start}: the loop's members, views skipped. */
    private static List<Op> run(List<Op> ops, int start, Map<Integer, Integer> loops, int loop) {
        List<Op> run = new ArrayList<>();
        for (int i = start; i < ops.size(); i++) {
            Op op = ops.get(i);
            Integer member = loops.get(op.result().id());
            if (member != null && member == loop) {
                run.add(op);
            } else if (member != null || !(op instanceof Op.Slice || op instanceof Op.Constant
                    || op instanceof Op.ParameterVector || op instanceof Op.Input)) {
                break;
            }
        }
        return run;
    }

    private CodeBlock fusedBlock(List<Op> run, Refs refs) {
        List<Elementwise.Fused> fused = new ArrayList<>();
        for (Op op : run) {
            List<Ref> operands = op.operands().stream().map(refs::of).toList();
            List<Integer> ids = op.operands().stream().map(Value::id).toList();
            fused.add(new Elementwise.Fused(op, refs.of(op.result()), operands, ids));
        }
        int n = run.get(0).result().size();
        return rows(code -> elementwise.fused(code, fused, n));
    }

    private CodeBlock forwardOp(StepFunction step, Op op, String prefix, StorageMap storage) {
        if (op instanceof Op.Input || op instanceof Op.Constant || op instanceof Op.ParameterVector
                || op instanceof Op.Slice) {
            return null; // views and literals
        }
        if (op instanceof Op.MatVec || op instanceof Op.StackedMatVec) {
            return product(op.operands().get(0).size(), op.result().size(), storage.ref(op.operands().get(0)),
                    prefix + "_w" + op.result().id(), storage.ref(op.result()));
        }
        return valueOp(step, op, storage.ref(op.result()), storage::ref, false);
    }

    interface Refs {
        Ref of(Value value);
    }

    private CodeBlock valueOp(StepFunction step, Op op, Ref dst, Refs refs, boolean adjoint) {
        int n = op.result().size();
        if (op instanceof Op.MatVecTransposed transposed) {
            // W^T g = g W: a product with W itself, packed in panels by packForBackward.
            List<Integer> shape = step.tensor(transposed.matrix()).shape();
            return product(shape.get(0), shape.get(1), refs.of(transposed.vector()),
                    packedName(step, transposed.matrix()), dst);
        }
        return rows(code -> {
            if (op instanceof Op.Binary binary) {
                elementwise.binary(code, binary.kind(), dst, refs.of(binary.left()), refs.of(binary.right()), n);
            } else if (op instanceof Op.Unary unary) {
                elementwise.unary(code, unary.kind(), dst, refs.of(unary.operand()), n);
            } else if (op instanceof Op.Softmax softmax) {
                elementwise.softmax(code, dst, refs.of(softmax.operand()), n);
            } else if (op instanceof Op.SoftmaxGradient gradient) {
                elementwise.softmaxGradient(code, dst, refs.of(gradient.output()), refs.of(gradient.adjoint()), n);
            } else if (op instanceof Op.Concat concat) {
                int offset = 0;
                for (Value part : concat.parts()) {
                    if (!refs.of(part).equals(dst.plus(offset))) { // a part computed in place is there already
                        elementwise.copy(code, dst.plus(offset), refs.of(part), part.size());
                    }
                    offset += part.size();
                }
            } else if (op instanceof Op.Zeros) {
                elementwise.zero(code, dst, n);
            } else if (op instanceof Op.Embed embed) {
                elementwise.zero(code, dst, n);
                elementwise.copy(code, dst.plus(embed.offset()), refs.of(embed.operand()), embed.operand().size());
            } else {
                throw new IllegalStateException("cannot emit " + op.getClass().getSimpleName()
                        + (adjoint ? " in an adjoint" : ""));
            }
        });
    }

    /** Whether every part of a concat is computed in its storage, so that the concat itself is nothing to do. */
    private static boolean inPlace(Op.Concat concat, Refs refs) {
        Ref whole = refs.of(concat.result());
        int offset = 0;
        for (Value part : concat.parts()) {
            if (!refs.of(part).equals(whole.plus(offset))) {
                return false;
            }
            offset += part.size();
        }
        return true;
    }

    private CodeBlock gradientUpdate(StepFunction step, AdjointFunction.GradientUpdate update, AdjointStorage refs) {
        Ref g = refs.ref(update.adjoint());
        String offset = offsets.constant(step, update.parameter());
        if (update.operand().isEmpty()) {
            return rows(code -> elementwise.accumulate(code, Ref.fixed("gradients", offset), g,
                    update.adjoint().size()));
        }
        Ref x = refs.ref(update.operand().get());
        List<Integer> shape = step.tensor(update.parameter()).shape();
        Kernels.Kernel kernel = kernels.outer(shape.get(0), shape.get(1), g.rowStride(), x.rowStride());
        String workspace = kernel.takesWorkspace() ? ", " + Kernels.WORKSPACE : "";
        return rowBlocks(g, x, (first, m, reverse) -> CodeBlock.of("$L(gradients, $L, $L, $L, $L, $L, $L$L);\n",
                kernel.name(), offset, g.array(), g.baseAt(first, "0"), x.array(), x.baseAt(first, "0"), m,
                workspace));
    }

    /**
     * y = a · B over the current rows, B [inner][columns] a packed weight field, with the kernel specialized to the
     * row strides of a and y.
     */
    private CodeBlock product(int inner, int columns, Ref a, String packedMatrix, Ref y) {
        String kernel = kernels.gemmPacked(inner, columns, a.rowStride(), y.rowStride());
        return rowBlocks(a, y, (first, m, reverse) -> CodeBlock.of("$L($L, $L, $L, 0, $L, $L, $L, $L);\n", kernel,
                a.array(), a.baseAt(first, "0"), packedMatrix, y.array(), y.baseAt(first, "0"), m, reverse));
    }

    interface KernelCall {
        /** @param reverse whether a product passes over its matrix backwards (alternate steps do) */
        CodeBlock call(String firstRow, String rowCount, String reverse);
    }

    /**
     * A kernel over the rows of steps t0..t1-1: in one call when the batch fills maxBatch (rows are then
     * contiguous across steps) and no operand is a one-step temporary, else one call per step.
     */
    private CodeBlock rowBlocks(Ref first, Ref second, KernelCall call) {
        boolean perStepOnly = first.row() == Ref.Row.B || second.row() == Ref.Row.B;
        CodeBlock.Builder code = CodeBlock.builder();
        if (perStepOnly) {
            code.beginControlFlow("for (int t = t0; t < t1; t++)");
            code.add(call.call("t * maxBatch", "batch", "(t & 1) != 0"));
            return code.endControlFlow().build();
        }
        code.beginControlFlow("if (batch == maxBatch)");
        code.add(call.call("t0 * maxBatch", "(t1 - t0) * batch", "false"));
        code.nextControlFlow("else");
        code.beginControlFlow("for (int t = t0; t < t1; t++)");
        code.add(call.call("t * maxBatch", "batch", "(t & 1) != 0"));
        code.endControlFlow();
        return code.endControlFlow().build();
    }

    interface Body {
        void emit(CodeBlock.Builder code);
    }

    /** An elementwise op applied to every row of the range. */
    private static CodeBlock rows(Body body) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.beginControlFlow("for (int t = t0; t < t1; t++)");
        code.beginControlFlow("for (int b = 0; b < batch; b++)");
        code.addStatement("int r = t * maxBatch + b");
        body.emit(code);
        code.endControlFlow();
        code.endControlFlow();
        return code.build();
    }

    /** Packs W^T of every forward product into a field (when the parameters changed): products stream it in order. */
    private MethodSpec pack(StepFunction step, String prefix, Map<String, String> buffers) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("pack_" + prefix).addModifiers(Modifier.PRIVATE);
        for (Op op : step.ops()) {
            List<String> matrices = op instanceof Op.MatVec m ? List.of(m.matrix())
                    : op instanceof Op.StackedMatVec s ? s.matrices() : List.of();
            if (matrices.isEmpty()) {
                continue;
            }
            String field = prefix + "_w" + op.result().id();
            int columns = op.operands().get(0).size();
            int total = op.result().size();
            buffers.put(field, "1 * 1 * " + (columns * total));
            int rowOffset = 0;
            for (String matrix : matrices) {
                int rows = step.tensor(matrix).shape().get(0);
                // Element (c, n) of W^T, n the stacked row, goes where kernels.packedIndex says: a row of W is read in
                // order and written with the stride of its panel (or of the row-major rest).
                int width = kernels.panelWidth();
                int blocked = target.vector() ? total - total % width : 0;
                // The rows in panels and the rows of the row-major rest in loops of their own, each with its store
                // stride a constant: with the stride chosen per row, every store kept its range check.
                int panelRows = Math.max(0, Math.min(rows, blocked - rowOffset));
                String from = offsets.constant(step, matrix);
                String n = rowOffset + " + row";
                String panelIndex = "(" + n + ") / " + width + " * " + (columns * width) + " + (" + n + ") % " + width;
                int grouped = rowOffset % PACK_GROUP == 0 && width % PACK_GROUP == 0
                        ? panelRows - panelRows % PACK_GROUP : 0;
                packRowGroups(method, grouped, panelIndex, width, field, from, columns);
                packRows(method, grouped, panelRows, panelIndex, width, field, from, columns);
                packRows(method, panelRows, rows, (blocked * columns + rowOffset - blocked) + " + row", total - blocked,
                        field, from, columns);
                rowOffset += rows;
            }
        }
        return method.build();
    }

    /**
     * Rows of W packed together by {@link #packRowGroups}: their elements of one column are adjacent in a panel, so
     * the stores of a group are contiguous.
     */
    private static final int PACK_GROUP = 8;

    /**
     * Rows 0 .. rows - 1 of W into its panels, {@link #PACK_GROUP} rows at a time: one row at a time, every store went
     * to another cache line (30 us for a 512 x 128 matrix on JDK 17, about 18 this way, on the Intel AVX-512 machine
     * of the benchmarks). The rows start a group in their panel; element c of row n goes to {@code to + c * width}.
     */
    private void packRowGroups(MethodSpec.Builder method, int rows, String to, int width, String field,
            String from, int columns) {
        if (rows == 0) {
            return;
        }
        method.beginControlFlow("for (int row = 0; row < $L; row += $L)", rows, PACK_GROUP)
                .addStatement("int to = $L", to)
                .addStatement("int from = $L + row * $L", from, columns)
                .beginControlFlow("for (int c = 0; c < $L; c++)", columns)
                .addStatement("int at = to + c * $L", width);
        for (int k = 0; k < PACK_GROUP; k++) {
            method.addStatement(storePacked(field, "at + " + k, "parameters[from + " + k * columns + " + c]"));
        }
        method.endControlFlow().endControlFlow();
    }

    /** Rows first .. last - 1 of W into field: element c of a row at {@code to + c * stride}. */
    private void packRows(MethodSpec.Builder method, int first, int last, String to, int stride, String field,
            String from, int columns) {
        if (first < last) {
            method.beginControlFlow("for (int row = $L; row < $L; row++)", first, last)
                    .addStatement("int to = $L", to)
                    .addStatement("int from = $L + row * $L", from, columns)
                    .addStatement("for (int c = 0; c < $L; c++) $L", columns,
                            storePacked(field, "to + c * " + stride, "parameters[from + c]"))
                    .endControlFlow();
        }
    }

    /** {@code field[index] = value} for a packed field, an array or a segment. */
    private CodeBlock storePacked(String field, String index, String value) {
        return target.segments()
                ? CodeBlock.of("$L.setAtIndex($T.$L, $L, $L)", field, Target.VALUE_LAYOUT, target.elementLayout(),
                        index, value)
                : CodeBlock.of("$L[$L] = $L", field, index, value);
    }

    /** Copies {@code count} elements of parameters from {@code from} to a packed field at {@code to}. */
    private CodeBlock copyToPacked(String from, String field, String to, int count) {
        return target.segments()
                ? CodeBlock.of("$T.copy(parameters, $L, $L, $T.$L, (long) ($L) * $L, $L)", Target.MEMORY_SEGMENT, from,
                        field, Target.VALUE_LAYOUT, target.elementLayout(), to, target.elemBytes(), count)
                : CodeBlock.of("$T.arraycopy(parameters, $L, $L, $L, $L)", System.class, from, field, to, count);
    }

    private String packedName(StepFunction step, String matrix) {
        return "packed" + offsets.constant(step, matrix);
    }

    /** W (not transposed) in panels, for the backward products g W (when the parameters changed). */
    private MethodSpec packForBackward(String name, java.util.Set<String> matrices, StepFunction step,
            Map<String, String> buffers) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE);
        for (String matrix : matrices) {
            List<Integer> shape = step.tensor(matrix).shape();
            int rows = shape.get(0);
            int columns = shape.get(1);
            String field = packedName(step, matrix);
            buffers.put(field, "1 * 1 * " + (rows * columns));
            int width = kernels.panelWidth();
            int blocked = target.vector() ? columns - columns % width : 0;
            method.beginControlFlow("for (int k = 0; k < $L; k++)", rows)
                    .addStatement("int from = $L + k * $L", offsets.constant(step, matrix), columns);
            if (blocked > 0 && target.segments()) {
                // a segment's row of a panel a vector at a time: MemorySegment.copy of 512 x 128 took 7.6 us, the
                // vectors 5.4 (JDK 25, the Intel AVX-512 machine of the benchmarks)
                method.beginControlFlow("for (int j = 0; j < $L; j += $L)", blocked, width)
                        .addStatement("long to = (long) (j * $L + k * $L) * $L", rows, width, target.elemBytes());
                for (int q = 0; q < width; q += target.lanes()) {
                    method.addStatement("$T.fromArray(SPECIES, parameters, from + j + $L)"
                            + ".intoMemorySegment($L, to + $L, $L)", target.vectorClass(), q, field,
                            q * target.elemBytes(), Kernels.NATIVE_ORDER);
                }
                method.endControlFlow();
            } else if (blocked > 0) {
                // a panel's row at a time: element by element, the index (j / width, j % width) was not linear in the
                // loop, so every store kept its range check (8.8 % of a training step, LSTM H = 128, batch 1)
                method.addStatement("for (int j = 0; j < $L; j += $L) $L", blocked, width,
                        copyToPacked("from + j", field, "j * " + rows + " + k * " + width, width));
            }
            if (blocked < columns) {
                method.addStatement(copyToPacked("from + " + blocked, field,
                        blocked * rows + " + k * " + (columns - blocked), columns - blocked));
            }
            method.endControlFlow();
        }
        return method.build();
    }

    private List<MethodSpec> chunk(String name, List<CodeBlock> blocks) {
        return chunk(name, blocks, Map.of());
    }

    /**
     * Blocks in methods of at most the budget, {@code name_0}, {@code name_1}, ..., and {@code name} calling them in
     * order; a part whose code is in {@code shared} calls the method named there instead of being emitted again.
     */
    private List<MethodSpec> chunk(String name, List<CodeBlock> blocks, Map<CodeBlock, String> shared) {
        int budget = target.vector() ? METHOD_BUDGET_VECTOR : METHOD_BUDGET_SCALAR;
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder entry = signature(name);
        int part = 0;
        int start = 0;
        while (start < blocks.size()) {
            int end = start;
            int size = 0;
            do {
                size += cost(blocks.get(end));
                end++;
            } while (end < blocks.size() && size + cost(blocks.get(end)) <= budget);
            MethodSpec.Builder method = signature(name + "_" + part);
            blocks.subList(start, end).forEach(method::addCode);
            MethodSpec built = method.build();
            String existing = shared.get(built.code());
            if (existing != null) {
                entry.addStatement("$L(t0, t1, batch)", existing);
            } else {
                methods.add(built);
                entry.addStatement("$L_$L(t0, t1, batch)", name, part);
            }
            part++;
            start = end;
        }
        methods.add(0, entry.build());
        return methods;
    }

    /**
     * Source length, plus what the JIT will inline into the method: kernels, and the scalar math helpers (vector
     * code has its math functions written out, so their length is already in the text).
     */
    private static int cost(CodeBlock block) {
        String text = block.toString();
        int heavy = count(text, "tanh(") + count(text, "sigmoid(") + count(text, "hardSigmoidSlope(");
        int kernels = count(text, "gemm") + count(text, "addOuter");
        return text.length() + 700 * heavy + 2400 * kernels;
    }

    private static int count(String text, String what) {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            count++;
        }
        return count;
    }

    private static MethodSpec.Builder signature(String name) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).addParameter(int.class, "t0")
                .addParameter(int.class, "t1").addParameter(int.class, "batch");
    }
}
