package io.github.rnnc.ast;

import io.github.rnnc.diagnostics.Span;

/** A name as written, with its place. */
public record Identifier(String text, Span span) {
}
