package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads every result file of a run and writes the results page (a template with the tables put in) and the PNG
 * charts. {@code java -cp target/benchmarks.jar bench.Report RESULTS_DIR TEMPLATE README CHARTS_DIR}
 *
 * <p>Ratios are PyTorch's time over rnnc's (above 1: rnnc is faster). The ceiling of a configuration is the time
 * its matrix products would take at the best single-core kernel speed measured in the same run for each product's
 * shape (the C AVX-512 kernel, OpenBLAS, or the Java Vector API kernel); element-wise work counts as free, so the
 * fraction of the ceiling is a conservative figure.
 *
 * <p>When the run has Deeplearning4j's results (jmh-LABEL-dl4j.json, {@code run.sh --dl4j}), the LSTM tables get a
 * DL4J column and its ratio, DL4J's time over rnnc's on the same JDK; without them the page is as before.
 */
public final class Report {
    private int steps = 100;
    static final List<String> METHODS = List.of("forward", "computeGradients", "trainStep");
    static final String TORCH1 = "openblas-1";
    static final String TORCH2 = "openblas-2";
    static final String TORCH_DEFAULT = "default-1";

    private final Path dir;
    private final List<String> labels = new ArrayList<>();
    private final Map<String, Map<String, Results.Row>> jmh = new LinkedHashMap<>();
    private final Map<String, Results.Row> torch;
    private final Results.Dl4j dl4j;
    private final Map<String, double[]> ceilingC;
    private final Map<String, Double> javaKernel = new HashMap<>();
    private final List<String[]> plan = new ArrayList<>();
    private String primary;
    private Path chartsLink = Path.of("charts");
    private final StringBuilder out = new StringBuilder();

    private Report(Path dir) throws IOException {
        this.dir = dir;
        List<Path> jdkFiles;
        try (Stream<Path> list = Files.list(dir)) {
            jdkFiles = list.filter(p -> p.getFileName().toString().matches("jdk-.+\\.txt")).toList();
        }
        for (Path p : jdkFiles) {
            String name = p.getFileName().toString();
            labels.add(name.substring(4, name.length() - 4));
        }
        labels.sort(Comparator.comparingInt(l -> l.matches("\\d+") ? Integer.parseInt(l) : 1000));
        for (String label : labels) {
            Map<String, Results.Row> rows = new LinkedHashMap<>();
            for (Results.Row row : Results.readJmh(dir, label)) {
                if (row.method().equals("gemm")) {
                    String[] mkn = row.net().split("x");
                    double flops = 2.0 * Double.parseDouble(mkn[0]) * Double.parseDouble(mkn[1])
                            * Double.parseDouble(mkn[2]);
                    javaKernel.put(label + " " + row.net(), flops / (row.micros() * 1e3));
                }
                rows.put(row.key(), row);
            }
            jmh.put(label, rows);
        }
        torch = Results.readTorch(dir);
        dl4j = Results.readDl4j(dir);
        ceilingC = Results.readCeiling(dir);
        Path planFile = dir.resolve("plan.tsv");
        if (Files.exists(planFile)) {
            for (String line : Files.readAllLines(planFile)) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    plan.add(line.split("\t"));
                }
            }
        }
        primary = choosePrimary();
        Path stepsFile = dir.resolve("steps.txt");
        if (Files.exists(stepsFile)) {
            steps = Integer.parseInt(Files.readString(stepsFile).trim());
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: bench.Report RESULTS_DIR TEMPLATE README CHARTS_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path readme = Path.of(args[2]);
        Path charts = Path.of(args[3]);
        Files.createDirectories(charts);
        Report report = new Report(dir);
        String results = report.results(readme.toAbsolutePath().getParent().relativize(charts.toAbsolutePath()));
        report.charts(charts);
        String template = Files.readString(Path.of(args[1]));
        // the table of run.sh --segments, a run of its own (results/segments beside this run's directory)
        Path segments = dir.toAbsolutePath().resolveSibling("segments").resolve("table.md");
        String segmentTable = Files.exists(segments) ? Files.readString(segments)
                : "(no results: run `run.sh --segments`)\n";
        Files.writeString(readme, template.replace("{{RESULTS}}", results).replace("{{SEGMENTS}}", segmentTable));
        System.out.println("report: wrote " + readme + " and the charts in " + charts);
    }

    // ------------------------------------------------------------------------------------------------ figures

    Results.Row rnnc(String label, String method, String net, String backend, int batch) {
        Map<String, Results.Row> rows = jmh.get(label);
        return rows == null ? null : rows.get(Results.key(method, net, backend, batch));
    }

    double time(String label, String method, String net, String backend, int batch) {
        Results.Row row = rnnc(label, method, net, backend, batch);
        return row == null ? Double.NaN : row.micros();
    }

    double torchTime(String config, String method, String net, int batch) {
        Results.Row row = torch.get(Results.key(method, net, config, batch));
        return row == null ? Double.NaN : row.micros();
    }

    boolean hasDl4j() {
        return !dl4j.rows().isEmpty();
    }

    double dl4jTime(String method, String net, int batch) {
        Results.Row row = dl4j.rows().get(Results.key(method, net, "dl4j", batch));
        return row == null ? Double.NaN : row.micros();
    }

    /** The JDK whose rnnc times DL4J's are set against: the one DL4J ran on, when rnnc ran there too. */
    String dl4jBaseline() {
        return jmh.containsKey(dl4j.label()) ? dl4j.label() : primary;
    }

    static boolean training(String method) {
        return !method.equals("forward");
    }

    /** computeGradients fills inputGradients(); trainStep computes no input gradient, nor does PyTorch. */
    static boolean inputGradient(String method) {
        return !method.equals("trainStep");
    }

    /** Best measured GFLOP/s for a product shape m x k x n: C own kernel, OpenBLAS, or the Java kernel. */
    double bestKernel(String shape) {
        double best = Double.NaN;
        double[] c = ceilingC.get(shape);
        if (c != null) {
            best = max(c[0], c[1]);
        }
        for (String label : labels) {
            Double j = javaKernel.get(label + " " + shape);
            if (j != null) {
                best = max(best, j);
            }
        }
        return best;
    }

    static double max(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        if (Double.isNaN(b)) {
            return a;
        }
        return Math.max(a, b);
    }

    /** Microseconds the configuration's products take at the best kernel speed of each shape. */
    double ceilingMicros(String method, String net, int batch) {
        double micros = 0;
        for (Nets.Product p : Nets.of(net).products(batch, steps, training(method), inputGradient(method))) {
            double gflops = bestKernel(p.shape());
            if (!(gflops > 0)) {
                return Double.NaN;
            }
            micros += p.flops() / (gflops * 1e3);
        }
        return micros;
    }

    double gflops(String method, String net, int batch, double micros) {
        return Nets.of(net).flops(batch, steps, training(method), inputGradient(method)) / (micros * 1e3);
    }

    /** The faster JDK over the configurations measured on every JDK (geometric mean of the time ratios). */
    private String choosePrimary() {
        if (labels.isEmpty()) {
            return null;
        }
        if (labels.size() == 1) {
            return labels.get(0);
        }
        String a = labels.get(0);
        String b = labels.get(labels.size() - 1);
        double g = geomeanRatio(a, b, null);
        return g > 1 ? b : a;
    }

    /** Geometric mean of time(a) / time(b) over rnnc configurations on both (method filter optional). */
    double geomeanRatio(String a, String b, String method) {
        double sum = 0;
        int n = 0;
        for (Results.Row row : jmh.get(a).values()) {
            if (row.method().equals("gemm") || (method != null && !row.method().equals(method))) {
                continue;
            }
            Results.Row other = jmh.get(b).get(row.key());
            if (other != null && row.micros() > 0 && other.micros() > 0) {
                sum += Math.log(row.micros() / other.micros());
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(sum / n);
    }

    int countBoth(String a, String b) {
        int n = 0;
        for (Results.Row row : jmh.get(a).values()) {
            if (!row.method().equals("gemm") && jmh.get(b).containsKey(row.key())) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ formatting

    static String time(double micros) {
        if (!(micros > 0)) {
            return "—";
        }
        if (micros < 1000) {
            return String.format(Locale.ROOT, "%.3g µs", micros);
        }
        if (micros < 1e6) {
            return String.format(Locale.ROOT, "%.3g ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g s", micros / 1e6);
    }

    static String num(double v, String format) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "—" : String.format(Locale.ROOT, format, v);
    }

    static String ratio(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0f×" : "%.2g×", v).replace(".×", "×");
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    static String bytes(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v);
    }

    /** "thread B/op (JMH -prof gc B/op)". */
    static String alloc(Results.Row row) {
        if (row == null) {
            return "—";
        }
        return Double.isNaN(row.threadBytesPerOp()) ? bytes(row.bytesPerOp())
                : bytes(row.threadBytesPerOp()) + " (" + bytes(row.bytesPerOp()) + ")";
    }

    static String methodLabel(String method) {
        return switch (method) {
            case "forward" -> "inference (`forward`)";
            case "computeGradients" -> "gradients (`computeGradients`)";
            case "trainStep" -> "training step (`trainStep`, Adam)";
            default -> method;
        };
    }

    void line(String s) {
        out.append(s).append('\n');
    }

    // ------------------------------------------------------------------------------------------------ the page

    String results(Path charts) throws IOException {
        if (primary == null) {
            return "_No JMH results in " + dir + "._\n";
        }
        chartsLink = charts;
        if (steps != 100) {
            line("**A smoke run (T = " + steps + " for rnnc, 100 for PyTorch, times of a fraction of a second): it checks "
                    + "that every benchmark runs and allocates nothing, and its figures mean nothing.**");
            line("");
        }
        machine();
        targets();
        jdkComparison();
        for (String method : METHODS) {
            table("LSTM, vector backend: " + methodLabel(method), method, "lstm", "vector", chartLink(charts, method));
        }
        otherCells();
        examples();
        scalar();
        streamingAndConv();
        ceilings();
        return out.toString();
    }

    private String chartLink(Path charts, String method) {
        return "![LSTM " + method + ": speedup over PyTorch by hidden size](" + charts.resolve("lstm-" + method + ".png")
                .toString().replace('\\', '/') + ")";
    }

    private void machine() throws IOException {
        line("### Machine and software of this run");
        line("");
        Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine)) {
            for (String l : Files.readAllLines(machine)) {
                if (!l.isBlank()) {
                    line("- " + l);
                }
            }
        }
        for (String label : labels) {
            List<String> version = Files.readAllLines(dir.resolve("jdk-" + label + ".txt"));
            line("- JDK " + label + ": `" + String.join(" / ", version.subList(0, Math.min(2, version.size())))
                    .trim() + "`");
        }
        for (String config : List.of(TORCH1, TORCH2, TORCH_DEFAULT)) {
            Map<String, Object> info = Results.torchInfo(dir, config);
            if (!info.isEmpty()) {
                line("- PyTorch " + info.get("torch") + " (Python " + info.get("python") + "), " + config
                        + ": " + ((Number) info.get("num_threads")).intValue() + " thread(s), BLAS "
                        + info.get("blas_libraries") + ", " + info.get("config") + "; " + info.get("timing"));
            }
        }
        if (hasDl4j()) {
            Map<String, String> info = new HashMap<>();
            Path file = dir.resolve("dl4j-info.txt");
            if (Files.exists(file)) {
                for (String l : Files.readAllLines(file)) {
                    int tab = l.indexOf('\t');
                    if (tab > 0) {
                        info.put(l.substring(0, tab), l.substring(tab + 1));
                    }
                }
            }
            line("- Deeplearning4j " + info.getOrDefault("dl4j.version", "1.0.0-M2.1") + " (nd4j-native "
                    + info.getOrDefault("nd4j-native.version", "?") + ", linux-x86_64, BLAS "
                    + info.getOrDefault("blas.vendor", "?") + "), JDK " + dl4j.label() + ": nd4j threads "
                    + info.getOrDefault("nd4j.maxThreads", "?") + ", OpenMP threads "
                    + info.getOrDefault("env.omp.threads", "?") + ", BLAS threads "
                    + info.getOrDefault("blas.maxThreads", "?") + "; `bench.Dl4jBench`, the JMH options of rnnc's");
        }
        Map<String, Object> c = Results.ceilingInfo(dir);
        if (!c.isEmpty()) {
            line("- C kernels: " + c.get("compiler") + " `" + c.get("flags") + "`, AVX-512: " + c.get("avx512")
                    + "; OpenBLAS: " + (c.get("openblas") == null ? "not found" : "`" + c.get("openblas_config")
                    + "`") + "; best of 5 × " + c.get("seconds_per_repetition") + " s per shape");
        }
        Path timing = dir.resolve("timing.txt");
        if (Files.exists(timing)) {
            line("- " + Files.readString(timing).trim() + "; `-prof gc` on every benchmark");
        }
        line("");
    }

    record Check(String target, String measured, boolean met) {
    }

    private void targets() {
        List<Check> checks = new ArrayList<>();
        String p = primary;
        String other = labels.size() > 1 ? labels.get(labels.get(0).equals(p) ? labels.size() - 1 : 0) : null;
        checks.add(ratioTarget("inference, batch 1, H = 64: ≥ 8× PyTorch", "forward", List.of(64), 1, 8, p, other));
        checks.add(ratioTarget("inference, batch 1, H = 128: ≥ 3×", "forward", List.of(128), 1, 3, p, other));
        checks.add(ratioTarget("inference, batch 1, H ≥ 256: ≥ 1.2×", "forward", List.of(256, 512), 1, 1.2, p, other));
        checks.add(ratioTarget("training step, batch 1, H ≤ 128: ≥ 10×", "trainStep", List.of(32, 64, 128), 1, 10, p,
                other));
        checks.add(ratioTarget("training step, batch 1, H > 128: ≥ 3×", "trainStep", List.of(256, 512), 1, 3, p,
                other));
        for (int batch : new int[] {8, 64}) {
            double need = batch == 8 ? 2 : 1;
            for (String method : List.of("forward", "trainStep")) {
                checks.add(ratioTarget((method.equals("forward") ? "inference" : "training step") + ", batch "
                        + batch + ": ≥ " + ratio(need), method, Nets.SIZES, batch, need, p, other));
            }
        }
        // ceiling and allocation over every configuration of the primary JDK
        double worst = Double.NaN;
        String worstKey = "";
        int counted = 0;
        int below = 0;
        double maxBytes = Double.NaN;
        String maxBytesKey = "";
        for (String label : labels) {
            for (Results.Row row : jmh.get(label).values()) {
                // the generated classes; the Java ceiling kernel's rows have JMH's figure only, with its residual
                if (row.method().equals("gemm")) {
                    continue;
                }
                if (!(row.allocation() <= maxBytes) && !Double.isNaN(row.allocation())) {
                    maxBytes = row.allocation();
                    maxBytesKey = "JDK " + label + " " + row.key();
                }
            }
        }
        for (Results.Row row : jmh.get(p).values()) {
            if (row.method().equals("gemm") || !row.backend().equals("vector") || !METHODS.contains(row.method())) {
                continue;
            }
            double f = ceilingMicros(row.method(), row.net(), row.batch()) / row.micros();
            if (Double.isNaN(f)) {
                continue;
            }
            counted++;
            if (f < 0.6) {
                below++;
            }
            if (!(f >= worst)) {
                worst = f;
                worstKey = row.key();
            }
        }
        checks.add(new Check("every configuration ≥ 60 % of the ceiling for its shape (vector backend)",
                below + " of " + counted + " below 60 %; lowest " + percent(worst) + " (" + worstKey + ")",
                counted > 0 && below == 0));
        double stepMicros = time(p, "step", "lstm_h64", "vector", 1);
        double otherStep = other == null ? Double.NaN : time(other, "step", "lstm_h64", "vector", 1);
        checks.add(new Check("streaming step, LSTM H = 64, batch 1: ≤ 3 µs per step", Double.isNaN(stepMicros)
                ? "not measured: no `step` row for lstm_h64 in this run"
                : String.format(Locale.ROOT, "%.2f µs", stepMicros) + (Double.isNaN(otherStep) ? ""
                        : String.format(Locale.ROOT, " (%.2f µs)", otherStep)),
                stepMicros <= 3));
        checks.add(new Check("0 B/op in the generated classes (bytes the benchmark thread allocated per call in the"
                + " calls after the measurement; < 8 B/op allowed)",
                "largest " + bytes(maxBytes) + " B/op (" + maxBytesKey + ")", maxBytes < Run.MAX_BYTES_PER_OP));

        line("### Targets (single thread, T = 100, D = H, against PyTorch 1 thread with OpenBLAS, same run)");
        line("");
        line("Measured on JDK " + p + (other == null ? "" : " (the faster JDK here; JDK " + other
                + " in brackets)") + ". A ratio is PyTorch's time over rnnc's.");
        line("");
        line("| target | measured | met |");
        line("| --- | --- | --- |");
        for (Check c : checks) {
            line("| " + c.target() + " | " + c.measured() + " | " + (c.met() ? "yes" : "**no**") + " |");
        }
        line("");
    }

    private Check ratioTarget(String what, String method, List<Integer> sizes, int batch, double need, String p,
            String other) {
        double worst = Double.NaN;
        String where = "";
        double worstOther = Double.NaN;
        int n = 0;
        for (int h : sizes) {
            String net = "lstm_h" + h;
            double t = torchTime(TORCH1, method, net, batch);
            double r = t / time(p, method, net, "vector", batch);
            if (Double.isNaN(r)) {
                continue;
            }
            n++;
            if (!(r >= worst)) {
                worst = r;
                where = "H = " + h;
            }
            if (other != null) {
                double ro = t / time(other, method, net, "vector", batch);
                if (!(ro >= worstOther)) {
                    worstOther = ro;
                }
            }
        }
        if (n == 0) {
            return new Check(what, "not measured in this run", false);
        }
        String measured = "LSTM: lowest " + ratio(worst) + (sizes.size() > 1 ? " (" + where + ")" : "")
                + (other == null ? "" : " [" + ratio(worstOther) + "]")
                + (worst < need ? "; missed by " + ratio(need / worst) : "");
        return new Check(what, measured, worst >= need);
    }

    private void jdkComparison() {
        if (labels.size() < 2) {
            return;
        }
        String a = labels.get(0);
        String b = labels.get(labels.size() - 1);
        double g = geomeanRatio(a, b, null);
        line("### JDK " + a + " or JDK " + b);
        line("");
        String faster = g > 1 ? b : a;
        double by = g > 1 ? g : 1 / g;
        line(String.format(Locale.ROOT, "**JDK %s is faster**: JDK %s's time over JDK %s's is %.3f as a geometric "
                + "mean over the %d rnnc configurations measured on both (the same bytecode, compiled for Java 17), "
                + "i.e. JDK %s runs them %.1f %% faster.", faster, a, b, g, countBoth(a, b), faster, (by - 1) * 100));
        line("");
        line("| mode | JDK " + a + " time / JDK " + b + " time (geometric mean) |");
        line("| --- | --- |");
        for (String method : METHODS) {
            line("| " + methodLabel(method) + " | " + num(geomeanRatio(a, b, method), "%.3f") + " |");
        }
        if (!javaKernel.isEmpty()) {
            line("| Java ceiling kernel (`KernelBench`) | " + num(geomeanRatio(a, b, "gemm"), "%.3f") + " |");
        }
        line("");
    }

    private void header(boolean withNet) {
        header(withNet, false);
    }

    private void header(boolean withNet, boolean withDl4j) {
        StringBuilder h = new StringBuilder("| ");
        StringBuilder s = new StringBuilder("| ");
        if (withNet) {
            h.append("network | ");
            s.append("--- | ");
        } else {
            h.append("H | ");
            s.append("---: | ");
        }
        h.append("batch | ");
        s.append("---: | ");
        for (String label : labels) {
            h.append("rnnc JDK ").append(label).append(" | ");
            s.append("---: | ");
        }
        h.append("µs / step | GFLOP/s | of ceiling | B/op | PyTorch 1T | **× PyTorch 1T** | PyTorch 2T | × 2T "
                + "| PyTorch ref. BLAS | × ref. |");
        s.append("---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        if (withDl4j) {
            h.append(" DL4J JDK ").append(dl4j.label()).append(" | **× DL4J** |");
            s.append(" ---: | ---: |");
        }
        line(h.toString());
        line(s.toString());
    }

    private void row(String first, String method, String net, String backend, int batch) {
        row(first, method, net, backend, batch, false);
    }

    private void row(String first, String method, String net, String backend, int batch, boolean withDl4j) {
        StringBuilder r = new StringBuilder("| " + first + " | " + batch + " | ");
        for (String label : labels) {
            r.append(time(time(label, method, net, backend, batch))).append(" | ");
        }
        Results.Row row = rnnc(primary, method, net, backend, batch);
        double t = row == null ? Double.NaN : row.micros();
        double t1 = torchTime(TORCH1, method, net, batch);
        double t2 = torchTime(TORCH2, method, net, batch);
        double tr = torchTime(TORCH_DEFAULT, method, net, batch);
        r.append(num(t / steps, "%.3g")).append(" | ");
        r.append(num(gflops(method, net, batch, t), "%.1f")).append(" | ");
        r.append(percent(ceilingMicros(method, net, batch) / t)).append(" | ");
        r.append(alloc(row)).append(" | ");
        r.append(time(t1)).append(" | **").append(ratio(t1 / t)).append("** | ");
        r.append(time(t2)).append(" | ").append(ratio(t2 / t)).append(" | ");
        r.append(time(tr)).append(" | ").append(ratio(tr / t)).append(" |");
        if (withDl4j) {
            double td = dl4jTime(method, net, batch);
            r.append(" ").append(time(td)).append(" | **")
                    .append(ratio(td / time(dl4jBaseline(), method, net, backend, batch))).append("** |");
        }
        line(r.toString());
    }

    private boolean planned(String method, String net, String backend, int batch) {
        for (String[] p : plan) {
            if (p[1].equals(method) && p[2].equals(net) && p[3].equals(backend) && Integer.parseInt(p[4]) == batch) {
                return true;
            }
        }
        return false;
    }

    private void table(String title, String method, String cell, String backend, String chart) {
        List<String> rows = new ArrayList<>();
        for (int batch : new int[] {1, 8, 64}) {
            for (int h : Nets.SIZES) {
                if (planned(method, cell + "_h" + h, backend, batch)) {
                    rows.add(h + " " + batch);
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### " + title);
        line("");
        line("Derived columns (µs per step, GFLOP/s, fraction of the ceiling, B/op, ratios) use JDK " + primary
                + ".");
        line("");
        boolean withDl4j = hasDl4j() && cell.equals("lstm") && backend.equals("vector");
        if (withDl4j) {
            line("DL4J: Deeplearning4j (`MultiLayerNetwork`: `LSTM` + `RnnOutputLayer`, identity, MSE; "
                    + dl4jCall(method) + "), one thread, on JDK " + dl4j.label() + "; **× DL4J** is its time over "
                    + "rnnc's on JDK " + dl4jBaseline() + " (above 1: rnnc is faster); — where DL4J did not run.");
            line("");
        }
        header(false, withDl4j);
        for (String r : rows) {
            String[] hb = r.split(" ");
            row(hb[0], method, cell + "_h" + hb[0], backend, Integer.parseInt(hb[1]), withDl4j);
        }
        line("");
        if (chart != null) {
            line(chart);
            line("");
        }
    }

    static String dl4jCall(String method) {
        return switch (method) {
            case "forward" -> "`output(x)`";
            case "computeGradients" -> "`computeGradientAndScore()`";
            case "trainStep" -> "`fit(x, y)`, Adam";
            default -> method;
        };
    }

    private void otherCells() {
        List<String[]> rows = new ArrayList<>();
        for (String method : METHODS) {
            for (String cell : List.of("rnn", "gru", "mgu")) {
                for (int batch : new int[] {1, 8, 64}) {
                    for (int h : Nets.SIZES) {
                        if (planned(method, cell + "_h" + h, "vector", batch)) {
                            rows.add(new String[] {method, cell, String.valueOf(h), String.valueOf(batch)});
                        }
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### RNN (tanh), GRU and the user cell `mgu`, vector backend");
        line("");
        line("PyTorch runs `torch.nn.RNN` and `torch.nn.GRU`; the MGU is written as a PyTorch user would (input "
                + "products hoisted over the sequence, a Python loop over the steps), so its ratio includes "
                + "PyTorch's per-step overhead in eager mode.");
        line("");
        header(true);
        for (String[] r : rows) {
            row(r[1] + " H=" + r[2] + ", " + r[0], r[0], r[1] + "_h" + r[2], "vector", Integer.parseInt(r[3]));
        }
        line("");
        line("![Cells at batch 1: speedup over PyTorch](" + chartsLink.resolve("cells-batch1.png").toString()
                .replace('\\', '/') + ")");
        line("");
    }

    private void examples() {
        List<String[]> rows = new ArrayList<>();
        for (String net : List.of("CharLstm", "MguTagger")) {
            for (String method : METHODS) {
                for (int batch : new int[] {1, 8, 64}) {
                    if (planned(method, net, "vector", batch)) {
                        rows.add(new String[] {net, method, String.valueOf(batch)});
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### The reviewed examples of `generated-examples/`");
        line("");
        line("`CharLstm` (two LSTM(256), softmax over 65 characters, Adam, `clip_norm`, truncated BPTT of 50 steps) "
                + "and `MguTagger` (the user cell, RMSprop), generated by the plugin from the committed specs: the "
                + "same code as the committed Java. PyTorch: `LSTM(65, 256, num_layers=2)` with the state detached "
                + "every 50 steps, `clip_grad_norm_`; the MGU loop as above.");
        line("");
        header(true);
        for (String[] r : rows) {
            row(r[0] + ", " + r[1], r[1], r[0], "vector", Integer.parseInt(r[2]));
        }
        line("");
    }

    private void scalar() {
        List<String[]> rows = new ArrayList<>();
        for (String[] p : plan) {
            if (p[3].equals("scalar")) {
                rows.add(p);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        line("### Scalar backend (plain Java, no Vector API)");
        line("");
        StringBuilder h = new StringBuilder("| network | mode | batch | ");
        StringBuilder s = new StringBuilder("| --- | --- | ---: | ");
        for (String label : labels) {
            h.append("scalar JDK ").append(label).append(" | ");
            s.append("---: | ");
        }
        h.append("vector JDK ").append(primary).append(" | vector / scalar | B/op | × PyTorch 1T |");
        s.append("---: | ---: | ---: | ---: |");
        line(h.toString());
        line(s.toString());
        for (String[] p : rows) {
            String method = p[1];
            String net = p[2];
            int batch = Integer.parseInt(p[4]);
            StringBuilder r = new StringBuilder("| " + net + " | " + method + " | " + batch + " | ");
            for (String label : labels) {
                r.append(time(time(label, method, net, "scalar", batch))).append(" | ");
            }
            double ts = time(primary, method, net, "scalar", batch);
            double tv = time(primary, method, net, "vector", batch);
            Results.Row row = rnnc(primary, method, net, "scalar", batch);
            r.append(time(tv)).append(" | ").append(ratio(ts / tv)).append(" | ")
                    .append(alloc(row)).append(" | ")
                    .append(ratio(torchTime(TORCH1, method, net, batch) / ts)).append(" |");
            line(r.toString());
        }
        line("");
    }

    private void streamingAndConv() throws IOException {
        Path file = dir.resolve("not-generated.tsv");
        if (!Files.exists(file)) {
            return;
        }
        List<String> rows = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#") && !l.isBlank())
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        line("### Planned rows for code rnnc does not generate yet");
        line("");
        line("The harness has the slots: `RnnBench.step` measures a generated `step(x, batch, y)` per time step, "
                + "and the plan runs it as soon as the generated class has the method; a ConvLSTM sweep joins "
                + "when `convlstm2d` code generation exists.");
        line("");
        line("| benchmark | configuration | status |");
        line("| --- | --- | --- |");
        for (String r : rows) {
            String[] f = r.split("\t");
            line("| " + (f[0].equals("step") ? "streaming `step`, latency per time step" : "ConvLSTM, all modes")
                    + " | " + f[1] + ", " + f[2] + ", batch " + f[3] + " | not yet generated (" + f[4] + ") |");
        }
        line("");
    }

    private void ceilings() {
        // the recurrent shapes (matrix-vector at batch 1, small matrix-matrix at batch 8 and 64)
        List<String> shapes = new ArrayList<>();
        for (String key : javaKernel.keySet()) {
            String shape = key.substring(key.indexOf(' ') + 1);
            if (!shapes.contains(shape)) {
                shapes.add(shape);
            }
        }
        shapes.sort(Comparator.<String>comparingInt(s -> Integer.parseInt(s.split("x")[0]))
                .thenComparingInt(s -> Integer.parseInt(s.split("x")[1])));
        if (shapes.isEmpty() && ceilingC.isEmpty()) {
            return;
        }
        line("### The machine's ceiling: single-core matrix products measured in the same run");
        line("");
        line("y[m][n] = a[m][k] · w[k][n] with the weights in place between calls. Recurrent product shapes "
                + "(m = batch, k = H, n = 4H for the LSTM); every other product shape of every configuration is in "
                + "`results/*/ceiling-c.json`.");
        line("");
        StringBuilder h = new StringBuilder("| m × k × n | C AVX-512 (own) | OpenBLAS sgemm | ");
        StringBuilder s = new StringBuilder("| --- | ---: | ---: | ");
        for (String label : labels) {
            h.append("Java Vector API JDK ").append(label).append(" | ");
            s.append("---: | ");
        }
        line(h.append("best (GFLOP/s) |").toString());
        line(s.append("---: |").toString());
        for (String shape : shapes) {
            double[] c = ceilingC.getOrDefault(shape, new double[] {Double.NaN, Double.NaN});
            StringBuilder r = new StringBuilder("| " + shape.replace("x", " × ") + " | " + num(c[0], "%.1f") + " | "
                    + num(c[1], "%.1f") + " | ");
            for (String label : labels) {
                Double j = javaKernel.get(label + " " + shape);
                r.append(num(j == null ? Double.NaN : j, "%.1f")).append(" | ");
            }
            line(r.append(num(bestKernel(shape), "%.1f")).append(" |").toString());
        }
        line("");
    }

    // ------------------------------------------------------------------------------------------------ charts

    void charts(Path charts) throws IOException {
        if (primary == null) {
            return;
        }
        for (String method : METHODS) {
            List<Chart.Series> series = new ArrayList<>();
            int color = 0;
            for (int batch : new int[] {1, 8, 64}) {
                for (String config : List.of(TORCH1, TORCH2)) {
                    double[] x = new double[Nets.SIZES.size()];
                    double[] y = new double[Nets.SIZES.size()];
                    boolean any = false;
                    for (int i = 0; i < x.length; i++) {
                        int h = Nets.SIZES.get(i);
                        x[i] = h;
                        y[i] = torchTime(config, method, "lstm_h" + h, batch)
                                / time(primary, method, "lstm_h" + h, "vector", batch);
                        any |= y[i] > 0;
                    }
                    if (any) {
                        series.add(new Chart.Series("batch " + batch + (config.equals(TORCH1) ? ", PT 1T" : ", PT 2T"),
                                Chart.color(color), config.equals(TORCH2), x, y));
                    }
                }
                color++;
            }
            Chart.draw(charts.resolve("lstm-" + method + ".png"),
                    "LSTM " + method + ": rnnc (JDK " + primary + ") vs PyTorch 1.13 + OpenBLAS, T = 100",
                    "hidden size H = D", "speedup (PyTorch time / rnnc time)", series);
        }
        List<Chart.Series> cells = new ArrayList<>();
        int color = 0;
        for (String cell : Nets.CELLS) {
            for (String method : List.of("forward", "trainStep")) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int h : Nets.SIZES) {
                    double r = torchTime(TORCH1, method, cell + "_h" + h, 1)
                            / time(primary, method, cell + "_h" + h, "vector", 1);
                    if (r > 0) {
                        xs.add((double) h);
                        ys.add(r);
                    }
                }
                if (!xs.isEmpty()) {
                    cells.add(new Chart.Series(cell + " " + (method.equals("forward") ? "inference" : "train step"),
                            Chart.color(color), method.equals("trainStep"),
                            xs.stream().mapToDouble(Double::doubleValue).toArray(),
                            ys.stream().mapToDouble(Double::doubleValue).toArray()));
                }
            }
            color++;
        }
        Chart.draw(charts.resolve("cells-batch1.png"),
                "Batch 1: rnnc (JDK " + primary + ") vs PyTorch 1.13 + OpenBLAS, 1 thread, T = 100",
                "hidden size H = D", "speedup (PyTorch time / rnnc time)", cells);
    }
}
