package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the result files of a run: JMH JSON per JDK, the PyTorch script's JSON, the C kernel's JSON. */
final class Results {
    private Results() {
    }

    /**
     * One measured configuration; micros per call; error is JMH's 99.9 % half-interval (or the script's);
     * bytesPerOp is JMH's gc.alloc.rate.norm (all threads of the fork), threadBytesPerOp what the benchmark thread
     * itself allocated per call in a run of calls after the measurement iterations (older files: over the
     * measurement iterations; NaN when not measured).
     */
    record Row(String method, String net, String backend, int batch, double micros, double error,
            double bytesPerOp, double threadBytesPerOp) {
        /** The exact figure when there is one, else JMH's. */
        double allocation() {
            return Double.isNaN(threadBytesPerOp) ? bytesPerOp : threadBytesPerOp;
        }

        String key() {
            return Results.key(method, net, backend, batch);
        }
    }

    static String key(String method, String net, String backend, int batch) {
        return method + " " + net + " " + backend + " b" + batch;
    }

    /** Every jmh-LABEL-*.json of dir, with the thread's allocation from alloc-LABEL.tsv. */
    static List<Row> readJmh(Path dir, String label) throws IOException {
        List<Row> rows = new ArrayList<>();
        Map<String, Double> thread = new HashMap<>();
        Path alloc = dir.resolve("alloc-" + label + ".tsv");
        if (Files.exists(alloc)) {
            for (String line : Files.readAllLines(alloc)) {
                String[] f = line.split("\t");
                // bytes and calls of the run of calls after the measurement iterations when there is one (the
                // generated code alone), else over the measurement iterations (which include JMH's loop)
                int bytes = f.length >= 11 && Long.parseLong(f[10]) > 0 ? 9 : 5;
                if (f.length > bytes + 1 && Long.parseLong(f[bytes + 1]) > 0) {
                    thread.put(key(f[0], f[1], f[2], Integer.parseInt(f[3])),
                            Double.parseDouble(f[bytes]) / Double.parseDouble(f[bytes + 1]));
                }
            }
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            // jmh-LABEL-dl4j.json is Deeplearning4j's (readDl4j), not rnnc's
            files = list.filter(p -> p.getFileName().toString().startsWith("jmh-" + label + "-")
                    && p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().endsWith(DL4J_SUFFIX)).sorted().toList();
        }
        for (Path file : files) {
            rows.addAll(readJmhFile(file, thread));
        }
        return rows;
    }

    /** The suffix of the JMH results of bench.Dl4jBench: jmh-LABEL-dl4j.json (run.sh --dl4j). */
    static final String DL4J_SUFFIX = "-dl4j.json";

    /**
     * Deeplearning4j's rows (backend "dl4j"), keyed like rnnc's, and the JDK label each ran on; empty when the run
     * had no --dl4j. One label is expected (the baseline JDK); with several, the first in name order wins.
     */
    record Dl4j(String label, Map<String, Row> rows) {
    }

    static Dl4j readDl4j(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith("jmh-")
                    && p.getFileName().toString().endsWith(DL4J_SUFFIX)).sorted().toList();
        }
        Map<String, Row> rows = new HashMap<>();
        String label = null;
        for (Path file : files) {
            String name = file.getFileName().toString();
            String fileLabel = name.substring(4, name.length() - DL4J_SUFFIX.length());
            if (label != null && !label.equals(fileLabel)) {
                continue;
            }
            for (Row row : readJmhFile(file, Map.of())) {
                label = fileLabel;
                rows.put(row.key(), row);
            }
        }
        return new Dl4j(label, rows);
    }

    private static List<Row> readJmhFile(Path file, Map<String, Double> thread) throws IOException {
        List<Row> rows = new ArrayList<>();
        String text = Files.readString(file).trim();
        if (text.isEmpty()) {
            return rows;
        }
        for (Object o : Json.array(Json.parse(text))) {
            Map<String, Object> b = Json.object(o);
            String benchmark = (String) b.get("benchmark");
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            Map<String, Object> params = Json.object(b.getOrDefault("params", Map.of()));
            Map<String, Object> primary = Json.object(b.get("primaryMetric"));
            double bytes = Double.NaN;
            Map<String, Object> secondary = Json.object(b.getOrDefault("secondaryMetrics", Map.of()));
            for (Map.Entry<String, Object> e : secondary.entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    bytes = number(Json.object(e.getValue()).get("score"));
                }
            }
            double score = number(primary.get("score"));
            double error = number(primary.get("scoreError"));
            if (params.containsKey("shape")) {
                rows.add(new Row(method, (String) params.get("shape"), "java", 0, score, error, bytes,
                        Double.NaN));
            } else {
                String net = (String) params.get("net");
                String backend = (String) params.get("backend");
                int batch = Integer.parseInt((String) params.get("batch"));
                rows.add(new Row(method, net, backend, batch, score, error, bytes,
                        thread.getOrDefault(key(method, net, backend, batch), Double.NaN)));
            }
        }
        return rows;
    }

    /** torch-BLAS-THREADS.json: key of the row → row (backend = "BLAS-THREADS"). */
    static Map<String, Row> readTorch(Path dir) throws IOException {
        Map<String, Row> rows = new HashMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith("torch-")
                    && p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            Map<String, Object> root = Json.object(Json.parse(Files.readString(file)));
            String config = root.get("blas") + "-" + ((Number) root.get("threads")).intValue();
            for (Object o : Json.array(root.get("results"))) {
                Map<String, Object> r = Json.object(o);
                Row row = new Row((String) r.get("method"), (String) r.get("net"), config,
                        ((Number) r.get("batch")).intValue(), number(r.get("micros")), number(r.get("error")),
                        Double.NaN, Double.NaN);
                rows.put(row.key(), row);
            }
        }
        return rows;
    }

    static Map<String, Object> torchInfo(Path dir, String config) throws IOException {
        Path file = dir.resolve("torch-" + config + ".json");
        if (!Files.exists(file)) {
            return Map.of();
        }
        Map<String, Object> root = new HashMap<>(Json.object(Json.parse(Files.readString(file))));
        root.remove("results");
        return root;
    }

    /** The C kernels: "m k n" → {own AVX-512 kernel GFLOP/s, OpenBLAS GFLOP/s (NaN without it)}. */
    static Map<String, double[]> readCeiling(Path dir) throws IOException {
        Map<String, double[]> map = new HashMap<>();
        Path file = dir.resolve("ceiling-c.json");
        if (!Files.exists(file)) {
            return map;
        }
        Map<String, Object> root = Json.object(Json.parse(Files.readString(file)));
        for (Object o : Json.array(root.get("results"))) {
            Map<String, Object> r = Json.object(o);
            String shape = ((Number) r.get("m")).intValue() + "x" + ((Number) r.get("k")).intValue() + "x"
                    + ((Number) r.get("n")).intValue();
            map.put(shape, new double[] {number(r.get("own")), number(r.get("openblas"))});
        }
        return map;
    }

    static Map<String, Object> ceilingInfo(Path dir) throws IOException {
        Path file = dir.resolve("ceiling-c.json");
        if (!Files.exists(file)) {
            return Map.of();
        }
        Map<String, Object> root = new HashMap<>(Json.object(Json.parse(Files.readString(file))));
        root.remove("results");
        return root;
    }

    static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
