package io.github.rnnc.diagnostics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects the findings of one stage; duplicates (the same finding reached twice) are kept once. */
public final class Diagnostics {
    private static final Comparator<Diagnostic> BY_PLACE = Comparator
            .comparing(Diagnostic::path)
            .thenComparingInt((Diagnostic d) -> d.span() == null ? -1 : d.span().start())
            .thenComparing(d -> d.code().id())
            .thenComparing(Diagnostic::message);

    private final Set<Diagnostic> found = new LinkedHashSet<>();

    public void error(DiagnosticCode code, Span span, String message) {
        add(new Diagnostic(Severity.ERROR, code, message, span, span.source().displayPath(), List.of()));
    }

    public void warning(DiagnosticCode code, Span span, String message) {
        add(new Diagnostic(Severity.WARNING, code, message, span, span.source().displayPath(), List.of()));
    }

    public void add(Diagnostic diagnostic) {
        found.add(diagnostic);
    }

    public void addAll(List<Diagnostic> diagnostics) {
        diagnostics.forEach(this::add);
    }

    public boolean hasErrors() {
        return found.stream().anyMatch(Diagnostic::isError);
    }

    public int errorCount() {
        return (int) found.stream().filter(Diagnostic::isError).count();
    }

    /** Everything found, ordered by file and position so that output does not depend on checking order. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> all = new ArrayList<>(found);
        all.sort(BY_PLACE);
        return List.copyOf(all);
    }
}
