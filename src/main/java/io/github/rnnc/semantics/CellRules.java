package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.ast.Identifier;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Name rules of one cell declaration: what every name means, definitions before uses, states assigned once. */
final class CellRules {
    private final CellDecl cell;
    private final Map<String, CellDecl> cellsInScope;
    private final Diagnostics diagnostics;
    private final int errorsBefore;

    private final Map<String, Identifier> cellParameters = new LinkedHashMap<>();
    private final Map<String, Integer> sizeParameters = new LinkedHashMap<>();
    private final Map<String, String> functionParameters = new LinkedHashMap<>();
    private final Map<String, Identifier> states = new LinkedHashMap<>();
    private final Map<String, CellDecl.ParamDecl> declared = new LinkedHashMap<>();
    private final Map<String, Identifier> locals = new LinkedHashMap<>();
    private final Set<String> learnable = new LinkedHashSet<>();
    private final Map<Expr.Call, CellDecl> cellCalls = new IdentityHashMap<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> statesRead = new HashSet<>();
    /** States assigned as h = ... (already reported); not reported again as never assigned. */
    private final Set<String> assignedWithoutPrime = new HashSet<>();

    private CellRules(CellDecl cell, Map<String, CellDecl> cellsInScope, Diagnostics diagnostics) {
        this.cell = cell;
        this.cellsInScope = cellsInScope;
        this.diagnostics = diagnostics;
        this.errorsBefore = diagnostics.errorCount();
    }

    static CellFacts check(CellDecl cell, Map<String, CellDecl> cellsInScope, Diagnostics diagnostics) {
        return new CellRules(cell, cellsInScope, diagnostics).run();
    }

    private CellFacts run() {
        declareParameters();
        declareStatesAndParams();
        declareLocals();
        walkEquations();
        reportUnused();
        if (states.isEmpty()) {
            diagnostics.error(DiagnosticCode.CELL_WITHOUT_STATE, cell.name().span(),
                    "cell '" + cell.name().text() + "' declares no state; add one, e.g. state h[units];");
        }
        List<String> layout = new ArrayList<>(learnable);
        declared.keySet().stream().filter(name -> !learnable.contains(name)).forEach(layout::add);
        return new CellFacts(cell, sizeParameters, functionParameters, layout, declared, locals.keySet(),
                cellCalls, diagnostics.errorCount() == errorsBefore);
    }

    // ------------------------------------------------------------ declarations

    private void declareParameters() {
        Set<String> calledAsFunction = new HashSet<>();
        for (CellDecl.CellStatement statement : cell.body()) {
            if (statement instanceof CellDecl.Assignment assignment) {
                collectCallees(assignment.value(), calledAsFunction);
            }
        }
        for (CellDecl.CellParameter parameter : cell.parameters()) {
            Identifier name = parameter.name();
            if (!claim(name, cellParameters)) {
                continue;
            }
            if (parameter.defaultValue().isPresent()) {
                Expr value = parameter.defaultValue().get();
                if (value instanceof Expr.Name fn && !fn.primed() && Names.FUNCTIONS.contains(fn.name())) {
                    functionParameters.put(name.text(), fn.name());
                } else if (value instanceof Expr.NumberLiteral number && isPositiveInteger(number)) {
                    sizeParameters.put(name.text(), (int) number.value());
                } else {
                    diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "the default of '"
                            + name.text() + "' must be a positive integer or a function name");
                    sizeParameters.put(name.text(), 1); // reported; keeps uses of the cell from asking for it
                }
            } else if (calledAsFunction.contains(name.text())) {
                functionParameters.put(name.text(), null);
            } else {
                sizeParameters.put(name.text(), null);
            }
        }
    }

    private void declareStatesAndParams() {
        for (CellDecl.CellStatement statement : cell.body()) {
            if (statement instanceof CellDecl.StateDecl stateDecl) {
                for (CellDecl.StateVariable variable : stateDecl.variables()) {
                    if (claim(variable.name(), states)) {
                        checkSize(variable.size());
                    }
                }
            } else if (statement instanceof CellDecl.ParamDecl param) {
                Identifier name = param.name();
                if (claimName(name)) {
                    declared.put(name.text(), param);
                }
                if (param.dimensions().size() > 2) {
                    diagnostics.error(DiagnosticCode.INVALID_SIZE, param.dimensions().get(2).span(),
                            "a parameter has one or two dimensions, not " + param.dimensions().size());
                }
                param.dimensions().forEach(this::checkSize);
                param.initializer().ifPresent(init -> Initializers.check(init, param.dimensions().size(),
                        diagnostics));
            }
        }
    }

    private void declareLocals() {
        for (CellDecl.CellStatement statement : cell.body()) {
            if (!(statement instanceof CellDecl.Assignment assignment) || assignment.primed()) {
                continue;
            }
            Identifier target = assignment.target();
            String name = target.text();
            if (states.containsKey(name)) {
                assignedWithoutPrime.add(name);
                diagnostics.error(DiagnosticCode.ASSIGNMENT_TO_NON_LOCAL, target.span(), "'" + name
                        + "' is a state; write " + name + "' = ... to give it its next value");
            } else if (name.equals(Names.INPUT) || cellParameters.containsKey(name) || declared.containsKey(name)) {
                diagnostics.error(DiagnosticCode.ASSIGNMENT_TO_NON_LOCAL, target.span(), "cannot assign to "
                        + describe(name) + " '" + name + "'");
            } else if (locals.containsKey(name)) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.LOCAL_DEFINED_TWICE, target.span(),
                        "local '" + name + "' is defined twice").withNote("first defined here",
                        locals.get(name).span()));
            } else if (!reservedName(target)) {
                locals.put(name, target);
            }
        }
    }

    // ------------------------------------------------------------ equations

    private void walkEquations() {
        Set<String> definedLocals = new HashSet<>();
        Map<String, Identifier> assignedStates = new LinkedHashMap<>();
        for (CellDecl.CellStatement statement : cell.body()) {
            if (!(statement instanceof CellDecl.Assignment assignment)) {
                continue;
            }
            read(assignment.value(), definedLocals, assignedStates.keySet());
            Identifier target = assignment.target();
            if (!assignment.primed()) {
                definedLocals.add(target.text());
                continue;
            }
            if (!states.containsKey(target.text())) {
                diagnostics.error(DiagnosticCode.NOT_A_STATE, target.span(), "'" + target.text()
                        + "'' gives a next value to '" + target.text() + "', which is not a state"
                        + Names.suggestion(target.text(), states.keySet()));
            } else if (assignedStates.containsKey(target.text())) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.STATE_ASSIGNED_TWICE, target.span(),
                        "state '" + target.text() + "' is given its next value twice")
                        .withNote("first assigned here", assignedStates.get(target.text()).span()));
            } else {
                assignedStates.put(target.text(), target);
            }
        }
        states.forEach((name, id) -> {
            if (!assignedStates.containsKey(name) && !assignedWithoutPrime.contains(name)) {
                diagnostics.error(DiagnosticCode.STATE_NEVER_ASSIGNED, id.span(), "state '" + name
                        + "' is never given its next value; add " + name + "' = ...;");
            }
        });
    }

    private void read(Expr expr, Set<String> definedLocals, Set<String> assignedStates) {
        if (expr instanceof Expr.Name name) {
            readName(name, definedLocals, assignedStates);
        } else if (expr instanceof Expr.Negate negate) {
            read(negate.operand(), definedLocals, assignedStates);
        } else if (expr instanceof Expr.Binary binary) {
            read(binary.left(), definedLocals, assignedStates);
            read(binary.right(), definedLocals, assignedStates);
        } else if (expr instanceof Expr.Concat concat) {
            concat.parts().forEach(p -> read(p, definedLocals, assignedStates));
        } else if (expr instanceof Expr.Slice slice) {
            read(slice.target(), definedLocals, assignedStates);
            checkSize(slice.from());
            checkSize(slice.to());
        } else if (expr instanceof Expr.Call call) {
            readCall(call, definedLocals, assignedStates);
        }
    }

    private void readName(Expr.Name name, Set<String> definedLocals, Set<String> assignedStates) {
        String text = name.name();
        used.add(text);
        if (name.primed()) {
            if (!states.containsKey(text)) {
                diagnostics.error(DiagnosticCode.NOT_A_STATE, name.span(), "'" + name.spelled()
                        + "' reads the next value of '" + text + "', which is not a state"
                        + Names.suggestion(text, states.keySet()));
            } else if (!assignedStates.contains(text)) {
                diagnostics.error(DiagnosticCode.USE_BEFORE_DEFINITION, name.span(), "'" + name.spelled()
                        + "' is read before it is assigned");
            }
            return;
        }
        if (states.containsKey(text)) {
            statesRead.add(text);
        } else if (locals.containsKey(text)) {
            if (!definedLocals.contains(text)) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.USE_BEFORE_DEFINITION, name.span(), "local '" + text
                        + "' is read before it is defined").withNote("defined here", locals.get(text).span()));
            }
        } else if (functionParameters.containsKey(text) || Names.FUNCTIONS.contains(text)) {
            diagnostics.error(DiagnosticCode.NOT_A_VALUE, name.span(), "'" + text
                    + "' is a function; call it, e.g. " + text + "(...)");
        } else if (cellsInScope.containsKey(text) && !cellParameters.containsKey(text)
                && !declared.containsKey(text)) {
            diagnostics.error(DiagnosticCode.NOT_A_VALUE, name.span(), "'" + text + "' is a cell; call it on an "
                    + "input, e.g. " + text + "(x, ...)");
        } else if (!text.equals(Names.INPUT) && !sizeParameters.containsKey(text)) {
            learnable.add(text);
        }
    }

    private void readCall(Expr.Call call, Set<String> definedLocals, Set<String> assignedStates) {
        String callee = call.callee().text();
        used.add(callee);
        for (Expr.Argument argument : call.arguments()) {
            read(argument.value(), definedLocals, assignedStates);
        }
        if (Names.FUNCTIONS.contains(callee) || functionParameters.containsKey(callee)) {
            boolean named = call.arguments().stream().anyMatch(a -> a.name().isPresent());
            if (call.arguments().size() != 1 || named) {
                diagnostics.error(DiagnosticCode.WRONG_ARGUMENTS, call.span(), "'" + callee
                        + "' takes one argument, the vector it applies to");
            }
        } else if (cellsInScope.containsKey(callee)) {
            cellCalls.put(call, cellsInScope.get(callee));
        } else {
            List<String> candidates = new ArrayList<>(Names.FUNCTIONS);
            candidates.addAll(functionParameters.keySet());
            candidates.addAll(cellsInScope.keySet());
            diagnostics.error(DiagnosticCode.UNKNOWN_FUNCTION, call.callee().span(), "unknown function '" + callee
                    + "'" + Names.suggestion(callee, candidates));
        }
    }

    // ------------------------------------------------------------ helpers

    /** A size expression: integer arithmetic over the cell's size parameters. */
    private void checkSize(Expr expr) {
        if (expr instanceof Expr.NumberLiteral number) {
            if (!isInteger(number)) {
                diagnostics.error(DiagnosticCode.INVALID_SIZE, number.span(), "a size must be a whole number, not "
                        + number.text());
            }
        } else if (expr instanceof Expr.Name name) {
            {
                used.add(name.name());
                if (name.primed() || !sizeParameters.containsKey(name.name())) {
                    String what = functionParameters.containsKey(name.name()) ? "'" + name.name()
                            + "' is a function parameter" : "'" + name.spelled() + "' is not a size parameter of cell '"
                            + cell.name().text() + "'";
                    diagnostics.error(DiagnosticCode.INVALID_SIZE, name.span(), "sizes are integer arithmetic over the"
                            + " cell's parameters; " + what + Names.suggestion(name.name(), sizeParameters.keySet()));
                }
            }
        } else if (expr instanceof Expr.Negate negate) {
            checkSize(negate.operand());
        } else if (expr instanceof Expr.Binary binary && binary.operator() != Expr.BinaryOperator.MATMUL) {
            checkSize(binary.left());
            checkSize(binary.right());
        } else {
            diagnostics.error(DiagnosticCode.INVALID_SIZE, expr.span(),
                    "sizes are integer arithmetic (+ - * /) over the cell's parameters and whole numbers");
        }
    }

    /** Registers a declared name, reporting clashes; returns false when it clashes. */
    private boolean claim(Identifier name, Map<String, Identifier> into) {
        if (!claimName(name)) {
            return false;
        }
        into.put(name.text(), name);
        return true;
    }

    private boolean claimName(Identifier name) {
        if (reservedName(name)) {
            return false;
        }
        Identifier earlier = firstDeclaration(name.text());
        if (earlier != null) {
            diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_DECLARATION, name.span(), "'" + name.text()
                    + "' is already declared in cell '" + cell.name().text() + "'")
                    .withNote("first declared here", earlier.span()));
            return false;
        }
        return true;
    }

    private boolean reservedName(Identifier name) {
        String text = name.text();
        String reason = text.equals(Names.INPUT) ? "'x' is the cell's input"
                : Names.FUNCTIONS.contains(text) ? "'" + text + "' is a built-in function"
                : cellsInScope.containsKey(text) ? "'" + text + "' is a cell" : null;
        if (reason == null) {
            return false;
        }
        diagnostics.error(DiagnosticCode.REDEFINES_BUILTIN, name.span(), reason + " and cannot be redefined here");
        return true;
    }

    private Identifier firstDeclaration(String name) {
        if (cellParameters.containsKey(name)) {
            return cellParameters.get(name);
        }
        if (states.containsKey(name)) {
            return states.get(name);
        }
        CellDecl.ParamDecl param = declared.get(name);
        return param == null ? null : param.name();
    }

    private String describe(String name) {
        if (name.equals(Names.INPUT)) {
            return "the input";
        }
        return cellParameters.containsKey(name) ? "cell parameter" : "learnable parameter";
    }

    private void reportUnused() {
        for (Identifier parameter : cellParameters.values()) {
            if (!used.contains(parameter.text())) {
                diagnostics.warning(DiagnosticCode.UNUSED_CELL_PARAMETER, parameter.span(), "cell parameter '"
                        + parameter.text() + "' is never used");
            }
        }
        Set<String> readLocals = new HashSet<>(used);
        for (Identifier local : locals.values()) {
            if (!readLocals.contains(local.text())) {
                diagnostics.warning(DiagnosticCode.UNUSED_LOCAL, local.span(), "local '" + local.text()
                        + "' is never read");
            }
        }
        for (Identifier state : states.values()) {
            if (!statesRead.contains(state.text()) && cell.body().stream().anyMatch(
                    s -> s instanceof CellDecl.Assignment a && a.primed() && a.target().text().equals(state.text()))) {
                boolean isOutput = states.keySet().iterator().next().equals(state.text());
                if (!isOutput) {
                    diagnostics.warning(DiagnosticCode.STATE_NEVER_READ, state.span(), "the previous value of state '"
                            + state.text() + "' is never read; it could be a local");
                }
            }
        }
        for (CellDecl.ParamDecl param : declared.values()) {
            if (!used.contains(param.name().text())) {
                diagnostics.warning(DiagnosticCode.UNUSED_PARAMETER, param.name().span(), "parameter '"
                        + param.name().text() + "' is declared but never used");
            }
        }
    }

    private static void collectCallees(Expr expr, Set<String> into) {
        if (expr instanceof Expr.Call call) {
            into.add(call.callee().text());
            call.arguments().forEach(a -> collectCallees(a.value(), into));
        } else if (expr instanceof Expr.Negate negate) {
            collectCallees(negate.operand(), into);
        } else if (expr instanceof Expr.Binary binary) {
            collectCallees(binary.left(), into);
            collectCallees(binary.right(), into);
        } else if (expr instanceof Expr.Concat concat) {
            concat.parts().forEach(p -> collectCallees(p, into));
        } else if (expr instanceof Expr.Slice slice) {
            collectCallees(slice.target(), into);
        }
    }

    static boolean isInteger(Expr.NumberLiteral number) {
        return number.text().chars().allMatch(Character::isDigit) && number.value() <= Integer.MAX_VALUE;
    }

    static boolean isPositiveInteger(Expr.NumberLiteral number) {
        return isInteger(number) && number.value() >= 1;
    }

}
