package io.github.rnnc.semantics;

import io.github.rnnc.ast.SpecFile;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.SourceFile;
import io.github.rnnc.syntax.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The built-in cells rnn, lstm and gru, parsed once from the prelude shipped in the jar. */
public final class Prelude {
    public static final String PATH = "<prelude>";
    private static final SpecFile FILE = load();

    private Prelude() {
    }

    public static SpecFile file() {
        return FILE;
    }

    public static String text() {
        return FILE.source().text();
    }

    private static SpecFile load() {
        try (InputStream in = Prelude.class.getResourceAsStream("prelude.rnn")) {
            if (in == null) {
                throw new IllegalStateException("prelude.rnn is missing from the rnnc jar");
            }
            SourceFile source = new SourceFile(PATH, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Diagnostics diagnostics = new Diagnostics();
            return SpecParser.parse(source, diagnostics).orElseThrow(() -> new IllegalStateException(
                    "the prelude does not parse:\n" + DiagnosticPrinter.render(diagnostics.sorted())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
