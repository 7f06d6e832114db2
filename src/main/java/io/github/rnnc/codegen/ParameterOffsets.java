package io.github.rnnc.codegen;

import io.github.rnnc.ir.StepFunction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offsets of every parameter tensor in the flat parameter array, in layout order, as named constants. Keyed by step
 * name: a step and its logits variant (cross-entropy heads) share their parameters.
 */
final class ParameterOffsets {
    record Entry(String constant, StepFunction.Tensor tensor, int offset) {
    }

    private final Map<String, Map<String, Entry>> byStep = new LinkedHashMap<>();
    private final List<Entry> all = new ArrayList<>();
    private long total;

    void add(StepFunction step) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (StepFunction.Tensor tensor : step.parameters()) {
            Entry entry = new Entry("P" + all.size(), tensor, (int) total);
            entries.put(tensor.local(), entry);
            all.add(entry);
            total += tensor.elementCount();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("more parameters than a Java array holds");
            }
        }
        byStep.put(step.name(), entries);
    }

    String constant(StepFunction step, String local) {
        return entry(step, local).constant();
    }

    Entry entry(StepFunction step, String local) {
        Entry entry = byStep.get(step.name()).get(local);
        if (entry == null) {
            throw new IllegalStateException("no parameter " + local + " in " + step.name());
        }
        return entry;
    }

    List<Entry> all() {
        return all;
    }

    int total() {
        return (int) total;
    }
}
