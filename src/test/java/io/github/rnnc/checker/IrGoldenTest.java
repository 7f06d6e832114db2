package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.ir.IrPrinter;
import io.github.rnnc.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The IR of every lowerable contract example, as text, against {@code src/test/resources/ir/<name>.ir}. */
class IrGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"char_lstm", "forecast", "mgu", "mnist_rows", "peephole", "sentiment"})
    void exampleLowersToItsGoldenIr(String name) {
        CompileResult result = RnnCompiler.compile(CompileRequest.lower(
                List.of(Path.of("src/test/resources/examples", name + ".rnn"))));
        assertFalse(result.hasErrors(), DiagnosticPrinter.render(result.diagnostics()));
        StringBuilder text = new StringBuilder();
        result.differentiated().forEach(network -> text.append(IrPrinter.print(network)));
        Golden.assertMatches(Path.of("src/test/resources/ir", name + ".ir"), text.toString(), "IrGoldenTest");
    }
}
