package io.github.rnnc.testing;

import io.github.rnnc.GeneratedSource;
import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;

/**
 * Measures heap allocation of generated code without measuring the harness: a small driver class, generated here
 * and compiled in memory <em>together with</em> the network class, calls the network's methods directly (plain
 * {@code invokevirtual}, exact types, no reflection, no boxing) in a loop; the test calls the driver through
 * {@link IntConsumer#accept(int)} and reads the thread's allocated bytes around that one call.
 *
 * <p>Driver modes: {@link #FORWARD}, {@link #FORWARD_LENGTHS}, {@link #GRADIENTS}, {@link #GRADIENTS_LENGTHS},
 * {@link #STEP} (streaming, for a class that has it: see {@link #source(String, String, boolean, boolean, boolean,
 * boolean)}); and
 * two controls that involve no generated code, {@link #CONTROL_ALLOCATES} (one small array per iteration, to show
 * the measurement sees allocation) and {@link #CONTROL_ARITHMETIC} (none, to show the harness itself reads 0).
 */
public final class AllocationDriver {
    public static final int FORWARD = 0;
    public static final int FORWARD_LENGTHS = 1;
    public static final int GRADIENTS = 2;
    public static final int GRADIENTS_LENGTHS = 3;
    public static final int CONTROL_ALLOCATES = 4;
    public static final int CONTROL_ARITHMETIC = 5;
    /** {@code step(x, batch, y)}, one time step of every sequence, the state kept in the network. */
    public static final int STEP = 6;

    public static final String CLASS_NAME = "RnncAllocationDriver";

    private AllocationDriver() {
    }

    /**
     * The driver for network class {@code packageName.className}; its constructor is
     * {@code (int mode, int batch, int steps)} and builds the network with {@code maxBatch = batch} and
     * {@code maxSteps = steps}. With {@code className} null, a driver with the control modes only.
     */
    public static GeneratedSource source(String packageName, String className, boolean f64, boolean labels,
            boolean sequenceOutput) {
        return source(packageName, className, f64, labels, sequenceOutput, false);
    }

    /** As above, with the {@link #STEP} mode when {@code streaming} (the class has {@code step}). */
    public static GeneratedSource source(String packageName, String className, boolean f64, boolean labels,
            boolean sequenceOutput, boolean streaming) {
        String t = f64 ? "double" : "float";
        boolean network = className != null;
        StringBuilder s = new StringBuilder();
        if (!packageName.isEmpty()) {
            s.append("package ").append(packageName).append(";\n\n");
        }
        s.append("public final class ").append(CLASS_NAME).append(" implements java.util.function.IntConsumer {\n");
        s.append("    public static volatile Object sink;\n");
        s.append("    public double checksum;\n");
        if (network) {
            s.append("    private final ").append(className).append(" net;\n");
        }
        s.append("    private final ").append(t).append("[] x, y, targets;\n");
        s.append("    private final int[] labels, lengths;\n");
        s.append("    private final int mode, batch, steps;\n\n");
        s.append("    public ").append(CLASS_NAME).append("(int mode, int batch, int steps) {\n");
        s.append("        this.mode = mode;\n        this.batch = batch;\n        this.steps = steps;\n");
        String inputSize = network ? className + ".INPUT_SIZE" : "3";
        String outputSize = network ? className + ".OUTPUT_SIZE" : "2";
        if (network) {
            s.append("        net = new ").append(className).append("(batch, steps);\n");
            s.append("        net.initialize(7L);\n");
        }
        s.append("        x = new ").append(t).append("[batch * steps * ").append(inputSize).append("];\n");
        s.append("        for (int i = 0; i < x.length; i++) x[i] = (").append(t).append(") Math.sin(0.37 * i);\n");
        s.append("        int rows = ").append(sequenceOutput ? "batch * steps" : "batch").append(";\n");
        s.append("        y = new ").append(t).append("[rows * ").append(outputSize).append("];\n");
        s.append("        targets = new ").append(t).append("[rows * ").append(outputSize).append("];\n");
        s.append("        for (int i = 0; i < targets.length; i++) targets[i] = (").append(t)
                .append(") (0.25 + 0.5 * (i % 2));\n");
        s.append("        labels = new int[rows];\n");
        s.append("        for (int i = 0; i < rows; i++) labels[i] = i % ").append(outputSize).append(";\n");
        s.append("        lengths = new int[batch];\n");
        s.append("        for (int b = 0; b < batch; b++) lengths[b] = steps - b % steps;\n");
        s.append("    }\n\n");
        s.append("    @Override\n    public void accept(int n) {\n        switch (mode) {\n");
        String target = labels ? "labels" : "targets";
        if (network) {
            s.append("            case 0: for (int i = 0; i < n; i++) net.forward(x, batch, steps, y); break;\n");
            s.append("            case 1: for (int i = 0; i < n; i++) net.forward(x, batch, steps, lengths, y);"
                    + " break;\n");
            s.append("            case 2: for (int i = 0; i < n; i++) checksum += net.computeGradients(x, ")
                    .append(target).append(", batch, steps); break;\n");
            s.append("            case 3: for (int i = 0; i < n; i++) checksum += net.computeGradients(x, ")
                    .append(target).append(", batch, steps, lengths); break;\n");
            if (streaming) {
                s.append("            case 6: for (int i = 0; i < n; i++) net.step(x, batch, y); break;\n");
            }
        }
        s.append("            case 4: for (int i = 0; i < n; i++) sink = new ").append(t).append("[16]; break;\n");
        s.append("            case 5: for (int i = 0; i < n; i++) { for (int k = 0; k < x.length; k++)"
                + " y[k % y.length] += x[k] * ").append(f64 ? "0.5" : "0.5f").append("; } break;\n");
        s.append("            default: throw new IllegalArgumentException(\"mode \" + mode);\n");
        s.append("        }\n    }\n}\n");
        return new GeneratedSource(packageName, CLASS_NAME, s.toString());
    }

    /** A driver instance from a compilation that included {@link #source}. */
    public static IntConsumer create(InMemoryJavaCompiler.Compiled compiled, String packageName, int mode, int batch,
            int steps) {
        String name = packageName.isEmpty() ? CLASS_NAME : packageName + "." + CLASS_NAME;
        try {
            return (IntConsumer) compiled.load(name).getConstructor(int.class, int.class, int.class)
                    .newInstance(mode, batch, steps);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError(cause);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The current thread's allocation counter, or null when the JVM cannot tell. */
    public static com.sun.management.ThreadMXBean threadBean() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)
                || !bean.isThreadAllocatedMemorySupported()) {
            return null;
        }
        if (!bean.isThreadAllocatedMemoryEnabled()) {
            bean.setThreadAllocatedMemoryEnabled(true);
        }
        return bean;
    }

    /**
     * Bytes allocated by {@code driver.accept(calls)} on this thread, minus the counter's own overhead (the smallest
     * difference of two back-to-back reads, normally 0).
     */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() needs Java 19
    public static long allocatedBytes(com.sun.management.ThreadMXBean bean, IntConsumer driver, int calls) {
        long id = Thread.currentThread().getId();
        long overhead = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long a = bean.getThreadAllocatedBytes(id);
            long b = bean.getThreadAllocatedBytes(id);
            overhead = Math.min(overhead, b - a);
        }
        long before = bean.getThreadAllocatedBytes(id);
        driver.accept(calls);
        long after = bean.getThreadAllocatedBytes(id);
        return after - before - overhead;
    }
}
