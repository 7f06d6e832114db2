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
import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.StepFunction;
import io.github.rnnc.passes.AssembleEmbeds;
import io.github.rnnc.passes.DerivativeTable;
import io.github.rnnc.passes.Differentiation;
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
 * and {@code .after.ir}. The before text is the lowered IR (plus the passes that run earlier). The passes over
 * adjoints likewise, on the adjoint of the example's first step function: {@code <example>.adjoint.before.ir}.
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
        assertGolden(pass, example, "", IrPrinter.print(before), IrPrinter.print(after));
    }

    @ParameterizedTest
    @CsvSource({"assemble-embeds, char_lstm", "assemble-embeds, sentiment", "fuse-elementwise, peephole"})
    void adjointPassBeforeAndAfter(String pass, String example) {
        List<UnaryOperator<AdjointFunction>> pipeline = List.of(AssembleEmbeds::run, FuseElementwise::run);
        int position = Passes.ADJOINT_PIPELINE.indexOf(pass);
        NetworkIr network = Passes.optimize(lowered(example));
        StepFunction first = ((NetworkIr.Recurrent) network.layers().get(0)).forward();
        AdjointFunction before = Differentiation.differentiate(first, DerivativeTable.standard());
        IrVerifier.verify(before);
        for (int i = 0; i < position; i++) {
            before = pipeline.get(i).apply(before);
        }
        AdjointFunction after = pipeline.get(position).apply(before);
        IrVerifier.verify(after);
        assertGolden(pass, example, ".adjoint", IrPrinter.print(before), IrPrinter.print(after));
    }

    private static void assertGolden(String pass, String example, String kind, String beforeText, String afterText) {
        assertNotEquals(beforeText, afterText, pass + " changed nothing on " + example + kind);
        Path directory = Path.of("src/test/resources/passes", pass);
        Golden.assertMatches(directory.resolve(example + kind + ".before.ir"), beforeText, "PassesGoldenTest");
        Golden.assertMatches(directory.resolve(example + kind + ".after.ir"), afterText, "PassesGoldenTest");
    }
}
