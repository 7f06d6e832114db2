package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.semantics.CellInstance;
import io.github.rnnc.semantics.NetworkModel;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Shape inference and parameter layout: what lowering will read, checked on the contract examples. */
class CellInstanceTest {
    private static NetworkModel network(String example) {
        CompileResult result = RnnCompiler.compile(CompileRequest.check(
                List.of(Path.of("src/test/resources/examples", example + ".rnn"))));
        assertFalse(result.hasErrors(), DiagnosticPrinter.render(result.diagnostics()));
        return result.checked().get(0).networks().get(0);
    }

    private static String layout(CellInstance cell) {
        return cell.parameters().stream().map(p -> p.name() + p.shape() + ":" + p.role() + ":"
                + p.initializer().getClass().getSimpleName()).collect(Collectors.joining(" "));
    }

    @Test
    void builtinLstmHasPyTorchsStackedLayout() {
        NetworkModel charLstm = network("char_lstm");
        NetworkModel.RecurrentLayer first = (NetworkModel.RecurrentLayer) charLstm.layers().get(0);
        assertEquals("weight_ih[1024, 65]:INPUT_MATRIX:GlorotUniform weight_hh[1024, 256]:RECURRENT_MATRIX:Orthogonal "
                + "bias_ih[1024]:VECTOR:Constant bias_hh[1024]:VECTOR:Constant", layout(first.forward()));
        NetworkModel.RecurrentLayer second = (NetworkModel.RecurrentLayer) charLstm.layers().get(1);
        assertEquals(256, second.forward().inputSize());
        assertEquals(new NetworkModel.Flow.Vectors(65, true), charLstm.output());
    }

    @Test
    void userCellShapesAreInferredFromUses() {
        NetworkModel mgu = network("mgu");
        CellInstance cell = ((NetworkModel.RecurrentLayer) mgu.layers().get(0)).forward();
        assertEquals("W_f[64, 40]:INPUT_MATRIX:GlorotUniform U_f[64, 64]:RECURRENT_MATRIX:Orthogonal "
                + "b_f[64]:VECTOR:Constant W_h[64, 40]:INPUT_MATRIX:GlorotUniform "
                + "U_h[64, 64]:RECURRENT_MATRIX:Orthogonal b_h[64]:VECTOR:Constant", layout(cell));
    }

    @Test
    void peepholeWeightsAreVectorsAndTheDeclaredBiasKeepsItsInitializer() {
        NetworkModel peephole = network("peephole");
        NetworkModel.RecurrentLayer layer = (NetworkModel.RecurrentLayer) peephole.layers().get(0);
        assertEquals(NetworkModel.Merge.SUM, layer.merge());
        assertEquals(true, layer.backward().isPresent());
        CellInstance.Parameter bias = layer.forward().parameters().stream().filter(p -> p.name().equals("b_f"))
                .findFirst().orElseThrow();
        assertEquals(List.of(48), bias.shape());
        assertEquals(new io.github.rnnc.semantics.Initializer.Constant(1.0), bias.initializer());
        assertEquals(List.of(48), layer.forward().parameters().stream().filter(p -> p.name().equals("p_o"))
                .findFirst().orElseThrow().shape());
        assertEquals(new NetworkModel.Flow.Vectors(48, true), layer.output());
    }

    @Test
    void bidirectionalConcatDoublesTheWidthAndTrainingIsRead() {
        NetworkModel sentiment = network("sentiment");
        assertEquals(new NetworkModel.Flow.Vectors(128, true), sentiment.layers().get(0).output());
        assertEquals(new NetworkModel.Flow.Vectors(32, false), sentiment.layers().get(1).output());
        NetworkModel.Training training = sentiment.training().orElseThrow();
        assertEquals(NetworkModel.Loss.CROSS_ENTROPY, training.loss());
        assertEquals(new NetworkModel.Optimizer.Adam(0.001, 0.9, 0.999, 1e-8), training.optimizer());
        assertEquals(5.0, training.clipNorm().getAsDouble());
    }

    @Test
    void convLstmFlowKeepsImageSizesWithSamePadding() {
        NetworkModel nowcast = network("nowcast");
        assertEquals(new NetworkModel.Flow.Images(16, 64, 64, true), nowcast.layers().get(1).output());
        assertEquals(new NetworkModel.Flow.Images(1, 64, 64, true), nowcast.output());
    }
}
