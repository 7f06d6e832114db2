package io.github.rnnc.semantics;

import io.github.rnnc.ast.Expr;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import java.util.List;
import java.util.OptionalDouble;

/** The initializer sub-language of {@code param} declarations. */
final class Initializers {
    static final List<String> NAMES = List.of("zeros", "ones", "glorot_uniform", "orthogonal", "uniform", "normal");

    private Initializers() {
    }

    static void check(Expr init, int rank, Diagnostics diagnostics) {
        if (constant(init).isPresent()) {
            return;
        }
        if (init instanceof Expr.Name name && !name.primed()) {
            switch (name.name()) {
                case "zeros", "ones" -> {
                    return;
                }
                case "glorot_uniform", "orthogonal" -> {
                    if (rank != 2) {
                        diagnostics.error(DiagnosticCode.BAD_INITIALIZER, init.span(), name.name()
                                + " initializes matrices; this parameter has " + rank + " dimension");
                    }
                    return;
                }
                default -> {
                }
            }
        }
        if (init instanceof Expr.Call call && (call.callee().text().equals("uniform")
                || call.callee().text().equals("normal"))) {
            boolean uniform = call.callee().text().equals("uniform");
            List<Expr.Argument> args = call.arguments();
            if (args.size() != 2 || args.stream().anyMatch(a -> a.name().isPresent()
                    || constant(a.value()).isEmpty())) {
                diagnostics.error(DiagnosticCode.BAD_INITIALIZER, call.span(), call.callee().text()
                        + (uniform ? " takes two numbers, uniform(low, high)" : " takes two numbers, normal(mean, std)"));
                return;
            }
            double first = constant(args.get(0).value()).getAsDouble();
            double second = constant(args.get(1).value()).getAsDouble();
            if (uniform && !(first < second)) {
                diagnostics.error(DiagnosticCode.BAD_INITIALIZER, call.span(), "uniform(low, high) needs low < high");
            } else if (!uniform && !(second > 0)) {
                diagnostics.error(DiagnosticCode.BAD_INITIALIZER, args.get(1).span(), "the std of normal(mean, std)"
                        + " must be positive");
            }
            return;
        }
        String spelled = init instanceof Expr.Name n ? n.spelled()
                : init instanceof Expr.Call c ? c.callee().text() : null;
        diagnostics.error(DiagnosticCode.BAD_INITIALIZER, init.span(), "an initializer is a number, zeros, ones, "
                + "glorot_uniform, orthogonal, uniform(a, b) or normal(mean, std)"
                + (spelled == null ? "" : Names.suggestion(spelled, NAMES)));
    }

    /** Only called on initializers that passed {@link #check}. */
    static Initializer resolve(Expr init) {
        OptionalDouble constant = constant(init);
        if (constant.isPresent()) {
            return new Initializer.Constant(constant.getAsDouble());
        }
        if (init instanceof Expr.Name name) {
            return switch (name.name()) {
                case "zeros" -> new Initializer.Constant(0);
                case "ones" -> new Initializer.Constant(1);
                case "glorot_uniform" -> new Initializer.GlorotUniform();
                default -> new Initializer.Orthogonal();
            };
        }
        Expr.Call call = (Expr.Call) init;
        double first = constant(call.arguments().get(0).value()).getAsDouble();
        double second = constant(call.arguments().get(1).value()).getAsDouble();
        return call.callee().text().equals("uniform") ? new Initializer.Uniform(first, second)
                : new Initializer.Normal(first, second);
    }

    /** A number literal, possibly negated. */
    static OptionalDouble constant(Expr expr) {
        if (expr instanceof Expr.NumberLiteral number) {
            return OptionalDouble.of(number.value());
        }
        if (expr instanceof Expr.Negate negate && negate.operand() instanceof Expr.NumberLiteral number) {
            return OptionalDouble.of(-number.value());
        }
        return OptionalDouble.empty();
    }
}
