package io.github.rnnc.generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.testing.GeneratedClasses;
import io.github.rnnc.testing.GeneratedNetwork;
import io.github.rnnc.testing.Tolerance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated {@code trainStep} (gradients, {@code clip_value}, {@code clip_norm}, one update by the spec's
 * optimizer) reproduces PyTorch's {@code clip_grad_value_}, {@code clip_grad_norm_} and {@code torch.optim.SGD} (with
 * momentum), {@code Adam} and {@code RMSprop}: for every fixture of {@code fixtures/optimizers} (written by
 * {@code src/test/python/make_optimizer_fixtures.py}, which documents the semantics), on both backends ({@code F32}),
 * three {@code trainStep}s from the fixture's initial parameters return the reference losses (within {@value #TOLERANCE}
 * times {@code max(1, |loss|)}) and leave every parameter within {@value #TOLERANCE} of the reference after each step,
 * relative to the tensor's magnitude ({@code |a - b| <= tol * max(1, max|reference|)}). Adam's and RMSprop's first
 * updates move almost every weight by about {@code lr} (or {@code lr / sqrt(1 - rho)}), and {@code clip_value}'s by
 * exactly {@code lr * v}, far more than the tolerance, so a wrong formula cannot pass.
 *
 * <p>Then {@code resetOptimizer()} and the initial parameters again: the next {@code trainStep} must be the first one
 * once more (moments and step count forgotten, as a fresh {@code torch.optim} optimizer).
 */
class OptimizerParityTest {
    static final double TOLERANCE = 1e-5;
    static final Path DIRECTORY = Paths.get("src", "test", "resources", "fixtures", "optimizers");

    @TempDir
    static Path directory;

    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------ the fixture format

    /** A named tensor in PyTorch {@code state_dict} order; {@code values} row-major. */
    record Tensor(String name, int[] shape, float[] values) {
    }

    /** One trainStep: the loss it returns (before its update) and every parameter after the update. */
    record Update(float loss, List<Tensor> parameters) {
    }

    /** One case of {@code fixtures/optimizers/<name>.json}; exactly one of {@code labels}, {@code targets} is set. */
    record Fixture(String name, String description, String spec, int batch, int steps, int inputSize, int[] lengths,
            float[] x, String loss, int[] labels, float[] targets, List<Tensor> parameters, List<Update> updates) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Set<String> KEYS = Set.of("name", "description", "spec", "batch", "steps", "input_size",
            "lengths", "x", "loss", "labels", "targets", "parameters", "updates");

    static Path fixtureDirectory() {
        String base = System.getProperty("basedir");
        return base == null ? DIRECTORY : Paths.get(base).resolve(DIRECTORY);
    }

    static List<Path> fixtureFiles() {
        try (Stream<Path> files = Files.list(fixtureDirectory())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + fixtureDirectory().toAbsolutePath(), e);
        }
    }

    static Fixture fixture(String name) {
        return FIXTURES.computeIfAbsent(name, n -> load(fixtureDirectory().resolve(n + ".json")));
    }

    static Fixture load(Path file) {
        try {
            return fromJson(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Fixture fromJson(Object root) {
        Map<String, Object> o = (Map<String, Object>) root;
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key \"" + key + "\"");
            }
        }
        List<Update> updates = new ArrayList<>();
        for (Object u : (List<Object>) req(o, "updates")) {
            Map<String, Object> update = (Map<String, Object>) u;
            if (!update.keySet().equals(Set.of("loss", "parameters"))) {
                throw new IllegalArgumentException("update keys " + update.keySet());
            }
            updates.add(new Update(Float.parseFloat(((Json.Num) req(update, "loss")).text()),
                    tensors(req(update, "parameters"))));
        }
        Fixture f = new Fixture((String) req(o, "name"), (String) req(o, "description"), (String) req(o, "spec"),
                integer(req(o, "batch")), integer(req(o, "steps")), integer(req(o, "input_size")),
                o.get("lengths") == null ? null : ints(o.get("lengths")), floats(req(o, "x")),
                (String) req(o, "loss"), o.get("labels") == null ? null : ints(o.get("labels")),
                o.get("targets") == null ? null : floats(o.get("targets")), tensors(req(o, "parameters")),
                Collections.unmodifiableList(updates));
        if ((f.labels() == null) == (f.targets() == null)) {
            throw new IllegalArgumentException("exactly one of labels and targets must be given");
        }
        if (f.x().length != f.batch() * f.steps() * f.inputSize()) {
            throw new IllegalArgumentException("x has " + f.x().length + " values");
        }
        return f;
    }

    private static Object req(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing \"" + key + "\"");
        }
        return v;
    }

    private static int integer(Object v) {
        return Integer.parseInt(((Json.Num) v).text());
    }

    private static int[] ints(Object v) {
        List<?> l = (List<?>) v;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = integer(l.get(i));
        }
        return a;
    }

    private static float[] floats(Object v) {
        List<?> l = (List<?>) v;
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.parseFloat(((Json.Num) l.get(i)).text());
        }
        return a;
    }

    @SuppressWarnings("unchecked")
    private static List<Tensor> tensors(Object v) {
        List<Tensor> out = new ArrayList<>();
        for (Object e : (List<Object>) v) {
            Map<String, Object> t = (Map<String, Object>) e;
            if (!t.keySet().equals(Set.of("name", "shape", "values"))) {
                throw new IllegalArgumentException("tensor keys " + t.keySet());
            }
            Tensor tensor = new Tensor((String) req(t, "name"), ints(req(t, "shape")), floats(req(t, "values")));
            int size = 1;
            for (int d : tensor.shape()) {
                size *= d;
            }
            if (size != tensor.values().length) {
                throw new IllegalArgumentException(tensor.name() + ": " + tensor.values().length + " values for shape "
                        + java.util.Arrays.toString(tensor.shape()));
            }
            out.add(tensor);
        }
        return Collections.unmodifiableList(out);
    }

    // ------------------------------------------------------------------ the tests

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Path file : fixtureFiles()) {
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            for (Backend backend : Backend.values()) {
                cases.add(Arguments.of(name, backend));
            }
        }
        return cases.stream();
    }

    @Test
    void fixturesArePresentAndWellFormed() {
        List<Path> files = fixtureFiles();
        assertFalse(files.isEmpty(), "no fixtures in " + fixtureDirectory().toAbsolutePath()
                + "; run src/test/python/make_optimizer_fixtures.py");
        for (Path file : files) {
            Fixture f = fixture(file.getFileName().toString().replaceFirst("\\.json$", ""));
            assertEquals(file.getFileName().toString(), f.name() + ".json", "fixture name");
            assertEquals(3, f.updates().size(), f.name() + ": updates");
            for (Update u : f.updates()) {
                List<String> names = new ArrayList<>();
                u.parameters().forEach(t -> names.add(t.name()));
                List<String> initial = new ArrayList<>();
                f.parameters().forEach(t -> initial.add(t.name()));
                assertEquals(initial, names, f.name() + ": parameter names of an update");
            }
            assertTrue(f.spec().contains("optimizer = "), f.name() + ": spec has an optimizer");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void trainStepMatchesPyTorch(String fixtureName, Backend backend) throws Throwable {
        Fixture f = fixture(fixtureName);
        CompileRequest.Options options = GeneratedClasses.options(backend, Precision.F32);
        GeneratedClasses.Network network = GeneratedClasses.compile(directory, f.name() + ".rnn", f.spec(), options);
        GeneratedNetwork net = network.instantiate(f.batch(), f.steps());
        String context = "optimizer fixture " + f.name() + " (" + backend + ", F32)";

        List<String> expectedNames = new ArrayList<>();
        f.parameters().forEach(t -> expectedNames.add(t.name()));
        List<String> names = new ArrayList<>();
        net.parameterList().forEach(p -> names.add(p.name()));
        assertEquals(expectedNames, names, context + ": PARAMETERS names in layout order");
        for (Tensor t : f.parameters()) {
            assertArrayEquals(t.shape(), net.parameterInfo(t.name()).shape(), context + ": shape of " + t.name());
        }

        MethodHandle trainStep = trainStep(net, f);
        Object x = net.toNative(Tolerance.toDouble(f.x()));
        Object labelsOrTargets = f.labels() != null ? f.labels() : net.toNative(Tolerance.toDouble(f.targets()));

        setParameters(net, f.parameters());
        for (int step = 1; step <= f.updates().size(); step++) {
            double loss = call(trainStep, net, x, labelsOrTargets, f);
            compare(context + ", trainStep " + step + " of " + f.updates().size(), f.updates().get(step - 1), loss,
                    net);
        }

        // resetOptimizer forgets the moments and the step count: from the initial parameters, the next trainStep is
        // the first one again.
        MethodHandle reset = MethodHandles.publicLookup().findVirtual(net.type(), "resetOptimizer",
                MethodType.methodType(void.class));
        reset.invoke(net.instance());
        setParameters(net, f.parameters());
        double loss = call(trainStep, net, x, labelsOrTargets, f);
        compare(context + ", trainStep 1 again after resetOptimizer()", f.updates().get(0), loss, net);
    }

    private static void setParameters(GeneratedNetwork net, List<Tensor> parameters) {
        for (Tensor t : parameters) {
            net.setParameter(t.name(), t.values());
        }
    }

    private static void compare(String context, Update expected, double loss, GeneratedNetwork net) {
        Tolerance.assertClose(context, "loss returned by trainStep", expected.loss(), loss, TOLERANCE);
        for (Tensor t : expected.parameters()) {
            Tolerance.assertClose(context, "parameter " + t.name() + " after the update",
                    Tolerance.toDouble(t.values()), net.parameter(t.name()), t.values().length, TOLERANCE, i -> true,
                    i -> Tolerance.multiIndex(i, t.shape()));
        }
    }

    /**
     * {@code T trainStep(T[] x, int[] labels | T[] targets, int batch, int steps[, int[] lengths])} of the generated
     * class, the overload with lengths when the fixture has them.
     */
    private static MethodHandle trainStep(GeneratedNetwork net, Fixture f) {
        Class<?> array = net.isDouble() ? double[].class : float[].class;
        Class<?> scalar = net.isDouble() ? double.class : float.class;
        List<Class<?>> parameterTypes = new ArrayList<>(List.of(array, f.labels() != null ? int[].class : array,
                int.class, int.class));
        if (f.lengths() != null) {
            parameterTypes.add(int[].class);
        }
        MethodType type = MethodType.methodType(scalar, parameterTypes);
        try {
            return MethodHandles.publicLookup().findVirtual(net.type(), "trainStep", type);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new AssertionError(net.type().getName() + " lacks the public method trainStep" + type, e);
        }
    }

    private static double call(MethodHandle trainStep, GeneratedNetwork net, Object x, Object labelsOrTargets,
            Fixture f) throws Throwable {
        Object result = f.lengths() == null
                ? trainStep.invoke(net.instance(), x, labelsOrTargets, f.batch(), f.steps())
                : trainStep.invoke(net.instance(), x, labelsOrTargets, f.batch(), f.steps(), f.lengths().clone());
        return ((Number) result).doubleValue();
    }

    // ------------------------------------------------------------------ strict JSON

    /** A small strict JSON (RFC 8259) reader: objects, arrays, strings, numbers (as text), literals. */
    static final class Json {
        /** A number, kept as its text so it is read as a float or an int without double rounding. */
        record Num(String text) {
        }

        private final String s;
        private int pos;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            Object v = p.value();
            p.skipSpace();
            if (p.pos != text.length()) {
                throw p.error("trailing text");
            }
            return v;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException("JSON at offset " + pos + ": " + message);
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected '" + c + "'");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return v;
        }

        private Map<String, Object> object() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a key");
                }
                String key = string();
                skipSpace();
                expect(':');
                Object v = value();
                if (m.containsKey(key)) {
                    throw error("duplicate key \"" + key + "\"");
                }
                m.put(key, v);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            expect('[');
            List<Object> l = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                l.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return l;
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
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
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Num number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else {
                digits();
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                digits();
            }
            return new Num(s.substring(start, pos));
        }

        private void digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == start) {
                throw error("expected a digit");
            }
        }
    }
}
