package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.rnnc.diagnostics.DiagnosticCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Every stable code has its section in docs/diagnostics.md, and the codes are unique. */
class DiagnosticCodesDocumentedTest {
    @Test
    void everyCodeIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("docs/diagnostics.md"));
        List<String> missing = new ArrayList<>();
        for (DiagnosticCode code : DiagnosticCode.values()) {
            String heading = "### " + code.id() + " — " + code.name().toLowerCase(Locale.ROOT);
            if (!doc.contains(heading + "\n")) {
                missing.add(heading);
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void codesAreUnique() {
        long distinct = java.util.Arrays.stream(DiagnosticCode.values()).map(DiagnosticCode::id).distinct().count();
        assertEquals(DiagnosticCode.values().length, distinct);
    }
}
