package io.github.rnnc;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What to compile and how far.
 *
 * @param files           the spec files, as the user named them (diagnostics quote these paths)
 * @param goal            the last stage to run
 * @param outputDirectory where generated sources go, for {@link Goal#GENERATE}
 */
public record CompileRequest(List<Path> files, Goal goal, Optional<Path> outputDirectory) {
    public enum Goal {
        /** Parse and check only. */
        CHECK,
        /** Check, then lower to IR (for --dump-ir). */
        LOWER,
        /** Everything, writing Java sources. */
        GENERATE
    }

    public CompileRequest {
        files = List.copyOf(files);
    }

    public static CompileRequest check(List<Path> files) {
        return new CompileRequest(files, Goal.CHECK, Optional.empty());
    }

    public static CompileRequest lower(List<Path> files) {
        return new CompileRequest(files, Goal.LOWER, Optional.empty());
    }
}
