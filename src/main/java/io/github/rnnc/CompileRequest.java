package io.github.rnnc;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What to compile and how.
 *
 * @param files           the spec files, as the user named them (diagnostics quote these paths)
 * @param outputDirectory where generated sources go; empty to check only
 */
public record CompileRequest(List<Path> files, Optional<Path> outputDirectory) {
    public CompileRequest {
        files = List.copyOf(files);
    }

    public static CompileRequest check(List<Path> files) {
        return new CompileRequest(files, Optional.empty());
    }
}
