package io.github.rnnc;

import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.semantics.CheckedSpec;
import java.util.List;

/** Diagnostics in file and position order, and what was checked (empty when there were errors). */
public record CompileResult(List<Diagnostic> diagnostics, List<CheckedSpec> checked) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        checked = List.copyOf(checked);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public long errorCount() {
        return diagnostics.stream().filter(Diagnostic::isError).count();
    }
}
