package io.github.rnnc.ast;

import io.github.rnnc.diagnostics.Span;
import java.util.List;
import java.util.Optional;

/** Expressions of gate equations, sizes and option values. Immutable; identity is the place in the source. */
public sealed interface Expr {
    Span span();

    /** A number as written; {@code text} keeps the spelling for integer checks and messages. */
    record NumberLiteral(double value, String text, Span span) implements Expr {
    }

    /** A name; {@code primed} for {@code h'}, the next value of state {@code h}. */
    record Name(String name, boolean primed, Span span) implements Expr {
        public String spelled() {
            return primed ? name + "'" : name;
        }
    }

    record Negate(Expr operand, Span span) implements Expr {
    }

    record Binary(BinaryOperator operator, Expr left, Expr right, Span span) implements Expr {
    }

    /** {@code f(a, name = b)}: a function, a cell, a layer, an initializer or an optimizer, by context. */
    record Call(Identifier callee, List<Argument> arguments, Span span) implements Expr {
        public Call {
            arguments = List.copyOf(arguments);
        }
    }

    /** {@code [a, b]}: vectors joined end to end. */
    record Concat(List<Expr> parts, Span span) implements Expr {
        public Concat {
            parts = List.copyOf(parts);
        }
    }

    /** {@code v[from : to]}: elements from (inclusive) to (exclusive). */
    record Slice(Expr target, Expr from, Expr to, Span span) implements Expr {
    }

    record Argument(Optional<Identifier> name, Expr value, Span span) {
    }

    enum BinaryOperator {
        ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), MATMUL("@");

        private final String symbol;

        BinaryOperator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
