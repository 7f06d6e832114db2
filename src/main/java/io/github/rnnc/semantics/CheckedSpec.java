package io.github.rnnc.semantics;

import io.github.rnnc.ast.SpecFile;
import java.util.List;

/** A requested spec file after checking: its networks, ready for lowering. */
public record CheckedSpec(SpecFile file, List<NetworkModel> networks) {
    public CheckedSpec {
        networks = List.copyOf(networks);
    }
}
