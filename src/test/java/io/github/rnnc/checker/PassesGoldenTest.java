package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.ir.IrPrinter;
import io.github.rnnc.ir.IrVerifier;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.lowering.Lowering;
import io.github.rnnc.passes.FuseElementwise;
import io.github.rnnc.passes.FuseProducts;
import io.github.rnnc.passes.HoistInputProducts;
import io.github.rnnc.passes.Passes;
import io.github.rnnc.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each optimization pass, before and after, as text: {@code src/test/resources/passes/<pass>/<example>.before.ir}
 * and {@code .after.ir}. The before text is the lowered IR (plus the passes that run earlier).
 */
class PassesGoldenTest {
    private static NetworkIr lowered(String example) {
        CompileResult result = RnnCompiler.compile(CompileRequest.check(
                List.of(Path.of("src/test/resources/examples", example + ".rnn"))));
        assertFalse(result.hasErrors());
        NetworkIr network = Lowering.lower(result.checked(), new Diagnostics()).get(0);
        IrVerifier.verify(network);
        return network;
    }

    @ParameterizedTest
    @CsvSource({"fuse-products, mgu", "fuse-products, peephole", "hoist-input-products, mgu",
        "hoist-input-products, char_lstm", "fuse-elementwise, mgu", "fuse-elementwise, forecast"})
    void passBeforeAndAfter(String pass, String example) {
        // The input of each pass is the output of the passes before it in the pipeline.
        List<UnaryOperator<NetworkIr>> pipeline = List.of(FuseProducts::run, HoistInputProducts::run,
                FuseElementwise::run);
        int position = Passes.PIPELINE.indexOf(pass);
        NetworkIr before = lowered(example);
        for (int i = 0; i < position; i++) {
            before = pipeline.get(i).apply(before);
        }
        NetworkIr after = pipeline.get(position).apply(before);
        IrVerifier.verify(after);
        String beforeText = IrPrinter.print(before);
        String afterText = IrPrinter.print(after);
        assertNotEquals(beforeText, afterText, pass + " changed nothing on " + example);
        Path directory = Path.of("src/test/resources/passes", pass);
        Golden.assertMatches(directory.resolve(example + ".before.ir"), beforeText, "PassesGoldenTest");
        Golden.assertMatches(directory.resolve(example + ".after.ir"), afterText, "PassesGoldenTest");
    }
}
