package io.github.rnnc.ast;

import io.github.rnnc.diagnostics.Span;
import java.util.List;
import java.util.Optional;

/** {@code cell name(params) { statements }}: a recurrent cell written as its gate equations. */
public record CellDecl(Identifier name, List<CellParameter> parameters, List<CellStatement> body, Span span) {

    public CellDecl {
        parameters = List.copyOf(parameters);
        body = List.copyOf(body);
    }

    /** A size or function parameter of the cell, e.g. {@code units} or {@code activation = tanh}. */
    public record CellParameter(Identifier name, Optional<Expr> defaultValue) {
    }

    public sealed interface CellStatement {
        Span span();
    }

    /** {@code state h[units], c[units];} */
    public record StateDecl(List<StateVariable> variables, Span span) implements CellStatement {
        public StateDecl {
            variables = List.copyOf(variables);
        }
    }

    public record StateVariable(Identifier name, Expr size) {
    }

    /** {@code param b_f[units] = 1.0;} */
    public record ParamDecl(Identifier name, List<Expr> dimensions, Optional<Expr> initializer, Span span)
            implements CellStatement {
        public ParamDecl {
            dimensions = List.copyOf(dimensions);
        }
    }

    /** {@code name = expr;} defines a local, {@code h' = expr;} the next value of a state. */
    public record Assignment(Identifier target, boolean primed, Expr value, Span span) implements CellStatement {
    }
}
