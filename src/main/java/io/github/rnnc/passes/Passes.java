package io.github.rnnc.passes;

import io.github.rnnc.ir.AdjointFunction;
import io.github.rnnc.ir.IrVerifier;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.ir.StepFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The optimization pipeline, with the verifier between passes. */
public final class Passes {
    /** The passes in the order they run, by name (rnnc compile --dump-ir shows the IR after all of them). */
    public static final List<String> PIPELINE = List.of(FuseProducts.NAME, HoistInputProducts.NAME,
            FuseElementwise.NAME);
    /** The passes over each adjoint function after differentiation, in the order they run. */
    public static final List<String> ADJOINT_PIPELINE = List.of(AssembleEmbeds.NAME, FuseElementwise.NAME);

    private Passes() {
    }

    public static NetworkIr optimize(NetworkIr network) {
        NetworkIr fused = FuseProducts.run(network);
        IrVerifier.verify(fused);
        NetworkIr hoisted = HoistInputProducts.run(fused);
        IrVerifier.verify(hoisted);
        NetworkIr loops = FuseElementwise.run(hoisted);
        IrVerifier.verify(loops);
        return loops;
    }

    public static AdjointFunction optimize(AdjointFunction adjoint) {
        AdjointFunction assembled = AssembleEmbeds.run(adjoint);
        IrVerifier.verify(assembled);
        AdjointFunction loops = FuseElementwise.run(assembled);
        IrVerifier.verify(loops);
        return loops;
    }

    static NetworkIr mapSteps(NetworkIr network, UnaryOperator<StepFunction> pass) {
        List<NetworkIr.Layer> layers = new ArrayList<>();
        for (NetworkIr.Layer layer : network.layers()) {
            if (layer instanceof NetworkIr.Recurrent r) {
                layers.add(new NetworkIr.Recurrent(r.index(), pass.apply(r.forward()), r.backward().map(pass),
                        r.merge(), r.returnSequences(), r.outputSize()));
            } else {
                NetworkIr.PerStep p = (NetworkIr.PerStep) layer;
                layers.add(new NetworkIr.PerStep(p.index(), pass.apply(p.function()), p.sequenceOutput(),
                        p.outputSize()));
            }
        }
        return new NetworkIr(network.className(), network.javaPackage(), network.sourcePath(), network.inputSize(),
                network.fixedSteps(), layers, network.training());
    }
}
