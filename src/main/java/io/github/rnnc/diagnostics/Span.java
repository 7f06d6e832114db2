package io.github.rnnc.diagnostics;

/** A half-open range of characters [start, end) in one source file. */
public record Span(SourceFile source, int start, int end) {

    public Span {
        if (start < 0 || end < start || end > source.length()) {
            throw new IllegalArgumentException("span " + start + ".." + end + " outside " + source);
        }
    }

    public int line() {
        return source.lineOf(start);
    }

    public int column() {
        return source.columnOf(start);
    }

    /** The smallest span covering this one and another in the same file. */
    public Span to(Span other) {
        return new Span(source, Math.min(start, other.start), Math.max(end, other.end));
    }

    public String text() {
        return source.text().substring(start, end);
    }

    @Override
    public String toString() {
        return source.displayPath() + ":" + line() + ":" + column();
    }
}
