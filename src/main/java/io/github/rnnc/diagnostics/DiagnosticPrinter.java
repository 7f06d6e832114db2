package io.github.rnnc.diagnostics;

import java.util.List;

/**
 * Renders diagnostics the way compilers do:
 *
 * <pre>
 * spec.rnn:4:5: error[RNN0103]: unknown layer 'lstn'; did you mean 'lstm'?
 *     lstn(64);
 *     ^~~~
 * </pre>
 */
public final class DiagnosticPrinter {
    private DiagnosticPrinter() {
    }

    public static String render(List<Diagnostic> diagnostics) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic diagnostic : diagnostics) {
            out.append(render(diagnostic));
        }
        return out.toString();
    }

    public static String render(Diagnostic diagnostic) {
        StringBuilder out = new StringBuilder();
        String label = diagnostic.severity().label() + "[" + diagnostic.code().id() + "]";
        if (diagnostic.span() == null) {
            out.append(diagnostic.path()).append(": ").append(label).append(": ").append(diagnostic.message())
                    .append('\n');
        } else {
            out.append(diagnostic.span()).append(": ").append(label).append(": ").append(diagnostic.message())
                    .append('\n');
            excerpt(out, diagnostic.span());
        }
        for (Diagnostic.Note note : diagnostic.notes()) {
            out.append(note.span()).append(": note: ").append(note.message()).append('\n');
            excerpt(out, note.span());
        }
        return out.toString();
    }

    /** The first line of the span, then carets under it; tabs are kept so that the caret lines up. */
    private static void excerpt(StringBuilder out, Span span) {
        SourceFile source = span.source();
        int line = span.line();
        String text = source.lineText(line);
        out.append("    ").append(text).append('\n');
        int column = span.column();
        int end = Math.min(span.end(), source.lineEnd(line));
        int width = Math.max(1, end - span.start());
        out.append("    ");
        for (int i = 0; i < column - 1 && i < text.length(); i++) {
            out.append(text.charAt(i) == '\t' ? '\t' : ' ');
        }
        for (int i = column - 1; i > text.length(); i--) {
            out.append(' ');
        }
        out.append('^');
        for (int i = 1; i < width; i++) {
            out.append('~');
        }
        out.append('\n');
    }
}
