package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: compares text output with a checked-in expected file. On a difference the actual output is written
 * beside it as {@code <name>.actual}; with {@code -Drnnc.updateGolden=true} the expected file is rewritten instead.
 */
public final class Golden {
    public static final String UPDATE_PROPERTY = "rnnc.updateGolden";

    private Golden() {
    }

    public static void assertMatches(Path expectedFile, String actual, String testName) {
        try {
            Path actualFile = expectedFile.resolveSibling(expectedFile.getFileName() + ".actual");
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
                Files.deleteIfExists(actualFile);
                return;
            }
            String expected = Files.exists(expectedFile) ? Files.readString(expectedFile, StandardCharsets.UTF_8)
                    : null;
            if (actual.equals(expected)) {
                Files.deleteIfExists(actualFile);
                return;
            }
            Files.writeString(actualFile, actual, StandardCharsets.UTF_8);
            fail((expected == null ? "missing golden file " : "output differs from ") + expectedFile
                    + "\nactual output written to " + actualFile
                    + "\nif the new output is right, update the golden files with:\n    mvn test -Dtest=" + testName
                    + " -D" + UPDATE_PROPERTY + "=true\n--- expected\n" + (expected == null ? "" : expected)
                    + "\n--- actual\n" + actual);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
