package io.github.rnnc;

import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.semantics.CheckedSpec;
import java.util.List;

/** Diagnostics in file and position order, what was checked and its IR (both empty when there were errors). */
public record CompileResult(List<Diagnostic> diagnostics, List<CheckedSpec> checked, List<NetworkIr> networks,
        List<GeneratedSource> sources) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        checked = List.copyOf(checked);
        networks = List.copyOf(networks);
        sources = List.copyOf(sources);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public long errorCount() {
        return diagnostics.stream().filter(Diagnostic::isError).count();
    }
}
