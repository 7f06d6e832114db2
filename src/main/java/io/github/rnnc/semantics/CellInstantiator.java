package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Shape inference for one cell with concrete sizes. Learnable parameter shapes are unknowns solved by
 * unification over size variables; the equations are walked until no new size is learned, because a
 * concatenation, a slice or a nested cell needs its operands' sizes before it can say anything.
 */
final class CellInstantiator {
    private static final int MAX_PASSES = 8;

    private final CellFacts facts;
    private final Map<CellDecl, CellFacts> allFacts;
    private final Map<String, Integer> sizes;
    private final Map<String, String> functions;
    private final int inputSize;
    private final boolean builtin;
    private final boolean probe;
    private final int depth;

    /** Unknown sizes, solved by unification; the value is set once known. */
    private static final class Dim {
        private Dim parent;
        private Integer value;

        Dim(Integer value) {
            this.value = value;
        }

        Dim root() {
            Dim d = this;
            while (d.parent != null) {
                d = d.parent;
            }
            return d;
        }

        Integer known() {
            return root().value;
        }
    }

    /** Shapes during inference; BAD stops cascades after an error. */
    private sealed interface Ty {
    }

    private record Scalar() implements Ty {
    }

    private record Vec(Dim size) implements Ty {
    }

    private record Mat(Dim rows, Dim columns) implements Ty {
    }

    private record Bad() implements Ty {
    }

    private static final Ty SCALAR = new Scalar();
    private static final Ty BAD = new Bad();

    private final Map<String, Ty> parameterTypes = new HashMap<>();
    private final Map<String, Span> firstUse = new HashMap<>();
    private final Map<String, Integer> stateSizes = new LinkedHashMap<>();
    private final Set<String> recurrentMatrices = new HashSet<>();
    private final Map<Expr.Call, CellInstance> nested = new IdentityHashMap<>();
    private final Map<Expr.Slice, CellInstance.Bounds> sliceBounds = new IdentityHashMap<>();

    // Per pass.
    private Diagnostics pass;
    private Map<Expr, Ty> types;
    private Map<String, Ty> localTypes;
    private Set<String> stateDependentLocals;
    private boolean finalPass;

    private CellInstantiator(CellFacts facts, Map<CellDecl, CellFacts> allFacts, Map<String, Integer> sizes,
            Map<String, String> functions, int inputSize, boolean builtin, boolean probe, int depth) {
        this.facts = facts;
        this.allFacts = allFacts;
        this.sizes = sizes;
        this.functions = functions;
        this.inputSize = inputSize;
        this.builtin = builtin;
        this.probe = probe;
        this.depth = depth;
    }

    /**
     * @param probe true when checking a cell that no network uses, with stand-in sizes: messages then do not
     *              quote sizes that the user never wrote
     */
    static Optional<CellInstance> instantiate(CellFacts facts, Map<CellDecl, CellFacts> allFacts,
            Map<String, Integer> sizes, Map<String, String> functions, int inputSize, boolean builtin,
            boolean probe, Diagnostics diagnostics) {
        return new CellInstantiator(facts, allFacts, sizes, functions, inputSize, builtin, probe, 0)
                .run(diagnostics);
    }

    private Optional<CellInstance> run(Diagnostics diagnostics) {
        if (depth > 16) {
            return Optional.empty(); // only reachable through recursion, which the checker reports
        }
        Diagnostics declarations = new Diagnostics();
        declareStates(declarations);
        declareParameters(declarations);
        diagnostics.addAll(declarations.sorted());
        if (declarations.hasErrors()) {
            return Optional.empty();
        }
        int known = -1;
        for (int i = 0; i < MAX_PASSES; i++) {
            finalPass = false;
            walk();
            int nowKnown = knownCount();
            if (nowKnown == known) {
                break;
            }
            known = nowKnown;
        }
        finalPass = true;
        walk();
        diagnostics.addAll(pass.sorted());
        boolean ok = !pass.hasErrors();
        // After another error the unknown sizes it left behind are consequences, not findings of their own.
        boolean reportUnknown = ok;
        List<CellInstance.Parameter> parameters = new ArrayList<>();
        for (String name : facts.learnable()) {
            Ty type = parameterTypes.get(name);
            List<Integer> shape = concrete(type);
            if (shape == null) {
                if (reportUnknown && type != BAD && type != null) {
                    Span at = firstUse.getOrDefault(name, facts.cell().name().span());
                    diagnostics.error(DiagnosticCode.SHAPE_NOT_INFERRED, at, "the shape of parameter '" + name
                            + "' cannot be inferred from its uses; declare it, e.g. param " + name
                            + (type instanceof Mat ? "[rows, columns]" : "[size]") + ";");
                }
                ok = false;
                continue;
            }
            parameters.add(new CellInstance.Parameter(name, shape, role(name, type), initializer(name, type)));
        }
        if (!ok) {
            return Optional.empty();
        }
        Map<Expr, ValueShape> shapes = new IdentityHashMap<>();
        types.forEach((expr, type) -> shapes.put(expr, valueShape(type)));
        Map<Expr.Call, String> resolvedFunctions = new IdentityHashMap<>();
        types.keySet().forEach(expr -> {
            if (expr instanceof Expr.Call call && !facts.cellCalls().containsKey(call)) {
                String callee = call.callee().text();
                resolvedFunctions.put(call, functions.getOrDefault(callee, callee));
            }
        });
        List<CellInstance.State> states = new ArrayList<>();
        stateSizes.forEach((name, size) -> states.add(new CellInstance.State(name, size)));
        return Optional.of(new CellInstance(facts.cell(), builtin, Map.copyOf(sizes), inputSize, states,
                parameters, shapes, resolvedFunctions, nested, sliceBounds));
    }

    // ------------------------------------------------------------ declarations

    private void declareStates(Diagnostics diagnostics) {
        for (CellDecl.CellStatement statement : facts.cell().body()) {
            if (statement instanceof CellDecl.StateDecl stateDecl) {
                for (CellDecl.StateVariable variable : stateDecl.variables()) {
                    SizeEvaluator.positive(variable.size(), sizes, diagnostics, "the size of state '"
                            + variable.name().text() + "'")
                            .ifPresent(size -> stateSizes.put(variable.name().text(), size));
                }
            }
        }
    }

    private void declareParameters(Diagnostics diagnostics) {
        facts.declared().forEach((name, decl) -> {
            List<Dim> dims = new ArrayList<>();
            for (Expr dimension : decl.dimensions()) {
                OptionalInt size = SizeEvaluator.positive(dimension, sizes, diagnostics, "a dimension of '" + name
                        + "'");
                size.ifPresent(s -> dims.add(new Dim(s)));
            }
            if (dims.size() == decl.dimensions().size()) {
                parameterTypes.put(name, dims.size() == 1 ? new Vec(dims.get(0)) : new Mat(dims.get(0), dims.get(1)));
                firstUse.put(name, decl.name().span());
            }
        });
    }

    // ------------------------------------------------------------ the walk

    private void walk() {
        pass = new Diagnostics();
        types = new IdentityHashMap<>();
        localTypes = new HashMap<>();
        stateDependentLocals = new HashSet<>();
        for (CellDecl.CellStatement statement : facts.cell().body()) {
            if (!(statement instanceof CellDecl.Assignment assignment)) {
                continue;
            }
            Ty value = infer(assignment.value());
            String target = assignment.target().text();
            if (!assignment.primed()) {
                localTypes.put(target, value);
                if (dependsOnState(assignment.value())) {
                    stateDependentLocals.add(target);
                }
                continue;
            }
            Integer stateSize = stateSizes.get(target);
            if (stateSize == null || value == BAD) {
                continue;
            }
            if (value instanceof Scalar) {
                error(DiagnosticCode.SHAPE_MISMATCH, assignment.value().span(), "state '" + target + "' is a vector"
                        + sized(" of " + stateSize + " elements") + " but this value is a scalar");
            } else if (value instanceof Vec vec && !unify(vec.size(), new Dim(stateSize))) {
                error(DiagnosticCode.SHAPE_MISMATCH, assignment.value().span(), "state '" + target + "' has "
                        + sized(stateSize + " elements but this value has " + vec.size().known(), "a different size"
                        + " than this value"));
            }
        }
    }

    private Ty infer(Expr expr) {
        Ty type = inferUncached(expr);
        types.put(expr, type);
        return type;
    }

    private Ty inferUncached(Expr expr) {
        if (expr instanceof Expr.NumberLiteral) {
            return SCALAR;
        }
        if (expr instanceof Expr.Name name) {
            return nameType(name, false);
        }
        if (expr instanceof Expr.Negate negate) {
            return infer(negate.operand());
        }
        if (expr instanceof Expr.Binary binary) {
            return binary.operator() == Expr.BinaryOperator.MATMUL ? matmul(binary) : elementwise(binary);
        }
        if (expr instanceof Expr.Concat concat) {
            return concat(concat);
        }
        if (expr instanceof Expr.Slice slice) {
            return slice(slice);
        }
        Expr.Call call = (Expr.Call) expr;
        CellDecl callee = facts.cellCalls().get(call);
        return callee != null ? cellCall(call, callee) : functionCall(call);
    }

    private Ty nameType(Expr.Name name, boolean asMatrix) {
        String text = name.name();
        if (text.equals(Names.INPUT)) {
            return new Vec(new Dim(inputSize));
        }
        if (stateSizes.containsKey(text)) {
            return new Vec(new Dim(stateSizes.get(text)));
        }
        if (localTypes.containsKey(text)) {
            return localTypes.get(text);
        }
        if (sizes.containsKey(text)) {
            return SCALAR;
        }
        if (!facts.learnable().contains(text)) {
            return BAD; // reported by the name rules
        }
        Ty existing = parameterTypes.get(text);
        if (existing == null) {
            Ty created = asMatrix ? new Mat(new Dim(null), new Dim(null)) : new Vec(new Dim(null));
            parameterTypes.put(text, created);
            firstUse.put(text, name.span());
            return created;
        }
        if (existing instanceof Mat != asMatrix) {
            Diagnostic conflict = new Diagnostic(io.github.rnnc.diagnostics.Severity.ERROR,
                    DiagnosticCode.PARAMETER_SHAPE_CONFLICT, "parameter '" + text + "' is used as a "
                    + (asMatrix ? "matrix" : "vector") + " here but as a " + (asMatrix ? "vector" : "matrix")
                    + " elsewhere", name.span(), name.span().source().displayPath(), List.of())
                    .withNote(facts.declared().containsKey(text) ? "declared here" : "first used here",
                            firstUse.get(text));
            pass.add(conflict);
            return BAD;
        }
        return existing;
    }

    private Ty matmul(Expr.Binary binary) {
        Ty right = infer(binary.right());
        if (!(binary.left() instanceof Expr.Name name) || name.primed() || !facts.learnable().contains(name.name())) {
            infer(binary.left());
            error(DiagnosticCode.BAD_MATMUL, binary.left().span(), "the left operand of @ must be a learnable "
                    + "parameter matrix, e.g. W @ x");
            return BAD;
        }
        Ty left = nameType(name, true);
        types.put(binary.left(), left);
        if (left == BAD || right == BAD) {
            return BAD;
        }
        if (!(right instanceof Vec vector)) {
            error(DiagnosticCode.BAD_MATMUL, binary.right().span(), "the right operand of @ must be a vector, not a "
                    + "scalar");
            return BAD;
        }
        Mat matrix = (Mat) left;
        if (dependsOnState(binary.right())) {
            recurrentMatrices.add(name.name());
        }
        if (!unify(matrix.columns(), vector.size())) {
            parameterConflictOr(binary.left(), DiagnosticCode.SHAPE_MISMATCH, binary.span(), "'" + name.name()
                    + "' has " + sized(matrix.columns().known() + " columns but the vector has "
                    + vector.size().known() + " elements", "a different number of columns than the vector has elements"));
            return BAD;
        }
        return new Vec(matrix.rows());
    }

    private Ty elementwise(Expr.Binary binary) {
        Ty left = infer(binary.left());
        Ty right = infer(binary.right());
        if (left == BAD || right == BAD) {
            return BAD;
        }
        if (left instanceof Scalar) {
            return right;
        }
        if (right instanceof Scalar) {
            return left;
        }
        Vec a = (Vec) left;
        Vec b = (Vec) right;
        if (!unify(a.size(), b.size())) {
            Expr blamed = isParameter(binary.right()) ? binary.right() : binary.left();
            parameterConflictOr(blamed, DiagnosticCode.SHAPE_MISMATCH, binary.span(), "operands of '"
                    + binary.operator().symbol() + "' have " + sized("sizes " + a.size().known() + " and "
                    + b.size().known(), "different sizes"));
            return BAD;
        }
        return a;
    }

    private Ty concat(Expr.Concat concat) {
        int total = 0;
        boolean known = true;
        for (Expr part : concat.parts()) {
            Ty type = infer(part);
            if (type == BAD) {
                return BAD;
            }
            if (!(type instanceof Vec vec)) {
                error(DiagnosticCode.SHAPE_MISMATCH, part.span(), "only vectors can be concatenated; this is a scalar");
                return BAD;
            }
            Integer size = vec.size().known();
            if (size == null) {
                known = false;
            } else {
                total += size;
            }
        }
        if (!known) {
            if (finalPass) {
                error(DiagnosticCode.SHAPE_NOT_INFERRED, concat.span(), "the sizes of the parts of this "
                        + "concatenation cannot be inferred");
                return BAD;
            }
            return new Vec(new Dim(null));
        }
        return new Vec(new Dim(total));
    }

    private Ty slice(Expr.Slice slice) {
        Ty target = infer(slice.target());
        Diagnostics local = new Diagnostics();
        OptionalInt from = SizeEvaluator.evaluate(slice.from(), sizes, local);
        OptionalInt to = SizeEvaluator.evaluate(slice.to(), sizes, local);
        local.sorted().forEach(pass::add);
        if (target == BAD || from.isEmpty() || to.isEmpty()) {
            return BAD;
        }
        if (!(target instanceof Vec vec)) {
            error(DiagnosticCode.SHAPE_MISMATCH, slice.target().span(), "only vectors can be sliced; this is a scalar");
            return BAD;
        }
        Integer size = vec.size().known();
        int f = from.getAsInt();
        int t = to.getAsInt();
        if (f < 0 || t <= f || (size != null && t > size)) {
            error(DiagnosticCode.SLICE_OUT_OF_RANGE, slice.span(), "slice [" + slice.from().span().text() + " : "
                    + slice.to().span().text() + "] " + sized("is [" + f + " : " + t + "] but needs 0 <= from < to <= "
                    + (size == null ? "size" : size), "needs 0 <= from < to <= size"));
            return BAD;
        }
        sliceBounds.put(slice, new CellInstance.Bounds(f, t));
        return new Vec(new Dim(t - f));
    }

    private Ty functionCall(Expr.Call call) {
        if (call.arguments().size() != 1) {
            call.arguments().forEach(a -> infer(a.value()));
            return BAD; // reported by the name rules
        }
        return infer(call.arguments().get(0).value());
    }

    private Ty cellCall(Expr.Call call, CellDecl callee) {
        CellFacts calleeFacts = allFacts.get(callee);
        List<Expr.Argument> arguments = call.arguments();
        if (arguments.isEmpty() || arguments.get(0).name().isPresent()) {
            error(DiagnosticCode.WRONG_ARGUMENTS, call.span(), "a cell call takes its input vector first, e.g. "
                    + callee.name().text() + "(x, ...)");
            arguments.forEach(a -> infer(a.value()));
            return BAD;
        }
        Ty input = infer(arguments.get(0).value());
        arguments.subList(1, arguments.size()).forEach(a -> {
            if (a.value() instanceof Expr.Name n && (functions.containsKey(n.name())
                    || Names.FUNCTIONS.contains(n.name()))) {
                return;
            }
            types.put(a.value(), SCALAR);
        });
        if (input == BAD || calleeFacts == null || !calleeFacts.valid()) {
            return BAD;
        }
        if (!(input instanceof Vec vec)) {
            error(DiagnosticCode.SHAPE_MISMATCH, arguments.get(0).span(), "a cell's input must be a vector");
            return BAD;
        }
        Integer size = vec.size().known();
        if (size == null) {
            if (finalPass) {
                error(DiagnosticCode.SHAPE_NOT_INFERRED, arguments.get(0).span(), "the size of this cell input cannot "
                        + "be inferred");
                return BAD;
            }
            return new Vec(new Dim(null));
        }
        Optional<CellArguments.Bound> bound = CellArguments.bind(calleeFacts, callee.name().text(), call.span(),
                arguments.subList(1, arguments.size()), Set.of(),
                (name, e) -> SizeEvaluator.evaluate(e, sizes, pass),
                e -> e instanceof Expr.Name n && !n.primed() ? Optional.ofNullable(
                        functions.containsKey(n.name()) ? functions.get(n.name())
                                : Names.FUNCTIONS.contains(n.name()) ? n.name() : null) : Optional.empty(),
                pass);
        if (bound.isEmpty()) {
            return BAD;
        }
        Optional<CellInstance> instance = new CellInstantiator(calleeFacts, allFacts, bound.get().sizes(),
                bound.get().functions(), size, false, probe, depth + 1).run(pass);
        if (instance.isEmpty()) {
            return BAD;
        }
        nested.put(call, instance.get());
        return new Vec(new Dim(instance.get().outputSize()));
    }

    // ------------------------------------------------------------ helpers

    private boolean dependsOnState(Expr expr) {
        if (expr instanceof Expr.Name name) {
            return stateSizes.containsKey(name.name()) || stateDependentLocals.contains(name.name());
        }
        if (expr instanceof Expr.Negate negate) {
            return dependsOnState(negate.operand());
        }
        if (expr instanceof Expr.Binary binary) {
            return dependsOnState(binary.left()) || dependsOnState(binary.right());
        }
        if (expr instanceof Expr.Concat concat) {
            return concat.parts().stream().anyMatch(this::dependsOnState);
        }
        if (expr instanceof Expr.Slice slice) {
            return dependsOnState(slice.target());
        }
        if (expr instanceof Expr.Call call) {
            return facts.cellCalls().containsKey(call)
                    || call.arguments().stream().anyMatch(a -> dependsOnState(a.value()));
        }
        return false;
    }

    private boolean isParameter(Expr expr) {
        return expr instanceof Expr.Name name && !name.primed() && facts.learnable().contains(name.name())
                && !localTypes.containsKey(name.name());
    }

    /** Blames a parameter used with two shapes, or reports a plain mismatch. */
    private void parameterConflictOr(Expr blamed, DiagnosticCode code, Span span, String message) {
        if (isParameter(blamed)) {
            String name = ((Expr.Name) blamed).name();
            Span first = firstUse.get(name);
            Diagnostic conflict = new Diagnostic(io.github.rnnc.diagnostics.Severity.ERROR,
                    DiagnosticCode.PARAMETER_SHAPE_CONFLICT, "parameter '" + name + "' is used with two shapes: "
                    + message, blamed.span(), blamed.span().source().displayPath(), List.of());
            pass.add(first != null && first.start() != blamed.span().start()
                    ? conflict.withNote(facts.declared().containsKey(name) ? "declared here" : "first used here", first)
                    : conflict);
        } else {
            error(code, span, message);
        }
    }

    private String sized(String concrete) {
        return probe ? "" : concrete;
    }

    private String sized(String concrete, String abstractText) {
        return probe ? abstractText : concrete;
    }

    private void error(DiagnosticCode code, Span span, String message) {
        pass.error(code, span, message);
    }

    private static boolean unify(Dim a, Dim b) {
        Dim ra = a.root();
        Dim rb = b.root();
        if (ra == rb) {
            return true;
        }
        if (ra.value != null && rb.value != null) {
            return ra.value.equals(rb.value);
        }
        if (ra.value != null) {
            rb.parent = ra;
        } else {
            ra.parent = rb;
        }
        return true;
    }

    private int knownCount() {
        int count = 0;
        for (Ty type : parameterTypes.values()) {
            List<Integer> shape = concrete(type);
            count += shape == null ? 0 : 1;
        }
        return count * 1000 + nested.size();
    }

    private static List<Integer> concrete(Ty type) {
        if (type instanceof Vec vec && vec.size().known() != null) {
            return List.of(vec.size().known());
        }
        if (type instanceof Mat mat && mat.rows().known() != null && mat.columns().known() != null) {
            return List.of(mat.rows().known(), mat.columns().known());
        }
        return null;
    }

    private static ValueShape valueShape(Ty type) {
        if (type instanceof Vec vec && vec.size().known() != null) {
            return new ValueShape.Vector(vec.size().known());
        }
        if (type instanceof Mat mat && mat.rows().known() != null && mat.columns().known() != null) {
            return new ValueShape.Matrix(mat.rows().known(), mat.columns().known());
        }
        return ValueShape.SCALAR;
    }

    private CellInstance.Role role(String name, Ty type) {
        if (!(type instanceof Mat)) {
            return CellInstance.Role.VECTOR;
        }
        return recurrentMatrices.contains(name) ? CellInstance.Role.RECURRENT_MATRIX : CellInstance.Role.INPUT_MATRIX;
    }

    private Initializer initializer(String name, Ty type) {
        CellDecl.ParamDecl declared = facts.declared().get(name);
        if (declared != null && declared.initializer().isPresent()) {
            return Initializers.resolve(declared.initializer().get());
        }
        return switch (role(name, type)) {
            case INPUT_MATRIX -> new Initializer.GlorotUniform();
            case RECURRENT_MATRIX -> new Initializer.Orthogonal();
            case VECTOR -> new Initializer.Constant(0);
        };
    }
}
