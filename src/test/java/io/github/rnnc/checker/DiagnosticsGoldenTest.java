package io.github.rnnc.checker;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Negative tests as data: each {@code diagnostics/<case>.rnn} (or {@code diagnostics/<case>/main.rnn} for cases
 * with several files) is checked, and the rendered diagnostics must equal {@code <case>.expected} exactly.
 */
class DiagnosticsGoldenTest {
    static final Path CASES = Path.of("src/test/resources/diagnostics");

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesItsExpectedDiagnostics() throws IOException {
        List<Path> cases;
        try (Stream<Path> entries = Files.list(CASES)) {
            cases = entries.filter(p -> p.toString().endsWith(".rnn") || Files.isDirectory(p)).sorted().toList();
        }
        return cases.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            Path spec = Files.isDirectory(path) ? path.resolve("main.rnn") : path;
            CompileResult result = RnnCompiler.compile(CompileRequest.check(List.of(spec)));
            String rendered = DiagnosticPrinter.render(result.diagnostics());
            String name = path.getFileName().toString().replaceFirst("\\.rnn$", "");
            Golden.assertMatches(CASES.resolve(name + ".expected"), rendered, "DiagnosticsGoldenTest");
        }));
    }
}
