package bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One generated network, one operation per benchmark method: {@code forward} (inference),
 * {@code computeGradients} (forward + loss + BPTT), {@code trainStep} (that, then clipping and the optimizer's
 * update), and {@code step} (streaming, one time step at a time, for classes that have it: no bidirectional layer;
 * the plan leaves it out for the others and the report lists them as not generated).
 *
 * <p>The class is chosen by name ({@link Nets}); JMH forks a JVM per configuration, so each JVM loads exactly one
 * generated class (and one vector species). The calls go through exact-typed method handles: no boxing, and no
 * adapter to write per class; the call costs nanoseconds next to a call of tens of microseconds or more.
 *
 * <p>Allocation is measured three times: JMH's {@code -prof gc} (all threads of the fork, so it includes a residual
 * of a few kilobytes per iteration from JMH itself, which is many bytes per call when a call takes milliseconds);
 * the bytes the benchmark thread allocated over the measurement iterations ({@code getCurrentThreadAllocatedBytes},
 * read between iterations) over the calls made, which still holds what JMH's own loop allocated on that thread
 * (a one-off 13-33 KB in some trials); and after the last iteration, the bytes of a run of calls this class makes
 * itself with nothing else in between, which is the figure of the generated code alone. All three go to the file
 * named by the system property {@code bench.alloc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RnnBench {
    /** A name of {@link Nets#of}: {@code lstm_h64}, ..., {@code CharLstm}, {@code MguTagger}. */
    @Param("lstm_h64")
    public String net;

    /**
     * {@code vector} or {@code scalar}, or {@code segment} (the vector sweep with its packed weights in aligned
     * segments, in the jar of the segments profile, JDK 22+); the examples exist on the vector backend only.
     */
    @Param("vector")
    public String backend;

    @Param("1")
    public int batch;

    @Param("100")
    public int steps;

    private MethodHandle forward;
    private MethodHandle gradients;
    private MethodHandle train;
    private MethodHandle step;
    /** {@code resetState()} of a class that streams: after parameters() is written, the next step repacks. */
    private MethodHandle resetState;
    private MethodHandle resetOptimizer;
    private float[] parameters;
    private float[] initialParameters;
    private boolean labels;
    private float[] x;
    private float[] y;
    private float[] targets;
    private int[] labelArray;
    private float[] stepX;
    private float[] stepY;
    private long calls;
    private long bytesAtStart;
    private boolean measuring;
    private long measuredBytes;
    private long measuredCalls;
    private long prewarmCalls;
    private long prewarmMillis;
    /** A window of calls after the measurement iterations: at least this many, and more while under 0.5 s. */
    private static final int STEADY_CALLS = 2;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) throws Throwable {
        Class<?> type = Class.forName(Nets.of(net).className(backend));
        Object network = type.getConstructor(int.class, int.class).newInstance(batch, steps);
        int in = type.getField("INPUT_SIZE").getInt(null);
        int out = type.getField("OUTPUT_SIZE").getInt(null);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        forward = lookup.findVirtual(type, "forward",
                MethodType.methodType(void.class, float[].class, int.class, int.class, float[].class)).bindTo(network);
        resetOptimizer = lookup.findVirtual(type, "resetOptimizer", MethodType.methodType(void.class))
                .bindTo(network);
        Class<?> targetType;
        try {
            type.getMethod("computeGradients", float[].class, int[].class, int.class, int.class);
            labels = true;
            targetType = int[].class;
        } catch (NoSuchMethodException e) {
            labels = false;
            targetType = float[].class;
        }
        gradients = lookup.findVirtual(type, "computeGradients",
                MethodType.methodType(float.class, float[].class, targetType, int.class, int.class)).bindTo(network);
        train = lookup.findVirtual(type, "trainStep",
                MethodType.methodType(float.class, float[].class, targetType, int.class, int.class)).bindTo(network);
        try {
            // the expected streaming API: one time step of a batch, the state kept inside the network
            step = lookup.findVirtual(type, "step",
                    MethodType.methodType(void.class, float[].class, int.class, float[].class)).bindTo(network);
            resetState = lookup.findVirtual(type, "resetState", MethodType.methodType(void.class)).bindTo(network);
        } catch (NoSuchMethodException e) {
            step = null;
            resetState = null;
        }
        SplittableRandom random = new SplittableRandom(7);
        x = new float[batch * steps * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        y = new float[batch * steps * out];
        targets = new float[batch * steps * out];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (float) random.nextDouble(-1, 1);
        }
        labelArray = new int[batch * steps];
        for (int i = 0; i < labelArray.length; i++) {
            labelArray[i] = random.nextInt(out);
        }
        stepX = new float[batch * in];
        System.arraycopy(x, 0, stepX, 0, stepX.length);
        stepY = new float[batch * out];
        type.getMethod("initialize", long.class).invoke(network, 42L);
        parameters = (float[]) type.getMethod("parameters").invoke(network);
        initialParameters = parameters.clone();
        if (resetState != null) {
            resetState.invokeExact();
        }
        warmUntilClean(params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1));
        System.arraycopy(initialParameters, 0, parameters, 0, parameters.length);
    }

    /**
     * Before JMH's own warm-up: calls the benchmarked operation until it allocates nothing on several calls in a row
     * (Vector API code allocates until C2 has compiled it), within -Dbench.prewarm.seconds (default 20). A warm-up
     * measured in seconds is a few dozen calls when a call takes tens of milliseconds; this one ends on evidence.
     */
    private void warmUntilClean(String method) throws Throwable {
        if (!generated(method)) {
            return;
        }
        long limit = (long) (Double.parseDouble(System.getProperty("bench.prewarm.seconds", "20")) * 1e9);
        long start = System.nanoTime();
        long streakStart = start;
        int streak = 0;
        while (System.nanoTime() - start < limit) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            call(method);
            prewarmCalls++;
            if (THREADS.getCurrentThreadAllocatedBytes() == before) {
                if (streak++ == 0) {
                    streakStart = System.nanoTime();
                }
                if (streak >= 3 && (streak >= 20 || System.nanoTime() - streakStart > 1_000_000_000L)) {
                    break;
                }
            } else {
                streak = 0;
            }
        }
        prewarmMillis = (System.nanoTime() - start) / 1_000_000;
        calls = 0;
    }

    /**
     * The initial weights, a fresh optimizer state and (for streaming) a fresh stream before every iteration, so that
     * training does not drift over thousands of steps. Copies only: JMH's -prof gc counts what this allocates into
     * the iteration.
     */
    @Setup(Level.Iteration)
    public void reset(IterationParams iteration) throws Throwable {
        System.arraycopy(initialParameters, 0, parameters, 0, parameters.length);
        resetOptimizer.invokeExact();
        if (resetState != null) {
            // parameters() was written directly: step must repack it; each iteration streams from the start
            resetState.invokeExact();
        }
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        calls = 0;
        bytesAtStart = THREADS.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - bytesAtStart;
        if (measuring) {
            measuredBytes += bytes;
            measuredCalls += calls;
        }
    }

    /**
     * Appends "benchmark net backend batch steps bytes calls prewarm-calls prewarm-ms steady-bytes steady-calls" to the
     * file of -Dbench.alloc, when set.
     */
    @TearDown(Level.Trial)
    public void report(BenchmarkParams params) throws Throwable {
        String file = System.getProperty("bench.alloc");
        if (file == null) {
            return;
        }
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        long[] steady = steadyState(method);
        String line = String.join("\t", method, net, backend, String.valueOf(batch), String.valueOf(steps),
                String.valueOf(measuredBytes), String.valueOf(measuredCalls), String.valueOf(prewarmCalls),
                String.valueOf(prewarmMillis), String.valueOf(steady[0]), String.valueOf(steady[1])) + "\n";
        Files.writeString(Path.of(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Whether the class has the benchmarked operation ({@code step} only for classes that stream). */
    private boolean generated(String method) {
        return !method.equals("step") || step != null;
    }

    /** One call of the benchmarked operation, by its method name. */
    private void call(String method) throws Throwable {
        switch (method) {
            case "forward" -> forward();
            case "computeGradients" -> computeGradients();
            case "trainStep" -> trainStep();
            case "step" -> step();
            default -> throw new IllegalArgumentException(method);
        }
    }

    /**
     * Bytes and calls of a run of calls made here after the measurement iterations, between two reads of the
     * thread's counter: one call that is not counted, then two windows of {@link #STEADY_CALLS} calls at least, up
     * to 100 or half a second each, and the window with fewer bytes per call. What the code allocates per call shows
     * in both windows; a one-off of the JVM's (32 bytes, seen on JDK 17) in one.
     */
    private long[] steadyState(String method) throws Throwable {
        if (!generated(method)) {
            return new long[] {0, 0};
        }
        call(method);
        long[] best = null;
        for (int window = 0; window < 2; window++) {
            long start = System.nanoTime();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            int n = 0;
            while (n < STEADY_CALLS || n < 100 && System.nanoTime() - start < 500_000_000L) {
                call(method);
                n++;
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (best == null || (double) bytes / n < (double) best[0] / best[1]) {
                best = new long[] {bytes, n};
            }
        }
        return best;
    }

    @Benchmark
    public void forward() throws Throwable {
        calls++;
        forward.invokeExact(x, batch, steps, y);
    }

    @Benchmark
    public float computeGradients() throws Throwable {
        calls++;
        return labels ? (float) gradients.invokeExact(x, labelArray, batch, steps)
                : (float) gradients.invokeExact(x, targets, batch, steps);
    }

    @Benchmark
    public float trainStep() throws Throwable {
        calls++;
        return labels ? (float) train.invokeExact(x, labelArray, batch, steps)
                : (float) train.invokeExact(x, targets, batch, steps);
    }

    /** Streaming latency per time step (batch as configured; the targets ask for batch 1). */
    @Benchmark
    public void step() throws Throwable {
        if (step == null) {
            throw new UnsupportedOperationException(net + ": streaming step is not generated yet");
        }
        calls++;
        step.invokeExact(stepX, batch, stepY);
    }
}
