package io.github.rnnc.semantics;

import io.github.rnnc.ast.Expr;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Binds the arguments of a cell use ({@code mgu(64, return_sequences = true)} in a network, or
 * {@code gru(x, units)} inside another cell) to the cell's parameters: positional in order, then by name.
 */
final class CellArguments {
    record Bound(Map<String, Integer> sizes, Map<String, String> functions, Map<String, Expr> options) {
    }

    private CellArguments() {
    }

    /**
     * @param options      extra named options the use site accepts (such as {@code return_sequences})
     * @param sizeOf       evaluates a size argument, reporting its own errors
     * @param functionOf   resolves a function argument to a built-in function name, or empty if it is none
     */
    static Optional<Bound> bind(CellFacts facts, String callee, Span site, List<Expr.Argument> arguments,
            Set<String> options, BiFunction<String, Expr, OptionalInt> sizeOf,
            Function<Expr, Optional<String>> functionOf,
            Diagnostics diagnostics) {
        List<String> parameterNames = new ArrayList<>(facts.sizeParameters().keySet());
        parameterNames.addAll(facts.functionParameters().keySet());
        List<String> order = facts.cell().parameters().stream().map(p -> p.name().text())
                .filter(parameterNames::contains).toList();
        Map<String, Expr.Argument> given = new LinkedHashMap<>();
        Map<String, Expr> extra = new LinkedHashMap<>();
        boolean ok = true;
        boolean sawNamed = false;
        int position = 0;
        for (Expr.Argument argument : arguments) {
            if (argument.name().isEmpty()) {
                if (sawNamed) {
                    diagnostics.error(DiagnosticCode.TOO_MANY_ARGUMENTS, argument.span(),
                            "a positional argument cannot follow a named one");
                    ok = false;
                    continue;
                }
                if (position >= order.size()) {
                    diagnostics.error(DiagnosticCode.TOO_MANY_ARGUMENTS, argument.span(), "'" + callee + "' takes "
                            + order.size() + " positional argument" + (order.size() == 1 ? "" : "s")
                            + (order.isEmpty() ? "" : " (" + String.join(", ", order) + ")"));
                    ok = false;
                    continue;
                }
                given.put(order.get(position++), argument);
                continue;
            }
            sawNamed = true;
            String name = argument.name().get().text();
            if (given.containsKey(name) || extra.containsKey(name)) {
                Span earlier = given.containsKey(name) ? given.get(name).span() : extra.get(name).span();
                diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_OPTION, argument.name().get().span(),
                        "'" + name + "' is given twice").withNote("first given here", earlier));
                ok = false;
            } else if (parameterNames.contains(name)) {
                given.put(name, argument);
            } else if (options.contains(name)) {
                extra.put(name, argument.value());
            } else {
                List<String> candidates = new ArrayList<>(order);
                candidates.addAll(options);
                diagnostics.error(DiagnosticCode.UNKNOWN_OPTION, argument.name().get().span(), "'" + callee
                        + "' has no option '" + name + "'" + Names.suggestion(name, candidates));
                ok = false;
            }
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Map<String, String> functions = new LinkedHashMap<>();
        for (String name : order) {
            Expr.Argument argument = given.get(name);
            boolean isFunction = facts.functionParameters().containsKey(name);
            if (argument == null) {
                Object fallback = isFunction ? facts.functionParameters().get(name) : facts.sizeParameters().get(name);
                if (fallback == null) {
                    diagnostics.error(DiagnosticCode.MISSING_ARGUMENT, site, "'" + callee + "' needs a value for '"
                            + name + "'");
                    ok = false;
                } else if (isFunction) {
                    functions.put(name, (String) fallback);
                } else {
                    sizes.put(name, (Integer) fallback);
                }
                continue;
            }
            if (isFunction) {
                Optional<String> function = functionOf.apply(argument.value());
                if (function.isEmpty()) {
                    String spelled = argument.value() instanceof Expr.Name n ? n.spelled() : "";
                    diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, argument.value().span(), "'" + name
                            + "' must be one of " + String.join(", ", Names.FUNCTIONS)
                            + Names.suggestion(spelled, Names.FUNCTIONS));
                    ok = false;
                } else {
                    functions.put(name, function.get());
                }
            } else {
                OptionalInt size = sizeOf.apply(name, argument.value());
                if (size.isEmpty()) {
                    ok = false;
                } else if (size.getAsInt() < 1) {
                    diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, argument.value().span(), "'" + name
                            + "' must be a positive whole number, not " + size.getAsInt());
                    ok = false;
                } else {
                    sizes.put(name, size.getAsInt());
                }
            }
        }
        return ok ? Optional.of(new Bound(sizes, functions, extra)) : Optional.empty();
    }
}
