package io.github.rnnc.testing;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileRequest.Backend;
import io.github.rnnc.CompileRequest.PackedWeights;
import io.github.rnnc.CompileRequest.Precision;
import io.github.rnnc.CompileResult;
import io.github.rnnc.GeneratedSource;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.passes.DerivativeTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spec text to a loaded generated class: rnnc generates the sources, {@link InMemoryJavaCompiler} compiles and loads
 * them. Results are cached for the whole test run by (spec text, backend, precision) when the options use the
 * standard derivative table of {@link #options}, so every test class shares one compilation per spec.
 */
public final class GeneratedClasses {
    /** The one standard table the cache recognizes; options built elsewhere are compiled every time. */
    public static final DerivativeTable STANDARD_DERIVATIVES = DerivativeTable.standard();

    /** Compiled networks, or the failure of compiling them, by {@link #key}. */
    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    /** A spec to write to a file and compile. */
    public record Spec(String fileName, String text) {
    }

    private GeneratedClasses() {
    }

    /** A compiled network class and what the compiler knew about it. */
    public record Network(String specText, CompileRequest.Options options, NetworkIr ir,
            List<GeneratedSource> sources, InMemoryJavaCompiler.Compiled compiled, Class<?> type) {
        /** Whether the forward output is one vector per step ({@code [batch][steps][out]}). */
        public boolean sequenceOutput() {
            List<NetworkIr.Layer> layers = ir.layers();
            return layers.get(layers.size() - 1).sequenceOutput();
        }

        public NetworkIr.Loss loss() {
            return ir.training().orElseThrow(() -> new AssertionError(ir.className() + " has no train block"))
                    .loss();
        }

        public OptionalInt fixedSteps() {
            return ir.fixedSteps();
        }

        public String qualifiedName() {
            return GeneratedClasses.qualifiedName(ir);
        }

        /**
         * The class files of this network's own sources (top-level and nested classes), by binary name; the
         * compilation may have been shared with other specs.
         */
        public Map<String, byte[]> classFiles() {
            Map<String, byte[]> own = new java.util.TreeMap<>();
            compiled.classFiles().forEach((name, bytes) -> {
                for (GeneratedSource source : sources) {
                    String top = source.qualifiedName();
                    if (name.equals(top) || name.startsWith(top + "$")) {
                        own.put(name, bytes);
                    }
                }
            });
            return own;
        }

        public GeneratedNetwork instantiate(int maxBatch, int maxSteps) {
            return GeneratedNetwork.create(type, maxBatch, maxSteps, sequenceOutput());
        }
    }

    /**
     * The code a spec is checked in: the scalar backend and the vector backend at each width. The 512-bit code has
     * its own tails and panel widths (16 floats a vector); on a machine without AVX-512 the JDK runs it in plain
     * Java, slower but with the same results. The segment variants keep their packed weights in memory segments,
     * which need JDK 22 or later: {@link #available()} leaves them out on older JVMs.
     */
    public enum Variant {
        SCALAR(Backend.SCALAR, 256, PackedWeights.ARRAY), VECTOR(Backend.VECTOR, 256, PackedWeights.ARRAY),
        VECTOR_512(Backend.VECTOR, 512, PackedWeights.ARRAY), SEGMENT(Backend.VECTOR, 256, PackedWeights.SEGMENT),
        SEGMENT_512(Backend.VECTOR, 512, PackedWeights.SEGMENT);

        private final Backend backend;
        private final int vectorBits;
        private final PackedWeights packedWeights;

        Variant(Backend backend, int vectorBits, PackedWeights packedWeights) {
            this.backend = backend;
            this.vectorBits = vectorBits;
            this.packedWeights = packedWeights;
        }

        public CompileRequest.Options options(Precision precision) {
            return GeneratedClasses.options(backend, precision).withVectorBits(vectorBits).with(packedWeights);
        }

        /** Whether this JVM compiles and runs the variant's classes. */
        public boolean runsHere() {
            return packedWeights == PackedWeights.ARRAY || segmentsRunHere();
        }

        /** The variants this JVM runs, in declaration order. */
        public static List<Variant> available() {
            return java.util.Arrays.stream(values()).filter(Variant::runsHere).toList();
        }
    }

    /** Whether this JVM compiles and runs classes with packed weights in memory segments (JDK 22 or later). */
    public static boolean segmentsRunHere() {
        return Runtime.version().feature() >= InMemoryJavaCompiler.SEGMENT_RELEASE;
    }

    /** The Java release the generated classes compile for: 17, or 22 for packed weights in memory segments. */
    public static int release(CompileRequest.Options options) {
        return options.packedWeights() == CompileRequest.PackedWeights.SEGMENT ? InMemoryJavaCompiler.SEGMENT_RELEASE
                : 17;
    }

    public static CompileRequest.Options options(Backend backend, Precision precision) {
        return new CompileRequest.Options(backend, precision, STANDARD_DERIVATIVES);
    }

    /** Writes {@code specText} to {@code directory/fileName} and compiles its single network (cached). */
    public static Network compile(Path directory, String fileName, String specText, CompileRequest.Options options) {
        String key = key(specText, options);
        Network cached = cached(key);
        if (cached != null) {
            return cached;
        }
        return remember(key, () -> compileFile(write(directory, fileName, specText), specText, options));
    }

    /** Compiles a spec that already is a file (e.g. a contract example), cached by its text. */
    public static Network compile(Path specFile, CompileRequest.Options options) {
        String text = read(specFile);
        String key = key(text, options);
        Network cached = cached(key);
        if (cached != null) {
            return cached;
        }
        return remember(key, () -> compileFile(specFile, text, options));
    }

    /** Compiles, and caches the network or the failure (when there is a key). */
    private static Network remember(String key, java.util.function.Supplier<Network> compile) {
        try {
            Network network = compile.get();
            if (key != null) {
                CACHE.putIfAbsent(key, network);
            }
            return network;
        } catch (AssertionError | RuntimeException | LinkageError e) {
            if (key != null) {
                CACHE.putIfAbsent(key, asAssertion(e));
            }
            throw e;
        }
    }

    /** {@link #precompile(Path, List, CompileRequest.Options)} of specs by name (file {@code name.rnn}), on both backends. */
    public static void precompile(Path directory, Map<String, String> specsByName, Precision precision) {
        List<Spec> specs = new ArrayList<>();
        specsByName.forEach((name, text) -> specs.add(new Spec(name + ".rnn", text)));
        for (Backend backend : Backend.values()) {
            precompile(directory, specs, options(backend, precision));
        }
    }

    /**
     * Compiles many specs at once to save time: rnnc runs per spec, then javac runs once for all generated sources
     * (in as few batches as unique class names allow). The results, and the failures, go to the cache, where
     * {@link #compile(Path, String, String, CompileRequest.Options)} finds them; nothing is thrown here. When a
     * batch does not compile, each spec with errors gets its own part of javac's report and the others are compiled
     * again, so that a failure is reported against its own spec and does not take the others down.
     * Only for options from {@link #options} (others are not cached).
     */
    public static void precompile(Path directory, List<Spec> specs, CompileRequest.Options options) {
        if (options.derivatives() != STANDARD_DERIVATIVES) {
            throw new IllegalArgumentException("precompile caches; use GeneratedClasses.options(...)");
        }
        List<Generated> pending = new ArrayList<>();
        for (Spec spec : specs) {
            String key = key(spec.text(), options);
            if (CACHE.containsKey(key)) {
                continue;
            }
            try {
                Path file = write(directory, spec.fileName(), spec.text());
                CompileResult result = generate(file, options);
                pending.add(new Generated(key, file, spec.text(), result, singleNetwork(file, result)));
            } catch (AssertionError | RuntimeException e) {
                CACHE.putIfAbsent(key, asAssertion(e));
            }
        }
        // Batches in which no qualified class name repeats.
        List<List<Generated>> batches = new ArrayList<>();
        for (Generated g : pending) {
            List<Generated> home = null;
            for (List<Generated> batch : batches) {
                if (batch.stream().noneMatch(other -> overlaps(other, g))) {
                    home = batch;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                batches.add(home);
            }
            home.add(g);
        }
        for (List<Generated> batch : batches) {
            compileBatch(batch, options);
        }
    }

    /**
     * One javac run for the whole batch. When it fails, the specs whose sources have errors get their own part of
     * the report and the rest is compiled again (again as one batch); errors that no source can be blamed for make
     * every spec of the batch compile on its own.
     */
    private static void compileBatch(List<Generated> batch, CompileRequest.Options options) {
        List<Generated> remaining = new ArrayList<>(batch);
        while (!remaining.isEmpty()) {
            List<GeneratedSource> sources = new ArrayList<>();
            remaining.forEach(g -> sources.addAll(g.result().sources()));
            InMemoryJavaCompiler.Compiled compiled;
            try {
                compiled = InMemoryJavaCompiler.compile(sources, release(options));
            } catch (InMemoryJavaCompiler.CompilationFailure failure) {
                java.util.Set<String> failing = failure.failingSources();
                List<Generated> guilty = new ArrayList<>();
                for (Generated g : remaining) {
                    if (g.result().sources().stream().anyMatch(s -> failing.contains(s.qualifiedName()))) {
                        guilty.add(g);
                    }
                }
                if (guilty.isEmpty()) {
                    remaining.forEach(g -> compileAlone(g, options));
                    return;
                }
                for (Generated g : guilty) {
                    CACHE.putIfAbsent(g.key(), new AssertionError(failure.reportFor(g.result().sources())));
                }
                remaining.removeAll(guilty);
                continue;
            } catch (AssertionError | RuntimeException e) {
                remaining.forEach(g -> compileAlone(g, options));
                return;
            }
            for (Generated g : remaining) {
                try {
                    CACHE.putIfAbsent(g.key(), network(g, options, compiled));
                } catch (AssertionError | RuntimeException | LinkageError e) {
                    CACHE.putIfAbsent(g.key(), asAssertion(e));
                }
            }
            return;
        }
    }

    private static void compileAlone(Generated g, CompileRequest.Options options) {
        try {
            CACHE.putIfAbsent(g.key(), network(g, options,
                    InMemoryJavaCompiler.compile(g.result().sources(), release(options))));
        } catch (AssertionError | RuntimeException | LinkageError e) {
            CACHE.putIfAbsent(g.key(), asAssertion(e));
        }
    }

    private record Generated(String key, Path file, String text, CompileResult result, NetworkIr ir) {
    }

    private static boolean overlaps(Generated a, Generated b) {
        for (GeneratedSource s : a.result().sources()) {
            for (GeneratedSource t : b.result().sources()) {
                if (s.qualifiedName().equals(t.qualifiedName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Network network(Generated g, CompileRequest.Options options, InMemoryJavaCompiler.Compiled compiled) {
        return new Network(g.text(), options, g.ir(), g.result().sources(), compiled,
                compiled.load(qualifiedName(g.ir())));
    }

    private static AssertionError asAssertion(Throwable t) {
        return t instanceof AssertionError a ? a : new AssertionError(t.toString(), t);
    }

    private static String key(String specText, CompileRequest.Options options) {
        return options.derivatives() == STANDARD_DERIVATIVES
                ? options.backend() + "/" + options.vectorBits() + "/" + options.precision() + "/"
                        + options.packedWeights() + "\n@@\n" + specText
                : null;
    }

    private static Network cached(String key) {
        if (key == null) {
            return null;
        }
        Object value = CACHE.get(key);
        if (value instanceof AssertionError failure) {
            throw new AssertionError(failure.getMessage(), failure);
        }
        return (Network) value;
    }

    private static Path write(Path directory, String fileName, String specText) {
        Path file = directory.resolve(fileName);
        try {
            Files.createDirectories(directory);
            Files.writeString(file, specText, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Runs rnnc to {@link CompileRequest.Goal#GENERATE}; fails with rendered diagnostics on errors or no output. */
    public static CompileResult generate(Path specFile, CompileRequest.Options options) {
        CompileResult result;
        try {
            result = RnnCompiler.compile(CompileRequest.generate(List.of(specFile), options));
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("rnnc threw " + e + " generating " + specFile + " (" + options.backend() + ", "
                    + options.precision() + ")\n--- spec\n" + read(specFile), e);
        }
        if (result.hasErrors()) {
            throw new AssertionError("rnnc rejected " + specFile + ":\n" + DiagnosticPrinter.render(result.diagnostics())
                    + "\n--- spec\n" + read(specFile));
        }
        if (result.sources().isEmpty()) {
            throw new AssertionError("rnnc generated no sources for " + specFile + " (" + options.backend() + ", "
                    + options.precision() + "); is code generation implemented?");
        }
        return result;
    }

    /** Runs the checker only and returns its result (for spec generators that must produce valid specs). */
    public static CompileResult check(Path specFile) {
        return RnnCompiler.compile(CompileRequest.check(List.of(specFile)));
    }

    private static Network compileFile(Path file, String specText, CompileRequest.Options options) {
        CompileResult result = generate(file, options);
        NetworkIr ir = singleNetwork(file, result);
        InMemoryJavaCompiler.Compiled compiled = InMemoryJavaCompiler.compile(result.sources(), release(options));
        return new Network(specText, options, ir, result.sources(), compiled, compiled.load(qualifiedName(ir)));
    }

    private static NetworkIr singleNetwork(Path file, CompileResult result) {
        if (result.networks().size() != 1) {
            throw new AssertionError(file + ": expected exactly one network, got " + result.networks().size());
        }
        NetworkIr ir = result.networks().get(0);
        String qualified = qualifiedName(ir);
        List<String> names = new ArrayList<>();
        for (GeneratedSource s : result.sources()) {
            names.add(s.qualifiedName());
        }
        if (!names.contains(qualified)) {
            throw new AssertionError("no generated source for " + qualified + "; generated: " + names);
        }
        return ir;
    }

    static String qualifiedName(NetworkIr ir) {
        return ir.javaPackage().isEmpty() ? ir.className() : ir.javaPackage() + "." + ir.className();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
