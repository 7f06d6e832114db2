package io.github.rnnc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the last successful run generated, kept in {@code target/rnnc/<goal>-<execution>.state}: for every spec,
 * the files it read with their SHA-256 (the spec and its imports) and the files it generated with theirs. A
 * plain text file, one fact a line:
 *
 * <pre>
 * rnnc-state 1
 * fingerprint rnnc 0.1.0 backend=vector ...
 * outputDirectory target/generated-sources/rnnc
 * spec src/main/rnn/tagger.rnn
 * input 3f2a... src/main/rnn/tagger.rnn
 * input 9c41... src/main/rnn/cells/mgu.rnn
 * output 77b0... com/example/Tagger.java
 * </pre>
 *
 * Spec and input paths are relative to the project directory (absolute when outside it); outputs are relative
 * to the output directory. A state that cannot be read is treated as no state: everything is regenerated.
 */
record BuildState(String fingerprint, String outputDirectory, Map<String, Entry> specs) {
    private static final String HEADER = "rnnc-state 1";

    /** A file with the SHA-256 of its content. */
    record Hashed(String path, String sha256) {
    }

    record Entry(List<Hashed> inputs, List<Hashed> outputs) {
        Entry {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    BuildState {
        specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
    }

    static BuildState empty() {
        return new BuildState("", "", Map.of());
    }

    static Optional<BuildState> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("fingerprint ")
                || !lines.get(2).startsWith("outputDirectory ")) {
            return Optional.empty();
        }
        String fingerprint = lines.get(1).substring("fingerprint ".length());
        String outputDirectory = lines.get(2).substring("outputDirectory ".length());
        Map<String, Entry> specs = new LinkedHashMap<>();
        String spec = null;
        List<Hashed> inputs = new ArrayList<>();
        List<Hashed> outputs = new ArrayList<>();
        for (String line : lines.subList(3, lines.size())) {
            if (line.startsWith("spec ")) {
                if (spec != null) {
                    specs.put(spec, new Entry(inputs, outputs));
                }
                spec = line.substring("spec ".length());
                inputs = new ArrayList<>();
                outputs = new ArrayList<>();
            } else if ((line.startsWith("input ") || line.startsWith("output ")) && spec != null) {
                String[] parts = line.split(" ", 3);
                if (parts.length != 3 || parts[1].length() != 64) {
                    return Optional.empty();
                }
                (parts[0].equals("input") ? inputs : outputs).add(new Hashed(parts[2], parts[1]));
            } else if (!line.isEmpty()) {
                return Optional.empty();
            }
        }
        if (spec != null) {
            specs.put(spec, new Entry(inputs, outputs));
        }
        return Optional.of(new BuildState(fingerprint, outputDirectory, specs));
    }

    String text() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        out.append("fingerprint ").append(fingerprint).append('\n');
        out.append("outputDirectory ").append(outputDirectory).append('\n');
        specs.forEach((spec, entry) -> {
            out.append("spec ").append(spec).append('\n');
            entry.inputs().forEach(h -> out.append("input ").append(h.sha256()).append(' ').append(h.path()).append('\n'));
            entry.outputs().forEach(h -> out.append("output ").append(h.sha256()).append(' ').append(h.path())
                    .append('\n'));
        });
        return out.toString();
    }

    /** Writes the state, unless the file already says exactly this (so a build that changed nothing touches nothing). */
    void write(Path file) throws IOException {
        byte[] bytes = text().getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
