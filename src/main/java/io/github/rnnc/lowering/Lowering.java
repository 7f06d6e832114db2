package io.github.rnnc.lowering;

import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.semantics.CheckedSpec;
import io.github.rnnc.semantics.NetworkModel;
import java.util.ArrayList;
import java.util.List;

/** The lowering stage over all checked specs. */
public final class Lowering {
    private Lowering() {
    }

    public static List<NetworkIr> lower(List<CheckedSpec> specs, Diagnostics diagnostics) {
        List<NetworkIr> networks = new ArrayList<>();
        for (CheckedSpec spec : specs) {
            for (NetworkModel network : spec.networks()) {
                if (NetworkLowering.supported(network)) {
                    networks.add(NetworkLowering.lower(network));
                } else {
                    diagnostics.error(DiagnosticCode.NOT_YET_SUPPORTED, network.decl().name().span(), "network '"
                            + network.className() + "' uses convolutional layers, which this version checks but "
                            + "cannot generate code for yet");
                }
            }
        }
        return networks;
    }
}
