package io.github.rnnc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README opens with a spec and the Java it becomes; both are checked against generated-examples/mgu. */
class ReadmeExampleTest {
    private static List<String> codeBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                if (current == null) {
                    current = new StringBuilder();
                } else {
                    blocks.add(current.toString());
                    current = null;
                }
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        return blocks;
    }

    @Test
    void theOpeningSpecIsTheMguExample() throws IOException {
        List<String> blocks = codeBlocks(Files.readString(Path.of("README.md")));
        assertEquals(Files.readString(Path.of("generated-examples/mgu/mgu.rnn")), blocks.get(0));
    }

    @Test
    void everyLineOfTheJavaExcerptIsInTheGeneratedClass() throws IOException {
        List<String> blocks = codeBlocks(Files.readString(Path.of("README.md")));
        String generated = Files.readString(Path.of("generated-examples/mgu/MguTagger.java"));
        String excerpt = blocks.get(1);
        assertTrue(excerpt.startsWith("public final class MguTagger {"), excerpt);
        for (String line : excerpt.split("\n")) {
            if (!line.isBlank() && !line.strip().equals("...")) {
                assertTrue(generated.contains(line + "\n"), "not in MguTagger.java: " + line);
            }
        }
    }
}
