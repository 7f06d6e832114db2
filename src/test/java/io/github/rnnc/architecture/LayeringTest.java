package io.github.rnnc.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the pipeline's directions honest: ANTLR only in syntax, JavaPoet only in codegen, the Maven API only in
 * maven, and each stage importing only the stages below it.
 */
class LayeringTest {
    private static final Path SOURCES = Path.of("src/main/java/io/github/rnnc");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    /** Which rnnc packages each package may import (besides itself). */
    private static final Map<String, List<String>> ALLOWED = Map.ofEntries(
            Map.entry("diagnostics", List.of()),
            Map.entry("ast", List.of("diagnostics")),
            Map.entry("syntax", List.of("diagnostics", "ast")),
            Map.entry("semantics", List.of("diagnostics", "ast", "syntax")),
            Map.entry("ir", List.of("diagnostics")),
            Map.entry("lowering", List.of("diagnostics", "ast", "semantics", "ir")),
            Map.entry("passes", List.of("diagnostics", "ir")),
            Map.entry("codegen", List.of("ir")),
            Map.entry("", List.of("diagnostics", "syntax", "semantics", "ir", "lowering", "passes", "codegen")),
            Map.entry("cli", List.of("", "diagnostics", "semantics", "ir")),
            Map.entry("maven", List.of("", "diagnostics", "ir")));

    @Test
    void packagesImportOnlyTheStagesBelowThem() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String layer = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                String text = Files.readString(file);
                Matcher matcher = IMPORT.matcher(text);
                while (matcher.find()) {
                    String imported = matcher.group(1);
                    if (imported.startsWith("org.antlr") && !layer.equals("syntax")) {
                        violations.add(file + " imports ANTLR outside syntax");
                    }
                    if (imported.startsWith("com.palantir.javapoet") && !layer.equals("codegen")) {
                        violations.add(file + " imports JavaPoet outside codegen");
                    }
                    if (imported.startsWith("org.apache.maven") && !layer.equals("maven")) {
                        violations.add(file + " imports the Maven API outside maven");
                    }
                    if (imported.startsWith("io.github.rnnc.") && ALLOWED.containsKey(layer)) {
                        String target = imported.substring("io.github.rnnc.".length());
                        String targetLayer = target.contains(".") && Character.isLowerCase(target.charAt(0))
                                ? target.substring(0, target.indexOf('.')) : "";
                        if (!targetLayer.equals(layer) && !ALLOWED.get(layer).contains(targetLayer)) {
                            violations.add(file + " (" + layer + ") imports " + imported);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
