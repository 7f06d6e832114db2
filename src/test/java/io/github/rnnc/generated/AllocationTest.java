package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.rnnc.testing.GeneratedClasses.Variant;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.CompileResult;
import io.github.rnnc.GeneratedSource;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.testing.AllocationDriver;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.InMemoryJavaCompiler;
import io.github.rnnc.testing.Specs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After warm-up, {@code forward} and {@code computeGradients} (with and without lengths), and {@code step} where the
 * network streams (no bidirectional layer), allocate nothing: the
 * thread's allocated-bytes counter reads 0 across {@value #MEASURED_CALLS} calls. The calls are made by a driver
 * class compiled together with the network ({@link AllocationDriver}), so the harness is not measured; two controls
 * show that the measurement sees an allocation and that the harness alone reads 0.
 *
 * <p>Allocation stops only when every hot method is C2-compiled (C1 and the interpreter box Vector API values), and
 * JIT compilation runs in the background, so warm-up rounds ({@value #WARM_UP_CALLS} calls of each mode) and
 * measurements alternate, up to {@value #MAX_ROUNDS} rounds or {@value #MAX_SECONDS} s, until each mode has read 0
 * once; the test fails if a mode never does. It prints how many rounds each network needed.
 */
class AllocationTest {
    static final int WARM_UP_CALLS = 2000;
    static final int MEASURED_CALLS = 100;
    /** Warm-up rounds at most (the Vector API needs C2 for all of its hot methods before it stops allocating). */
    static final int MAX_ROUNDS = 80;
    static final int MAX_SECONDS = 45;
    /** For the controls. */
    static final int ROUNDS = 6;
    static final int BATCH = 2;
    static final int STEPS = 4;

    /** Small versions of char_lstm, sentiment, peephole and mgu (many-to-one), each in its own package. */
    static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("char_lstm", """
                package alloc.charlm;

                network CharLstmSmall {
                    input x[7];
                    lstm(8, return_sequences = true);
                    lstm(8, return_sequences = true);
                    dense(7, activation = softmax);

                    train {
                        loss = cross_entropy;
                        optimizer = adam(lr = 0.002);
                        clip_norm = 5.0;
                        truncate = 3;
                    }
                }
                """);
        SPECS.put("sentiment", """
                package alloc.sentiment;

                network SentimentSmall {
                    input x[6];
                    bidirectional(gru(4, return_sequences = true), merge = concat);
                    lstm(5);
                    dense(2, activation = softmax);

                    train {
                        loss = cross_entropy;
                        optimizer = adam(lr = 0.001);
                        clip_norm = 5.0;
                    }
                }
                """);
        SPECS.put("peephole", "package alloc.peephole;\n\n" + Specs.cells("peephole") + """

                network PeepholeSmall {
                    input x[5];
                    bidirectional(peephole_lstm(4, return_sequences = true), merge = sum);
                    dense(3, activation = softmax);

                    train {
                        loss = cross_entropy;
                        optimizer = adam(lr = 0.001);
                        clip_norm = 1.0;
                    }
                }
                """);
    }

    static {
        SPECS.put("mgu", "package alloc.mgu;\n\n" + Specs.cells("mgu") + """

                network MguSmall {
                    input x[6];
                    mgu(8);
                    dense(3, activation = softmax);

                    train {
                        loss = cross_entropy;
                        optimizer = rmsprop(lr = 0.001);
                    }
                }
                """);
    }

    static final String[] MODE_NAMES = {"forward", "forward with lengths", "computeGradients",
        "computeGradients with lengths", null, null, "step"};

    /** The driver modes measured for a network: the four calls, and step when it streams. */
    static int[] modes(NetworkIr ir) {
        return streams(ir) ? new int[] {AllocationDriver.FORWARD, AllocationDriver.FORWARD_LENGTHS,
            AllocationDriver.GRADIENTS, AllocationDriver.GRADIENTS_LENGTHS, AllocationDriver.STEP}
            : new int[] {AllocationDriver.FORWARD, AllocationDriver.FORWARD_LENGTHS, AllocationDriver.GRADIENTS,
                AllocationDriver.GRADIENTS_LENGTHS};
    }

    static boolean streams(NetworkIr ir) {
        return ir.layers().stream().noneMatch(l -> l instanceof NetworkIr.Recurrent r && r.backward().isPresent());
    }

    @TempDir
    static Path directory;

    /** Both backends at 256 bits, and the vector code with its packed weights in segments where they run. */
    static List<Variant> variants() {
        return Variant.available().stream().filter(v -> v == Variant.SCALAR || v == Variant.VECTOR
                || v == Variant.SEGMENT).toList();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : SPECS.keySet()) {
            for (Variant variant : variants()) {
                cases.add(Arguments.of(name, variant));
            }
        }
        return cases.stream();
    }

    /** Per backend, the networks and their drivers compiled in one javac run; a failure is kept per spec. */
    private static final Map<String, Object> COMPILED = new LinkedHashMap<>();
    private static final Map<String, NetworkIr> IRS = new LinkedHashMap<>();

    @BeforeAll
    static void compileTogether() {
        for (Variant variant : variants()) {
            int release = GeneratedClasses.release(variant.options(Precision.F32));
            Map<String, List<GeneratedSource>> perKey = new LinkedHashMap<>();
            for (Map.Entry<String, String> spec : SPECS.entrySet()) {
                String key = spec.getKey() + "/" + variant;
                try {
                    Path file = directory.resolve(spec.getKey() + ".rnn");
                    Files.writeString(file, spec.getValue());
                    CompileResult result = GeneratedClasses.generate(file, variant.options(Precision.F32));
                    NetworkIr ir = result.networks().get(0);
                    boolean labels = ir.training().orElseThrow().loss() == NetworkIr.Loss.CROSS_ENTROPY;
                    boolean sequenceOutput = ir.layers().get(ir.layers().size() - 1).sequenceOutput();
                    List<GeneratedSource> sources = new ArrayList<>(result.sources());
                    sources.add(AllocationDriver.source(ir.javaPackage(), ir.className(), false, labels,
                            sequenceOutput, streams(ir)));
                    IRS.put(key, ir);
                    perKey.put(key, sources);
                } catch (AssertionError | RuntimeException | IOException e) {
                    COMPILED.put(key, e instanceof AssertionError a ? a : new AssertionError(e.toString(), e));
                }
            }
            if (perKey.isEmpty()) {
                continue;
            }
            List<GeneratedSource> all = new ArrayList<>();
            perKey.values().forEach(all::addAll);
            try {
                InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(all, release);
                perKey.keySet().forEach(key -> COMPILED.put(key, compiled));
            } catch (AssertionError batchFailure) {
                // Compile each alone, so that a failure is reported against its own spec.
                perKey.forEach((key, sources) -> {
                    try {
                        COMPILED.put(key, InMemoryJavaCompiler.compile(sources, release));
                    } catch (AssertionError e) {
                        COMPILED.put(key, e);
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void steadyStateCallsDoNotAllocate(String name, Variant variant) {
        com.sun.management.ThreadMXBean bean = AllocationDriver.threadBean();
        assumeTrue(bean != null, "this JVM cannot count allocated bytes per thread");
        String key = name + "/" + variant;
        if (COMPILED.get(key) instanceof AssertionError failure) {
            throw new AssertionError(failure.getMessage(), failure);
        }
        InMemoryJavaCompiler.Compiled compiled = (InMemoryJavaCompiler.Compiled) COMPILED.get(key);
        NetworkIr ir = IRS.get(key);

        int[] modes = modes(ir);
        IntConsumer[] drivers = new IntConsumer[modes.length];
        for (int i = 0; i < drivers.length; i++) {
            drivers[i] = AllocationDriver.create(compiled, ir.javaPackage(), modes[i], BATCH, STEPS);
        }
        // Rounds: every mode not yet clean gets WARM_UP_CALLS calls, then one measurement. The modes share code, so
        // they warm up together; a mode is clean once a measurement reads 0.
        StringBuilder[] history = new StringBuilder[drivers.length];
        boolean[] clean = new boolean[drivers.length];
        long started = System.nanoTime();
        int rounds = 0;
        while (rounds < MAX_ROUNDS && System.nanoTime() - started < MAX_SECONDS * 1_000_000_000L) {
            rounds++;
            boolean all = true;
            for (int mode = 0; mode < drivers.length; mode++) {
                if (!clean[mode]) {
                    drivers[mode].accept(WARM_UP_CALLS);
                }
            }
            for (int mode = 0; mode < drivers.length; mode++) {
                if (clean[mode]) {
                    continue;
                }
                long bytes = AllocationDriver.allocatedBytes(bean, drivers[mode], MEASURED_CALLS);
                if (history[mode] == null) {
                    history[mode] = new StringBuilder();
                } else {
                    history[mode].append(", ");
                }
                history[mode].append(bytes / MEASURED_CALLS);
                clean[mode] = bytes == 0;
                all &= clean[mode];
            }
            if (all) {
                break;
            }
        }
        List<String> dirty = new ArrayList<>();
        for (int mode = 0; mode < drivers.length; mode++) {
            if (!clean[mode]) {
                dirty.add(MODE_NAMES[modes[mode]] + " still allocates; bytes per call after each round: "
                        + history[mode]);
            }
        }
        System.out.printf("[AllocationTest] %s %s: %d rounds of %d calls per mode, %.1f s%n", name, variant, rounds,
                WARM_UP_CALLS, (System.nanoTime() - started) / 1e9);
        assertEquals(List.of(), dirty, name + " (" + variant + "): allocation in " + MEASURED_CALLS
                + " calls after " + rounds + " warm-up rounds of " + WARM_UP_CALLS + " calls");
    }

    /** The measurement sees allocations, and reads 0 when only the harness and plain arithmetic run. */
    @Test
    void measurementIsSensitiveAndHarnessAllocatesNothing() {
        com.sun.management.ThreadMXBean bean = AllocationDriver.threadBean();
        assumeTrue(bean != null, "this JVM cannot count allocated bytes per thread");
        InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(
                List.of(AllocationDriver.source("alloc.control", null, false, false, true)));
        IntConsumer allocates = AllocationDriver.create(compiled, "alloc.control", AllocationDriver.CONTROL_ALLOCATES,
                BATCH, STEPS);
        IntConsumer arithmetic = AllocationDriver.create(compiled, "alloc.control",
                AllocationDriver.CONTROL_ARITHMETIC, BATCH, STEPS);
        allocates.accept(WARM_UP_CALLS);
        arithmetic.accept(WARM_UP_CALLS);
        long allocated = AllocationDriver.allocatedBytes(bean, allocates, MEASURED_CALLS);
        // 100 float[16] arrays: at least 100 * (16 * 4) bytes of payload.
        assertTrue(allocated >= MEASURED_CALLS * 64L, "allocating control measured " + allocated + " bytes");
        long none = -1;
        for (int round = 0; round < ROUNDS && none != 0; round++) {
            arithmetic.accept(WARM_UP_CALLS);
            none = AllocationDriver.allocatedBytes(bean, arithmetic, MEASURED_CALLS);
        }
        assertEquals(0, none, "the harness and a non-allocating loop must read 0 bytes");
    }
}
