package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seven specs of the language contract check without a single diagnostic, not even a warning. */
class ExamplesCheckTest {
    @ParameterizedTest
    @ValueSource(strings = {"char_lstm", "forecast", "mgu", "mnist_rows", "nowcast", "peephole", "sentiment"})
    void contractExampleChecksClean(String name) {
        Path spec = Path.of("src/test/resources/examples", name + ".rnn");
        CompileResult result = RnnCompiler.compile(CompileRequest.check(List.of(spec)));
        assertEquals("", DiagnosticPrinter.render(result.diagnostics()));
        assertEquals(1, result.checked().size());
        assertEquals(1, result.checked().get(0).networks().size());
    }
}
