package io.github.rnnc;

import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.ir.DifferentiatedNetwork;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.semantics.CheckedSpec;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Diagnostics in file and position order, what was checked and its IR (both empty when there were errors).
 *
 * @param differentiated every network's optimized IR with the adjoint of each of its step functions
 * @param inputs for every requested file that was read, by the path it is quoted under, the files its result
 *               depends on: itself, then what it imports, transitively (as read, absolute); build tools use it
 *               to recompile a spec when a file it imports changes
 */
public record CompileResult(List<Diagnostic> diagnostics, List<CheckedSpec> checked,
        List<DifferentiatedNetwork> differentiated, List<GeneratedSource> sources, Map<String, List<Path>> inputs) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        checked = List.copyOf(checked);
        differentiated = List.copyOf(differentiated);
        sources = List.copyOf(sources);
        Map<String, List<Path>> copy = new LinkedHashMap<>();
        inputs.forEach((file, read) -> copy.put(file, List.copyOf(read)));
        inputs = Collections.unmodifiableMap(copy);
    }

    public CompileResult(List<Diagnostic> diagnostics, List<CheckedSpec> checked,
            List<DifferentiatedNetwork> differentiated, List<GeneratedSource> sources) {
        this(diagnostics, checked, differentiated, sources, Map.of());
    }

    CompileResult withInputs(Map<String, List<Path>> newInputs) {
        return new CompileResult(diagnostics, checked, differentiated, sources, newInputs);
    }

    /** Every network's optimized IR, in spec order. */
    public List<NetworkIr> networks() {
        return differentiated.stream().map(DifferentiatedNetwork::network).toList();
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public long errorCount() {
        return diagnostics.stream().filter(Diagnostic::isError).count();
    }
}
