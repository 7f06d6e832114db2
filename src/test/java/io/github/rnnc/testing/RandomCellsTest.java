package io.github.rnnc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileResult;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The random cell generator is deterministic, varied, and only writes specs that check without a diagnostic. */
class RandomCellsTest {
    static final int SEEDS = 200;

    @TempDir
    Path directory;

    @Test
    void everyGeneratedSpecChecksClean() throws IOException {
        int twoStates = 0;
        Set<String> features = new HashSet<>();
        for (int seed = 0; seed < SEEDS; seed++) {
            RandomCells.Cell cell = RandomCells.generate(seed, "rc" + seed);
            String spec = RandomCells.spec(cell, "rc", "Rc" + seed);
            Path file = directory.resolve("rc" + seed + ".rnn");
            Files.writeString(file, spec);
            CompileResult result = GeneratedClasses.check(file);
            assertEquals("", DiagnosticPrinter.render(result.diagnostics()), "seed " + seed + ":\n" + spec);
            if (cell.stateCount() == 2) {
                twoStates++;
            }
            for (String f : new String[] {" @ ", " / ", " * ", " - ", " + ", "[", ":", "exp(", "sigmoid(", "tanh(",
                    "relu(", "hard_sigmoid(", "softsign(", "identity(", "-(", "'", "(1 + sigmoid("}) {
                if (cell.text().contains(f)) {
                    features.add(f);
                }
            }
        }
        assertTrue(twoStates > SEEDS / 4 && twoStates < SEEDS * 3 / 4, "cells with two states: " + twoStates);
        assertEquals(17, features.size(), "features seen: " + features);
    }

    @Test
    void sameSeedSameText() {
        assertEquals(RandomCells.generate(42, "c").text(), RandomCells.generate(42, "c").text());
        assertNotEquals(RandomCells.generate(42, "c").text(), RandomCells.generate(43, "c").text());
    }
}
