package io.github.rnnc;

import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Writes generated sources below a source root; a file whose content is unchanged is not touched. */
final class SourceWriter {
    private SourceWriter() {
    }

    static void write(Path root, List<GeneratedSource> sources, Diagnostics diagnostics) {
        for (GeneratedSource source : sources) {
            Path file = root.resolve(source.relativePath());
            try {
                byte[] bytes = source.code().getBytes(StandardCharsets.UTF_8);
                if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
                    continue; // keeps timestamps, so incremental builds see nothing new
                }
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            } catch (IOException | SecurityException e) {
                diagnostics.add(new Diagnostic(Severity.ERROR, DiagnosticCode.FILE_UNREADABLE, "cannot write "
                        + "generated source: " + e.getMessage(), null, file.toString(), List.of()));
            }
        }
    }
}
