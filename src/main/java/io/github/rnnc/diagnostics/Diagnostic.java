package io.github.rnnc.diagnostics;

import java.util.List;

/**
 * One finding about a spec. {@code span} is null only for problems that have no place in a file (a file that
 * cannot be read is reported against the path the user gave).
 */
public record Diagnostic(Severity severity, DiagnosticCode code, String message, Span span, String path,
        List<Note> notes) {

    /** A secondary place that explains the main one ("first defined here"). */
    public record Note(String message, Span span) {
    }

    public Diagnostic {
        notes = List.copyOf(notes);
    }

    public static Diagnostic error(DiagnosticCode code, Span span, String message) {
        return new Diagnostic(Severity.ERROR, code, message, span, span.source().displayPath(), List.of());
    }

    public Diagnostic withNote(String message, Span at) {
        List<Note> more = new java.util.ArrayList<>(notes);
        more.add(new Note(message, at));
        return new Diagnostic(severity, code, this.message, span, path, more);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
