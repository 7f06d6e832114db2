package io.github.rnnc.checker;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.Diagnostic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No input produces a stack trace or a hang: thousands of mutations of the contract examples each end in success
 * or in diagnostics whose positions lie inside the file. Seeds are fixed, so a failure names a reproducible input.
 */
class CheckerFuzzTest {
    private static final String[] EXAMPLES = {"char_lstm", "forecast", "mgu", "mnist_rows", "nowcast", "peephole",
        "sentiment"};
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*'?|[0-9.]+(?:[eE][+-]?[0-9]+)?|//[^\n]*|\\S");
    private static final String[] INTERESTING = {"99999999999999999999999", "1e400", "0", "-1", "0.5", "2147483648",
        "x", "h'", "@", "[", "]", "(", ")", "{", "}", ";", ",", "=", "lstm", "cell", "network", "state", "param",
        "input", "train", "\"", "/*", "\u00e9", "\uD83D\uDE00", "\0", "import \"missing.rnn\";", "sigmoid",
        "bidirectional(", "return_sequences", "true", "steps = 0;", "[0 : 99]", "units", "W @ W"};
    private static final int MUTANTS_PER_EXAMPLE = 600;

    @TempDir
    Path directory;

    @Test
    void mutatedSpecsEndInResultsNotCrashes() throws IOException {
        int runs = 0;
        for (String example : EXAMPLES) {
            String text = Files.readString(Path.of("src/test/resources/examples", example + ".rnn"));
            List<String> tokens = tokens(text);
            Random random = new Random(example.hashCode());
            for (int i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
                long seed = random.nextLong();
                byte[] mutant = mutate(text, tokens, new Random(seed));
                check(mutant, example + " mutant seed " + seed);
                runs++;
            }
        }
        assertTrue(runs >= 4000, "ran " + runs + " mutants");
    }

    @Test
    void pathologicalInputsEndInResults() throws IOException {
        check("(".repeat(100_000).getBytes(StandardCharsets.UTF_8), "deep parentheses");
        check(("cell c(u) { state h[u]; h' = " + "-".repeat(50_000) + "h; }").getBytes(StandardCharsets.UTF_8),
                "deep negation");
        check(("network N { input x[4]; lstm(4); train { loss = " + "[a, ".repeat(20_000) + "}")
                .getBytes(StandardCharsets.UTF_8), "deep concatenation");
        check(new byte[0], "empty file");
        check(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, "not UTF-8");
        StringBuilder wide = new StringBuilder("cell c(u) { state h[u]; h' = h");
        for (int i = 0; i < 20_000; i++) {
            wide.append(" + W").append(i).append(" @ x");
        }
        check(wide.append("; }").toString().getBytes(StandardCharsets.UTF_8), "very long equation");
    }

    private void check(byte[] content, String what) throws IOException {
        Path file = directory.resolve("mutant.rnn");
        Files.write(file, content);
        CompileResult result;
        try {
            result = RnnCompiler.compile(CompileRequest.check(List.of(file)));
        } catch (RuntimeException | Error e) {
            throw new AssertionError("compiler crashed on " + what + ":\n" + new String(content,
                    StandardCharsets.UTF_8), e);
        }
        for (Diagnostic diagnostic : result.diagnostics()) {
            if (diagnostic.span() == null) {
                continue;
            }
            int length = diagnostic.span().source().length();
            if (diagnostic.span().start() < 0 || diagnostic.span().end() > length) {
                fail("diagnostic outside the file for " + what + ": " + diagnostic);
            }
            for (Diagnostic.Note note : diagnostic.notes()) {
                if (note.span().end() > note.span().source().length()) {
                    fail("note outside the file for " + what + ": " + diagnostic);
                }
            }
        }
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text);
        while (matcher.find()) {
            tokens.add(matcher.group());
        }
        return tokens;
    }

    private static byte[] mutate(String text, List<String> tokens, Random random) {
        List<String> mutated = new ArrayList<>(tokens);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(mutated.size());
            switch (random.nextInt(7)) {
                case 0 -> mutated.remove(at);
                case 1 -> mutated.add(at, mutated.get(at));
                case 2 -> {
                    int other = random.nextInt(mutated.size());
                    String swap = mutated.get(at);
                    mutated.set(at, mutated.get(other));
                    mutated.set(other, swap);
                }
                case 3 -> mutated.set(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 4 -> mutated.add(at, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 5 -> {
                    return truncated(text, random);
                }
                default -> mutated.set(at, mutated.get(random.nextInt(mutated.size())));
            }
        }
        if (random.nextInt(10) == 0) {
            byte[] bytes = String.join(" ", mutated).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            return bytes;
        }
        return String.join(random.nextBoolean() ? " " : "\n", mutated).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] truncated(String text, Random random) {
        return text.substring(0, random.nextInt(text.length())).getBytes(StandardCharsets.UTF_8);
    }
}
