package io.github.rnnc.ast;

import io.github.rnnc.diagnostics.Span;
import java.util.List;

/** {@code network Name { statements }}: becomes one Java class. */
public record NetworkDecl(Identifier name, List<NetworkStatement> body, Span span) {

    public NetworkDecl {
        body = List.copyOf(body);
    }

    public sealed interface NetworkStatement {
        Span span();
    }

    /** {@code input x[8];} or {@code input frames[1, 64, 64];} */
    public record InputDecl(Identifier name, List<Expr> dimensions, Span span) implements NetworkStatement {
        public InputDecl {
            dimensions = List.copyOf(dimensions);
        }
    }

    /** {@code steps = 28;} and, inside train blocks, {@code loss = mse;}. */
    public record Setting(Identifier name, Expr value, Span span) implements NetworkStatement {
    }

    /** {@code lstm(64, return_sequences = true);} */
    public record Layer(Expr.Call call, Span span) implements NetworkStatement {
    }

    public record TrainBlock(List<Setting> settings, Span span) implements NetworkStatement {
        public TrainBlock {
            settings = List.copyOf(settings);
        }
    }
}
