package io.github.rnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Maven configuration is what the integration test that trains a generated network uses, so that
 * the block a user copies is one that builds.
 */
class ReadmePluginBlockTest {
    private static final Path IT_POM = Path.of("src/it/train-a-generated-network/pom.xml");

    @Test
    void theReadmesPluginBlockAndFlagsAreTheIntegrationTestsOwn() throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        assertEquals(2, blocks.size(), "the README shows the plugin block, then the two flags");

        String version = projectVersion();
        String itPom = normalize(Files.readString(IT_POM).replace("@project.groupId@", "io.github.rnnc")
                .replace("@project.artifactId@", "rnnc-maven-plugin").replace("@project.version@", version));
        for (String block : blocks) {
            for (String part : normalize(block).split("\n")) {
                assertTrue(itPom.contains(part), IT_POM + " does not contain the README's\n" + part);
            }
        }
        assertTrue(blocks.get(0).contains("<version>" + version + "</version>"), "the README names version " + version);
    }

    private static String projectVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>rnnc-maven-plugin</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(version.find());
        return version.group(1);
    }

    /**
     * Markup without its layout: whitespace between tags goes, except before {@code <compilerArgs>} and
     * {@code <argLine>}, which the README shows as two separate lines.
     */
    private static String normalize(String xml) {
        return xml.strip().replaceAll(">\\s+<(?!compilerArgs|argLine)", "><").replaceAll("[ \\t]+", " ");
    }
}
