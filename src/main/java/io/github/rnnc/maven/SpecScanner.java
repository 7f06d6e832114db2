package io.github.rnnc.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds spec files below a source directory with Ant-style include and exclude patterns, as Maven plugins do:
 * {@code **} matches any number of folders (also none), {@code *} and {@code ?} match within one name, and a
 * pattern ending in {@code /} means everything below that folder.
 */
final class SpecScanner {
    private final List<Pattern> includes;
    private final List<Pattern> excludes;

    SpecScanner(List<String> includes, List<String> excludes) {
        this.includes = includes.stream().map(SpecScanner::compile).toList();
        this.excludes = excludes.stream().map(SpecScanner::compile).toList();
    }

    /** The matching regular files, as paths relative to {@code directory} with '/' separators, sorted. */
    List<String> scan(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = directory.relativize(file).toString().replace('\\', '/');
                if (matches(relative)) {
                    found.add(relative);
                }
            }
        }
        found.sort(null);
        return found;
    }

    boolean matches(String relativePath) {
        return includes.stream().anyMatch(p -> p.matcher(relativePath).matches())
                && excludes.stream().noneMatch(p -> p.matcher(relativePath).matches());
    }

    static Pattern compile(String antPattern) {
        String pattern = antPattern.trim().replace('\\', '/');
        while (pattern.startsWith("./")) {
            pattern = pattern.substring(2);
        }
        if (pattern.endsWith("/")) {
            pattern += "**";
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (pattern.startsWith("**/", i)) {
                regex.append("(?:.*/)?");
                i += 2;
            } else if (pattern.startsWith("**", i)) {
                regex.append(".*");
                i += 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
