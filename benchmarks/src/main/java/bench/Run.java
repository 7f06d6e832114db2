package bench;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The plan of a run (what is measured in smoke, default and full mode) and the JMH part of it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/benchmarks.jar bench.Run plan  MODE DIR
 * java --add-modules jdk.incubator.vector -cp target/benchmarks.jar bench.Run jmh   MODE DIR LABEL JAVA_HOME
 * java --add-modules jdk.incubator.vector -cp target/benchmarks.jar bench.Run check MODE DIR LABEL...
 * java -cp target/benchmarks.jar:$(cat target/dl4j.classpath) bench.Run dl4j MODE DIR LABEL JAVA_HOME
 * </pre>
 *
 * {@code plan} writes DIR/plan.tsv (every JMH configuration), DIR/torch.tsv (what the PyTorch script runs, with
 * which BLAS and how many threads), DIR/shapes.tsv (the matrix products whose C kernel speed makes the ceilings)
 * and DIR/not-generated.tsv (rows planned for code rnnc does not generate yet). {@code jmh} runs the plan's JMH
 * groups on one JDK, forks included, into DIR/jmh-LABEL-GROUP.json. {@code check} (smoke mode) fails unless
 * every planned benchmark has a result on every JDK and allocates less than {@link #MAX_BYTES_PER_OP} per call.
 * {@code dl4j} (a build with {@code -Pdl4j}, run by {@code run.sh --dl4j}) runs {@code bench.Dl4jBench}, Deeplearning4j
 * on the LSTM sweep, with the mode's timing into DIR/jmh-LABEL-dl4j.json: H = 64, 128, 256 at batch 1 and 8 (H = 32,
 * batch 1 in smoke mode); the system properties {@code bench.dl4j.nets} and {@code bench.dl4j.batches} (comma
 * separated) narrow it for a short check. It runs nothing of rnnc's and is not in plan.tsv, so {@code check} and a
 * run without it are unchanged.
 */
public final class Run {
    /** JMH's -prof gc shows a residual 0.1–1.3 B/op for code that allocates nothing (PERFORMANCE.md). */
    static final double MAX_BYTES_PER_OP = 8.0;

    static final String TRAINING_METHODS = "forward|computeGradients|trainStep";

    /** One JMH invocation: the benchmark methods and the parameters, crossed. */
    record Group(String id, String methods, List<String> nets, List<String> backends, List<Integer> batches,
            Timing timing) {
        Group(String id, String methods, List<String> nets, List<String> backends, List<Integer> batches) {
            this(id, methods, nets, backends, batches, null);
        }

        String include() {
            return "bench\\.RnnBench\\.(" + methods + ")$";
        }
    }

    record Timing(int warmups, double warmupSeconds, int iterations, double iterationSeconds) {
    }

    record Plan(String mode, Timing timing, List<Group> groups, List<String> kernelShapes, List<String> torch,
            List<String> notGenerated) {
    }

    private Run() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        Plan plan = plan(args[1]);
        Path dir = Path.of(args[2]);
        Files.createDirectories(dir);
        switch (args[0]) {
            case "plan" -> writePlan(plan, dir);
            case "jmh" -> {
                if (args.length != 5) {
                    usage();
                }
                runJmh(plan, dir, args[3], Path.of(args[4]));
            }
            case "dl4j" -> {
                if (args.length != 5) {
                    usage();
                }
                runDl4j(plan, dir, args[3], Path.of(args[4]));
            }
            case "check" -> {
                List<String> labels = List.of(args).subList(3, args.length);
                List<String> problems = check(plan, dir, labels);
                problems.forEach(p -> System.out.println("smoke: " + p));
                if (!problems.isEmpty()) {
                    System.exit(1);
                }
                System.out.println("smoke: every benchmark produced a result and allocates < " + MAX_BYTES_PER_OP
                        + " B/op on " + String.join(", ", labels));
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: bench.Run plan|jmh|check|dl4j smoke|default|full DIR [LABEL JAVA_HOME | LABEL...]");
        System.exit(2);
    }

    static List<String> sweep(String cell, List<Integer> sizes) {
        return sizes.stream().map(h -> cell + "_h" + h).toList();
    }

    static Plan plan(String mode) {
        List<Group> groups = new ArrayList<>();
        List<String> streaming = new ArrayList<>();
        Timing timing;
        switch (mode) {
            case "smoke" -> {
                timing = new Timing(1, 0.5, 1, 0.5);
                List<String> small = Nets.CELLS.stream().map(c -> c + "_h32").toList();
                groups.add(new Group("smoke", TRAINING_METHODS, small, List.of("vector", "scalar"), List.of(1)));
                // the examples' training is heavier: a later compilation can still land in a short measurement
                groups.add(new Group("examples", TRAINING_METHODS, List.of("CharLstm", "MguTagger"),
                        List.of("vector"), List.of(1), new Timing(3, 1.0, 1, 0.5)));
                streaming.add("lstm_h32");
            }
            case "default" -> {
                timing = new Timing(2, 1.0, 4, 1.0);
                groups.add(new Group("lstm", TRAINING_METHODS, sweep("lstm", Nets.SIZES), List.of("vector"),
                        List.of(1, 8)));
                // at batch 64 a call takes up to seconds: an iteration is one call, and -Xbatch has compiled
                // everything within the first one
                groups.add(new Group("lstm-b64", TRAINING_METHODS, sweep("lstm", Nets.SIZES), List.of("vector"),
                        List.of(64), new Timing(1, 1.0, 3, 1.0)));
                List<String> cells = new ArrayList<>();
                for (String cell : List.of("rnn", "gru", "mgu")) {
                    cells.addAll(sweep(cell, List.of(64, 256)));
                }
                groups.add(new Group("cells", TRAINING_METHODS, cells, List.of("vector"), List.of(1)));
                groups.add(new Group("scalar", TRAINING_METHODS, sweep("lstm", List.of(64, 256)),
                        List.of("scalar"), List.of(1)));
                groups.add(new Group("examples", TRAINING_METHODS, List.of("CharLstm", "MguTagger"),
                        List.of("vector"), List.of(1)));
                streaming.add("lstm_h64");
            }
            case "full" -> {
                timing = new Timing(3, 1.0, 5, 1.0);  // the discipline the issue names; default trims it to fit 40 min
                for (String cell : Nets.CELLS) {
                    groups.add(new Group(cell, TRAINING_METHODS, sweep(cell, Nets.SIZES), List.of("vector", "scalar"),
                            List.of(1, 8, 64)));
                    streaming.addAll(sweep(cell, Nets.SIZES));
                }
                groups.add(new Group("examples", TRAINING_METHODS, List.of("CharLstm", "MguTagger"),
                        List.of("vector"), List.of(1, 8, 64)));
            }
            default -> throw new IllegalArgumentException("mode is smoke, default or full, not " + mode);
        }
        // streaming step at batch 1: run when the generated class has step(...), else a "not yet generated" row
        List<String> notGenerated = new ArrayList<>();
        List<String> withStep = new ArrayList<>();
        for (String net : streaming) {
            for (String backend : mode.equals("default") ? List.of("vector") : List.of("vector", "scalar")) {
                if (hasStep(Nets.of(net).className(backend))) {
                    withStep.add(net);
                } else {
                    notGenerated.add("step\t" + net + "\t" + backend + "\t1\tstreaming step(x, batch, y)");
                }
            }
        }
        if (!withStep.isEmpty()) {
            groups.add(new Group("step", "step", withStep.stream().distinct().toList(), List.of("vector"),
                    List.of(1)));
        }
        for (int h : mode.equals("smoke") ? List.of(32) : Nets.SIZES) {
            notGenerated.add("convlstm\tconvlstm_h" + h + "\tvector\t1\tConvLSTM code generation");
        }

        // the Java ceiling kernel at the recurrent product of each configuration (n a multiple of 64 only)
        Set<String> kernel = new LinkedHashSet<>();
        Set<String> shapes = new LinkedHashSet<>();
        List<String> torch = new ArrayList<>();
        for (Group g : groups) {
            for (String net : g.nets()) {
                for (int batch : g.batches()) {
                    Nets.Net n = Nets.of(net);
                    for (boolean training : new boolean[] {false, true}) {
                        for (Nets.Product p : n.products(batch, 100, training)) {
                            shapes.add(p.shape());
                            if (p.what().equals("recurrent") && p.n() % 64 == 0 && n.example() == null
                                    && (mode.equals("full") || n.layers().get(0).cell().equals("lstm")
                                    || mode.equals("smoke"))) {
                                kernel.add(p.shape());
                            }
                        }
                    }
                    if (!g.backends().contains("vector") || g.id().equals("step")) {
                        continue;
                    }
                    Timing gt = g.timing() == null ? timing : g.timing();
                    String discipline = "\t" + gt.warmups() + "\t" + gt.iterations();
                    for (String method : g.methods().split("\\|")) {
                        // what PyTorch runs: OpenBLAS on 1 and 2 threads everywhere, the Debian default BLAS on 1
                        torch.add(net + "\t" + batch + "\t" + method + "\topenblas\t1" + discipline);
                        boolean sweepLstm = net.startsWith("lstm_h");
                        if (mode.equals("full") || mode.equals("smoke") || (sweepLstm && batch != 8)) {
                            torch.add(net + "\t" + batch + "\t" + method + "\topenblas\t2" + discipline);
                        }
                        if (mode.equals("full") || mode.equals("smoke") || (sweepLstm && batch == 1)) {
                            torch.add(net + "\t" + batch + "\t" + method + "\tdefault\t1" + discipline);
                        }
                    }
                }
            }
        }
        List<String> kernelShapes = new ArrayList<>(kernel);
        if (mode.equals("smoke")) {
            kernelShapes = List.of("1x32x128");
            torch = torch.stream().filter(t -> t.startsWith("lstm_h32\t") || t.contains("\topenblas\t1\t")).toList();
        }
        return new Plan(mode, timing, groups, kernelShapes, torch, notGenerated);
    }

    /** T: 100, but 10 in smoke mode, so that even the examples' training reaches C2 within the short warm-up. */
    static int steps(String mode) {
        return mode.equals("smoke") ? 10 : 100;
    }

    private static boolean hasStep(String className) {
        try {
            for (Method m : Class.forName(className, false, Run.class.getClassLoader()).getMethods()) {
                if (m.getName().equals("step")) {
                    return true;
                }
            }
            return false;
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the benchmarks jar has no " + className + "; rebuild it", e);
        }
    }

    static void writePlan(Plan plan, Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# group\tmethod\tnet\tbackend\tbatch");
        for (Group g : plan.groups()) {
            for (String method : g.methods().split("\\|")) {
                for (String net : g.nets()) {
                    for (String backend : g.backends()) {
                        for (int batch : g.batches()) {
                            lines.add(g.id() + "\t" + method + "\t" + net + "\t" + backend + "\t" + batch);
                        }
                    }
                }
            }
        }
        for (String shape : plan.kernelShapes()) {
            lines.add("kernel\tgemm\t" + shape + "\tjava\t0");
        }
        Files.write(dir.resolve("plan.tsv"), lines);
        List<String> torch = new ArrayList<>();
        torch.add("# net\tbatch\tmethod\tblas\tthreads\twarm-up iterations\tmeasurement iterations");
        torch.addAll(plan.torch());
        Files.write(dir.resolve("torch.tsv"), torch);
        List<String> shapes = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Group g : plan.groups()) {
            for (String net : g.nets()) {
                for (int batch : g.batches()) {
                    for (Nets.Product p : Nets.of(net).products(batch, 100, true)) {
                        seen.add(p.m() + "\t" + p.k() + "\t" + p.n());
                    }
                }
            }
        }
        for (String shape : plan.kernelShapes()) {
            seen.add(shape.replace('x', '\t'));
        }
        shapes.add("# m\tk\tn: y[m][n] = a[m][k] w[k][n]");
        shapes.addAll(seen);
        Files.write(dir.resolve("shapes.tsv"), shapes);
        List<String> skipped = new ArrayList<>();
        skipped.add("# kind\tnet\tbackend\tbatch\twhat is missing");
        skipped.addAll(plan.notGenerated());
        Files.write(dir.resolve("not-generated.tsv"), skipped);
        StringBuilder timing = new StringBuilder(String.format(Locale.ROOT,
                "JMH: 1 fork (`-Xbatch`, default compile thresholds), %d × %.0f s warm-up, %d × %.0f s measurement",
                plan.timing().warmups(), plan.timing().warmupSeconds(), plan.timing().iterations(),
                plan.timing().iterationSeconds()));
        for (Group g : plan.groups()) {
            if (g.timing() != null) {
                timing.append(String.format(Locale.ROOT, " (%s: %d × %.0f s warm-up, %d × %.0f s)", g.id(),
                        g.timing().warmups(), g.timing().warmupSeconds(), g.timing().iterations(),
                        g.timing().iterationSeconds()));
            }
        }
        if (!plan.mode().equals("smoke")) {
            timing.append(" (Java ceiling kernel: 2 × 0.5 s warm-up, 3 × 0.5 s)");
        }
        timing.append("; PyTorch: the same iteration counts per configuration\n");
        Files.writeString(dir.resolve("timing.txt"), timing.toString());
        Files.writeString(dir.resolve("steps.txt"), steps(plan.mode()) + "\n");
    }

    static void runJmh(Plan plan, Path dir, String label, Path javaHome) throws RunnerException {
        String java = javaHome.resolve("bin").resolve("java").toString();
        Timing t = plan.timing();
        List<String> jvmArgs = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g",
                "-Dbench.alloc=" + dir.toAbsolutePath().resolve("alloc-" + label + ".tsv")));
        // compile in the benchmark thread: on 2 busy cores a background C2 can lag far behind the warm-up;
        // the code it produces is the same, only the warm-up becomes a count of calls rather than a race
        jvmArgs.add("-Xbatch");
        // Timed modes keep the default compile thresholds, as a user's JVM has them: with
        // -XX:CompileThresholdScaling=0.1 C2 compiled the matrix kernels from immature profiles into code half as
        // fast (LSTM H = 128: the hoisted product took 344 instead of 170 us). The kernels run hundreds of times per
        // call, so they reach C2 within RnnBench's pre-warm-up, which ends when calls stop allocating. The smoke
        // mode times nothing; its short runs need every method in C2 to check that C2's code does not allocate.
        if (plan.mode().equals("smoke")) {
            jvmArgs.add("-XX:CompileThresholdScaling=0.1");
        }
        for (Group g : plan.groups()) {
            ChainedOptionsBuilder options = base(java, g.timing() == null ? t : g.timing(), jvmArgs, plan.mode())
                    .include(g.include())
                    .param("net", g.nets().toArray(String[]::new))
                    .param("backend", g.backends().toArray(String[]::new))
                    .param("batch", g.batches().stream().map(String::valueOf).toArray(String[]::new))
                    .param("steps", String.valueOf(steps(plan.mode())))
                    .result(dir.resolve("jmh-" + label + "-" + g.id() + ".json").toString());
            new Runner(options.build()).run();
        }
        if (!plan.kernelShapes().isEmpty()) {
            // a kernel of a few microseconds is steady after far fewer calls than a network
            Timing kernel = plan.mode().equals("smoke") ? t : new Timing(2, 0.5, 3, 0.5);
            ChainedOptionsBuilder options = base(java, kernel, jvmArgs, plan.mode())
                    .include("bench\\.KernelBench\\.gemm$")
                    .param("shape", plan.kernelShapes().toArray(String[]::new))
                    .result(dir.resolve("jmh-" + label + "-kernel.json").toString());
            new Runner(options.build()).run();
        }
    }

    /** The LSTM sizes and batches Deeplearning4j runs in a mode (see the class comment). */
    static List<String> dl4jNets(String mode) {
        return listProperty("bench.dl4j.nets",
                mode.equals("smoke") ? List.of("lstm_h32") : sweep("lstm", List.of(64, 128, 256)));
    }

    static List<String> dl4jBatches(String mode) {
        return listProperty("bench.dl4j.batches", mode.equals("smoke") ? List.of("1") : List.of("1", "8"));
    }

    /** The comma-separated system property {@code name}, or {@code otherwise} when it is not set. */
    private static List<String> listProperty(String name, List<String> otherwise) {
        String value = System.getProperty(name);
        return value == null ? otherwise : List.of(value.split(","));
    }

    /**
     * bench.Dl4jBench with the JVM options and timing of the mode's rnnc runs (one fork, -prof gc, JSON); the
     * caller sets OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1, which the forks inherit.
     */
    static void runDl4j(Plan plan, Path dir, String label, Path javaHome) throws RunnerException {
        String java = javaHome.resolve("bin").resolve("java").toString();
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms2g", "-Xmx6g", "-Xbatch",
                "-Dbench.dl4j.info=" + dir.toAbsolutePath().resolve("dl4j-info.txt")));
        ChainedOptionsBuilder options = base(java, plan.timing(), jvmArgs, plan.mode())
                .include("bench\\.Dl4jBench\\.(" + TRAINING_METHODS + ")$")
                .param("net", dl4jNets(plan.mode()).toArray(String[]::new))
                .param("backend", "dl4j")
                .param("batch", dl4jBatches(plan.mode()).toArray(String[]::new))
                .param("steps", String.valueOf(steps(plan.mode())))
                .result(dir.resolve("jmh-" + label + Results.DL4J_SUFFIX).toString());
        new Runner(options.build()).run();
    }

    private static ChainedOptionsBuilder base(String java, Timing t, List<String> jvmArgs, String mode) {
        return new OptionsBuilder()
                .jvm(java)
                // replaces @Fork(jvmArgsAppend), so the module flag is repeated here
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .forks(1)
                .warmupIterations(t.warmups())
                .warmupTime(TimeValue.milliseconds((long) (t.warmupSeconds() * 1000)))
                .measurementIterations(t.iterations())
                .measurementTime(TimeValue.milliseconds((long) (t.iterationSeconds() * 1000)))
                .timeUnit(TimeUnit.MICROSECONDS)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(mode.equals("smoke"))
                .resultFormat(ResultFormatType.JSON);
    }

    /** Every planned benchmark has a score on every JDK, and allocates less than MAX_BYTES_PER_OP per call. */
    static List<String> check(Plan plan, Path dir, List<String> labels) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String label : labels) {
            Map<String, Results.Row> rows = new LinkedHashMap<>();
            for (Results.Row row : Results.readJmh(dir, label)) {
                rows.put(row.key(), row);
            }
            List<String> expected = new ArrayList<>();
            for (Group g : plan.groups()) {
                for (String method : g.methods().split("\\|")) {
                    for (String net : g.nets()) {
                        for (String backend : g.backends()) {
                            for (int batch : g.batches()) {
                                expected.add(Results.key(method, net, backend, batch));
                            }
                        }
                    }
                }
            }
            for (String shape : plan.kernelShapes()) {
                expected.add(Results.key("gemm", shape, "java", 0));
            }
            for (String key : expected) {
                Results.Row row = rows.get(key);
                // the smoke check holds the harness to a result and no allocation, not to a speed
                if (row == null || !(row.micros() > 0)) {
                    problems.add(label + ": no result for " + key);
                } else if (!(row.allocation() < MAX_BYTES_PER_OP)) {
                    problems.add(String.format(Locale.ROOT, "%s: %s allocates %.1f B/op (limit %.0f; JMH -prof gc: "
                            + "%.1f B/op)", label, key, row.allocation(), MAX_BYTES_PER_OP, row.bytesPerOp()));
                }
            }
        }
        // the PyTorch script and the C kernel: a result for each planned line (when they ran at all)
        Map<String, Results.Row> torch = Results.readTorch(dir);
        for (String line : plan.torch()) {
            String[] f = line.split("\t");
            if (Files.exists(dir.resolve("torch-" + f[3] + "-" + f[4] + ".json"))
                    && !torch.containsKey(Results.key(f[2], f[0], f[3] + "-" + f[4], Integer.parseInt(f[1])))) {
                problems.add("PyTorch " + f[3] + "-" + f[4] + ": no result for " + line.replace('\t', ' '));
            }
        }
        Map<String, double[]> ceiling = Results.readCeiling(dir);
        if (Files.exists(dir.resolve("ceiling-c.json"))) {
            for (String shape : Files.readAllLines(dir.resolve("shapes.tsv"))) {
                if (!shape.startsWith("#") && !ceiling.containsKey(shape.replace('\t', 'x'))) {
                    problems.add("C kernel: no result for " + shape.replace('\t', 'x'));
                }
            }
        }
        return problems;
    }
}
