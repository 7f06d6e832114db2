package io.github.rnnc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One PyTorch reference case from {@code src/test/resources/fixtures/pytorch/<name>.json}, written by
 * {@code src/test/python/make_fixtures.py} (see that script for the exact semantics).
 *
 * <p>All arrays are flat and row-major: {@code x} is {@code [batch][steps][inputSize]}, {@code y},
 * {@code logits}, {@code targets} have {@link #outputShape()} ({@code [batch][steps][out]} or
 * {@code [batch][out]}), {@code labels} drop the last axis of that shape. Parameters and gradients
 * are in PyTorch {@code state_dict} order, named {@code <layer>.<pytorch name>}. Optional fields
 * ({@code lengths}, {@code logits}, {@code labels}, {@code targets}) are {@code null} when absent.
 * With {@code lengths}, per-step outputs, labels and targets at padded steps are 0 and excluded from
 * the loss; {@code x} there holds values that must be ignored.
 */
public record PyTorchFixture(
        String name, String description, String spec,
        int batch, int steps, int inputSize, int[] outputShape, int[] lengths,
        float[] x, List<Tensor> parameters, float[] y, float[] logits,
        String loss, int[] labels, float[] targets, float lossValue,
        List<Tensor> gradients, float[] xGrad) {

    /** A named parameter (or gradient) with its PyTorch shape; {@code values} is row-major. */
    public record Tensor(String name, int[] shape, float[] values) {
        public int size() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    public static final Path DIRECTORY = Paths.get("src", "test", "resources", "fixtures", "pytorch");

    private static final Set<String> KEYS = Set.of("name", "description", "spec", "batch", "steps",
            "input_size", "output_shape", "lengths", "x", "parameters", "y", "logits", "loss", "labels",
            "targets", "loss_value", "gradients", "x_grad");

    /** The fixture directory, relative to Maven's {@code basedir} when set, else to the working directory. */
    public static Path directory() {
        String base = System.getProperty("basedir");
        return base == null ? DIRECTORY : Paths.get(base).resolve(DIRECTORY);
    }

    /** Every {@code *.json} fixture file, sorted by name. */
    public static List<Path> all() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory().toAbsolutePath(), e);
        }
    }

    /** Loads the fixture called {@code name} ({@code <name>.json} in {@link #directory()}). */
    public static PyTorchFixture named(String name) {
        return load(directory().resolve(name + ".json"));
    }

    public static PyTorchFixture load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            return fromJson(parseJson(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the network returns one output per step ({@code y} is {@code [batch][steps][out]}). */
    public boolean perStep() {
        return outputShape.length == 3;
    }

    /** Size of the last output axis. */
    public int outputSize() {
        return outputShape[outputShape.length - 1];
    }

    /** Real length of sequence {@code b}: {@code lengths[b]}, or {@code steps} when all are full. */
    public int length(int b) {
        return lengths == null ? steps : lengths[b];
    }

    public Tensor parameter(String name) {
        return find(parameters, name);
    }

    public Tensor gradient(String name) {
        return find(gradients, name);
    }

    private static Tensor find(List<Tensor> tensors, String name) {
        for (Tensor t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("no tensor " + name);
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ mapping JSON to the record

    @SuppressWarnings("unchecked")
    private static PyTorchFixture fromJson(Object root) {
        Map<String, Object> o = (Map<String, Object>) cast(root, Map.class, "top level");
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown key \"" + key + "\"");
        }
        return new PyTorchFixture(
                str(o, "name"), str(o, "description"), str(o, "spec"),
                integer(req(o, "batch"), "batch"), integer(req(o, "steps"), "steps"),
                integer(req(o, "input_size"), "input_size"), ints(req(o, "output_shape"), "output_shape"),
                o.get("lengths") == null ? null : ints(o.get("lengths"), "lengths"),
                floats(req(o, "x"), "x"), tensors(req(o, "parameters"), "parameters"),
                floats(req(o, "y"), "y"),
                o.get("logits") == null ? null : floats(o.get("logits"), "logits"),
                str(o, "loss"),
                o.get("labels") == null ? null : ints(o.get("labels"), "labels"),
                o.get("targets") == null ? null : floats(o.get("targets"), "targets"),
                Float.parseFloat(((Num) cast(req(o, "loss_value"), Num.class, "loss_value")).text()),
                tensors(req(o, "gradients"), "gradients"), floats(req(o, "x_grad"), "x_grad"));
    }

    private static Object req(Map<String, Object> o, String key) {
        if (!o.containsKey(key) || o.get(key) == null) throw new IllegalArgumentException("missing \"" + key + "\"");
        return o.get(key);
    }

    private static String str(Map<String, Object> o, String key) {
        return (String) cast(req(o, key), String.class, key);
    }

    private static Object cast(Object v, Class<?> type, String what) {
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(what + ": expected " + type.getSimpleName() + ", got " + v);
        }
        return v;
    }

    private static int integer(Object v, String what) {
        String text = ((Num) cast(v, Num.class, what)).text();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": not an int: " + text);
        }
    }

    private static List<?> list(Object v, String what) {
        return (List<?>) cast(v, List.class, what);
    }

    private static int[] ints(Object v, String what) {
        List<?> l = list(v, what);
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = integer(l.get(i), what + "[" + i + "]");
        return a;
    }

    private static float[] floats(Object v, String what) {
        List<?> l = list(v, what);
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.parseFloat(((Num) cast(l.get(i), Num.class, what + "[" + i + "]")).text());
        }
        return a;
    }

    @SuppressWarnings("unchecked")
    private static List<Tensor> tensors(Object v, String what) {
        List<Tensor> out = new ArrayList<>();
        for (Object e : list(v, what)) {
            Map<String, Object> t = (Map<String, Object>) cast(e, Map.class, what);
            if (!t.keySet().equals(Set.of("name", "shape", "values"))) {
                throw new IllegalArgumentException(what + ": tensor keys " + t.keySet());
            }
            String name = str(t, "name");
            out.add(new Tensor(name, ints(req(t, "shape"), name + ".shape"), floats(req(t, "values"), name)));
        }
        return Collections.unmodifiableList(out);
    }

    // ------------------------------------------------------------------ a strict JSON parser

    /** A JSON number, kept as its text so it can be read as a float or int without double rounding. */
    record Num(String text) {
    }

    /**
     * Parses strict JSON (RFC 8259): objects become {@code LinkedHashMap<String, Object>} (duplicate keys
     * rejected), arrays {@code List<Object>}, strings {@code String}, numbers {@link Num}, literals
     * {@code Boolean} or {@code null}. Anything else, including trailing text, is an error.
     */
    static Object parseJson(String text) {
        JsonParser p = new JsonParser(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("trailing text");
        return v;
    }

    private static final class JsonParser {
        private final String s;
        private int pos;

        JsonParser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String message) {
            int line = 1, col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') { line++; col = 1; } else col++;
            }
            return new IllegalArgumentException("JSON " + line + ":" + col + ": " + message);
        }

        void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
        }

        char peek() {
            if (pos >= s.length()) throw error("unexpected end");
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        Object value() {
            skipSpace();
            char c = peek();
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected '" + c + "'");
            }
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("expected " + word);
            pos += word.length();
            return v;
        }

        Map<String, Object> object() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') { pos++; return m; }
            while (true) {
                skipSpace();
                if (peek() != '"') throw error("expected a key");
                int at = pos;
                String key = string();
                skipSpace();
                expect(':');
                Object v = value();
                if (m.containsKey(key)) { pos = at; throw error("duplicate key \"" + key + "\""); }
                m.put(key, v);
                skipSpace();
                if (peek() == ',') { pos++; continue; }
                expect('}');
                return m;
            }
        }

        List<Object> array() {
            expect('[');
            List<Object> l = new ArrayList<>();
            skipSpace();
            if (peek() == ']') { pos++; return l; }
            while (true) {
                l.add(value());
                skipSpace();
                if (peek() == ',') { pos++; continue; }
                expect(']');
                return l;
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') return b.toString();
                if (c < 0x20) { pos--; throw error("control character in string"); }
                if (c != '\\') { b.append(c); continue; }
                char e = peek();
                pos++;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw error("short \\u escape");
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos++), 16);
                            if (d < 0) throw error("bad \\u escape");
                            code = code * 16 + d;
                        }
                        b.append((char) code);
                    }
                    default -> { pos--; throw error("bad escape \\" + e); }
                }
            }
        }

        Num number() {
            int start = pos;
            if (peek() == '-') pos++;
            if (peek() == '0') pos++;
            else digits();
            if (pos < s.length() && s.charAt(pos) == '.') { pos++; digits(); }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (peek() == '+' || peek() == '-') pos++;
                digits();
            }
            return new Num(s.substring(start, pos));
        }

        void digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            if (pos == start) throw error("expected a digit");
        }
    }
}
