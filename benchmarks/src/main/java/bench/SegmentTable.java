package bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table of {@code run.sh --segments}: each configuration of the LSTM sweep with its packed weights in
 * {@code float[]} (backend {@code vector}) and in aligned segments ({@code segment}), JDK 25, against PyTorch
 * (OpenBLAS, 1 thread) from the same run. Reads {@code jmh-25-*.json}, {@code alloc-25.tsv} (what the benchmark
 * thread allocated per call, counted by RnnBench after the measurement) and {@code torch-*.json} of the directory;
 * prints Markdown.
 */
public final class SegmentTable {
    private SegmentTable() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: bench.SegmentTable RESULTS_DIR (results/segments)");
            System.exit(2);
        }
        System.out.print(table(Path.of(args[0])));
    }

    static String table(Path dir) throws Exception {
        Map<String, Results.Row> rows = new TreeMap<>();
        for (Results.Row row : Results.readJmh(dir, "25")) {
            rows.put(row.key(), row);
        }
        Map<String, Results.Row> torch = Results.readTorch(dir);
        // configurations in sweep order: method, then hidden size, then batch
        List<String[]> configurations = new ArrayList<>();
        for (Results.Row row : rows.values()) {
            if (row.backend().equals("vector")) {
                configurations.add(new String[] {row.method(), row.net(), String.valueOf(row.batch())});
            }
        }
        configurations.sort((a, b) -> {
            int c = a[0].compareTo(b[0]);
            if (c == 0) {
                c = Integer.compare(Nets.of(a[1]).hidden(), Nets.of(b[1]).hidden());
            }
            return c != 0 ? c : Integer.compare(Integer.parseInt(a[2]), Integer.parseInt(b[2]));
        });
        StringBuilder out = new StringBuilder();
        out.append("| mode | net | batch | PyTorch | arrays | segments | segments / arrays | × PyTorch, arrays "
                + "| × PyTorch, segments | bytes per call, segments |\n");
        out.append("| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |\n");
        for (String[] c : configurations) {
            int batch = Integer.parseInt(c[2]);
            Results.Row array = rows.get(Results.key(c[0], c[1], "vector", batch));
            Results.Row segment = rows.get(Results.key(c[0], c[1], "segment", batch));
            Results.Row py = torch.get(Results.key(c[0], c[1], "openblas-1", batch));
            if (segment == null) {
                continue;
            }
            out.append("| ").append(c[0]).append(" | ").append(c[1]).append(" | ").append(batch).append(" | ")
                    .append(py == null ? "–" : time(py.micros())).append(" | ")
                    .append(time(array.micros())).append(" | ").append(time(segment.micros())).append(" | ")
                    .append(format("%.2f", segment.micros() / array.micros())).append(" | ")
                    .append(py == null ? "–" : format("%.2f×", py.micros() / array.micros())).append(" | ")
                    .append(py == null ? "–" : format("%.2f×", py.micros() / segment.micros())).append(" | ")
                    .append(format("%.0f", segment.allocation())).append(" |\n");
        }
        return out.toString();
    }

    private static String time(double micros) {
        return micros >= 1000 ? format("%.2f ms", micros / 1000) : format("%.0f µs", micros);
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
