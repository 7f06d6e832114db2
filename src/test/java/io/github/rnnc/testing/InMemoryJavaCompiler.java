package io.github.rnnc.testing;

import io.github.rnnc.GeneratedSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources with {@code javax.tools}, entirely in memory, and loads the result in a fresh class
 * loader whose parent is the test class loader.
 *
 * <p>Options: {@code --release 17 --add-modules jdk.incubator.vector -Xlint:none -proc:none}, or a later release for
 * classes that need one (packed weights in memory segments: 22). The class path is
 * deliberately <em>empty</em>: generated classes must compile against the JDK alone (users compile them without
 * rnnc on their class path), so a stray dependency on compiler or test classes is a compile error here.
 *
 * <p>On compile errors the {@link AssertionError} names every diagnostic and then prints the numbered source of
 * each file that has errors (the whole file up to {@value #FULL_LISTING_LINES} lines, else windows of
 * {@value #CONTEXT_LINES} lines around each error).
 */
public final class InMemoryJavaCompiler {
    public static final List<String> OPTIONS = options(17);

    /** The release of the classes that keep their packed weights in memory segments (final in JDK 22). */
    public static final int SEGMENT_RELEASE = 22;

    private static List<String> options(int release) {
        return List.of("--release", String.valueOf(release), "--add-modules", "jdk.incubator.vector", "-Xlint:none",
                "-proc:none");
    }

    static final int FULL_LISTING_LINES = 4000;
    static final int CONTEXT_LINES = 15;

    private InMemoryJavaCompiler() {
    }

    /** The output of one compilation: class files by binary name, and a class loader that defines them. */
    public static final class Compiled {
        private final Map<String, byte[]> classFiles;
        private final MemoryClassLoader loader;
        private final List<String> warnings;

        Compiled(Map<String, byte[]> classFiles, List<String> warnings) {
            this.classFiles = Collections.unmodifiableMap(new TreeMap<>(classFiles));
            this.loader = new MemoryClassLoader(this.classFiles, InMemoryJavaCompiler.class.getClassLoader());
            this.warnings = List.copyOf(warnings);
        }

        /** Every class file, keyed by binary name ({@code a.b.Net}, {@code a.b.Net$Parameter}), sorted. */
        public Map<String, byte[]> classFiles() {
            return classFiles;
        }

        /** The bytes of one class file. */
        public byte[] classFile(String binaryName) {
            byte[] bytes = classFiles.get(binaryName);
            if (bytes == null) {
                throw new AssertionError("no class file " + binaryName + "; compiled: " + classFiles.keySet());
            }
            return bytes.clone();
        }

        /** Loads (and links) a compiled class by binary name. */
        public Class<?> load(String binaryName) {
            if (!classFiles.containsKey(binaryName)) {
                throw new AssertionError("no class " + binaryName + " was compiled; compiled: " + classFiles.keySet());
            }
            try {
                return Class.forName(binaryName, true, loader);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("cannot load " + binaryName, e);
            }
        }

        /** Loads the top-level class of every source, by qualified name. */
        public Map<String, Class<?>> loadAll(List<GeneratedSource> sources) {
            Map<String, Class<?>> classes = new LinkedHashMap<>();
            for (GeneratedSource source : sources) {
                classes.put(source.qualifiedName(), load(source.qualifiedName()));
            }
            return classes;
        }

        public ClassLoader classLoader() {
            return loader;
        }

        /** javac's warnings and notes (there should be none with {@code -Xlint:none}, but notes still appear). */
        public List<String> warnings() {
            return warnings;
        }
    }

    /** javac and its file manager, shared (opening the platform classes is the slow part of a small compile). */
    private static JavaCompiler javac;
    private static StandardJavaFileManager standardFileManager;

    /** Compiles {@code sources} together; fails with the diagnostics and the numbered sources on any error. */
    public static Compiled compile(List<GeneratedSource> sources) {
        return compile(sources, 17);
    }

    /** Compiles {@code sources} together for a Java {@code release}. */
    public static synchronized Compiled compile(List<GeneratedSource> sources, int release) {
        List<String> options = options(release);
        if (sources.isEmpty()) {
            throw new AssertionError("nothing to compile: no generated sources");
        }
        if (javac == null) {
            javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new AssertionError("no system Java compiler: the tests must run on a JDK, not a JRE");
            }
            standardFileManager = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
            try {
                standardFileManager.setLocation(StandardLocation.CLASS_PATH, List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, GeneratedSource> byUri = new LinkedHashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (GeneratedSource source : sources) {
            SourceFile file = new SourceFile(source);
            if (byUri.put(file.toUri().toString(), source) != null) {
                throw new AssertionError("two generated sources for " + source.qualifiedName());
            }
            units.add(file);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> outputs = new LinkedHashMap<>();
        StringWriter javacOutput = new StringWriter();
        JavaFileManager manager = new MemoryFileManager(standardFileManager, outputs);
        Boolean ok = javac.getTask(javacOutput, manager, diagnostics, options, null, units).call();
        List<String> warnings = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                warnings.add(describe(d));
            }
        }
        if (!Boolean.TRUE.equals(ok) || diagnostics.getDiagnostics().stream()
                .anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR)) {
            List<Message> messages = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                messages.add(new Message(d.getSource() == null ? null : d.getSource().toUri().toString(),
                        d.getKind() == Diagnostic.Kind.ERROR, d.getLineNumber(), describe(d)));
            }
            throw new CompilationFailure(sources, messages, javacOutput.toString(), options);
        }
        Map<String, byte[]> classFiles = new LinkedHashMap<>();
        outputs.forEach((name, bytes) -> classFiles.put(name, bytes.toByteArray()));
        return new Compiled(classFiles, warnings);
    }

    // ------------------------------------------------------------------ failure report

    /** One javac diagnostic: the source's URI (null for none), whether it is an error, its line and its text. */
    private record Message(String uri, boolean error, long line, String text) {
    }

    /**
     * javac rejected the sources. The message lists every diagnostic and the numbered sources with errors;
     * {@link #failingSources()} and {@link #reportFor} let a caller that compiled many specs at once attribute the
     * errors to each spec.
     */
    public static final class CompilationFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        private final transient List<GeneratedSource> sources;
        private final transient List<Message> messages;
        private final String javacOutput;
        private final List<String> options;

        CompilationFailure(List<GeneratedSource> sources, List<Message> messages, String javacOutput,
                List<String> options) {
            super(report(sources, messages, javacOutput, options));
            this.sources = List.copyOf(sources);
            this.messages = List.copyOf(messages);
            this.javacOutput = javacOutput;
            this.options = List.copyOf(options);
        }

        /**
         * Qualified names of the sources with errors; empty when some error has no source (then no source can be
         * declared innocent).
         */
        public java.util.Set<String> failingSources() {
            java.util.Set<String> failing = new java.util.LinkedHashSet<>();
            for (Message m : messages) {
                if (!m.error()) {
                    continue;
                }
                if (m.uri() == null) {
                    return java.util.Set.of();
                }
                for (GeneratedSource source : sources) {
                    if (new SourceFile(source).toUri().toString().equals(m.uri())) {
                        failing.add(source.qualifiedName());
                    }
                }
            }
            return failing;
        }

        /** The report restricted to the diagnostics of {@code subset}. */
        public String reportFor(java.util.Collection<GeneratedSource> subset) {
            java.util.Set<String> uris = new java.util.HashSet<>();
            subset.forEach(source -> uris.add(new SourceFile(source).toUri().toString()));
            List<Message> own = new ArrayList<>();
            for (Message m : messages) {
                if (m.uri() == null || uris.contains(m.uri())) {
                    own.add(m);
                }
            }
            return report(List.copyOf(subset), own, javacOutput, options);
        }
    }

    private static String report(List<GeneratedSource> sources, List<Message> messages, String javacOutput,
            List<String> options) {
        StringBuilder out = new StringBuilder("generated code does not compile (javac ")
                .append(String.join(" ", options)).append("):\n");
        Map<String, GeneratedSource> byUri = new LinkedHashMap<>();
        for (GeneratedSource source : sources) {
            byUri.put(new SourceFile(source).toUri().toString(), source);
        }
        Map<String, TreeSet<Long>> errorLines = new LinkedHashMap<>();
        for (Message m : messages) {
            out.append(m.text()).append('\n');
            if (m.error() && m.uri() != null && m.line() > 0) {
                errorLines.computeIfAbsent(m.uri(), k -> new TreeSet<>()).add(m.line());
            }
        }
        if (!javacOutput.isBlank()) {
            out.append(javacOutput).append('\n');
        }
        if (errorLines.isEmpty()) {
            // An error without a position: show every source.
            for (String uri : byUri.keySet()) {
                errorLines.put(uri, new TreeSet<>());
            }
        }
        for (Map.Entry<String, TreeSet<Long>> entry : errorLines.entrySet()) {
            GeneratedSource source = byUri.get(entry.getKey());
            if (source == null) {
                continue;
            }
            out.append("\n----- ").append(source.relativePath()).append('\n');
            out.append(numbered(source.code(), entry.getValue()));
        }
        return out.toString();
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d) {
        String where = d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ":"
                + d.getColumnNumber() + ": ";
        return where + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + d.getMessage(Locale.ROOT);
    }

    /** The source with 1-based line numbers; long sources only around {@code marked} lines. */
    static String numbered(String code, java.util.NavigableSet<Long> marked) {
        String[] lines = code.split("\n", -1);
        int width = String.valueOf(lines.length).length();
        boolean full = lines.length <= FULL_LISTING_LINES || marked.isEmpty();
        StringBuilder out = new StringBuilder();
        int lastPrinted = 0;
        for (int i = 1; i <= lines.length; i++) {
            boolean show = full;
            if (!full) {
                Long below = marked.floor((long) i + CONTEXT_LINES);
                show = below != null && Math.abs(below - i) <= CONTEXT_LINES;
            }
            if (!show) {
                continue;
            }
            if (i != lastPrinted + 1) {
                out.append("... (lines ").append(lastPrinted + 1).append('-').append(i - 1).append(" not shown)\n");
            }
            out.append(marked.contains((long) i) ? ">" : " ")
                    .append(String.format(Locale.ROOT, "%" + width + "d| ", i)).append(lines[i - 1]).append('\n');
            lastPrinted = i;
        }
        if (lastPrinted < lines.length) {
            out.append("... (lines ").append(lastPrinted + 1).append('-').append(lines.length).append(" not shown)\n");
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ javax.tools plumbing

    private static final class SourceFile extends SimpleJavaFileObject {
        private final String code;

        SourceFile(GeneratedSource source) {
            super(URI.create("string:///" + source.relativePath()), Kind.SOURCE);
            this.code = source.code();
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    private static final class ClassOutput extends SimpleJavaFileObject {
        private final ByteArrayOutputStream bytes;

        ClassOutput(String binaryName, ByteArrayOutputStream bytes) {
            super(URI.create("mem:///" + binaryName.replace('.', '/') + ".class"), Kind.CLASS);
            this.bytes = bytes;
        }

        @Override
        public OutputStream openOutputStream() {
            bytes.reset();
            return bytes;
        }
    }

    private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, ByteArrayOutputStream> outputs;

        MemoryFileManager(StandardJavaFileManager standard, Map<String, ByteArrayOutputStream> outputs) {
            super(standard);
            this.outputs = outputs;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                FileObject sibling) throws IOException {
            if (kind != JavaFileObject.Kind.CLASS) {
                return super.getJavaFileForOutput(location, className, kind, sibling);
            }
            ByteArrayOutputStream bytes = outputs.computeIfAbsent(className, k -> new ByteArrayOutputStream());
            return new ClassOutput(className, bytes);
        }
    }

    /** Defines the compiled classes on demand; everything else goes to the parent (the test class loader). */
    private static final class MemoryClassLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> classFiles;

        MemoryClassLoader(Map<String, byte[]> classFiles, ClassLoader parent) {
            super("rnnc-generated", parent);
            this.classFiles = classFiles;
        }

        /** Child first for the compiled names, so that a same-named class on the test class path cannot win. */
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!classFiles.containsKey(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> type = findLoadedClass(name);
                if (type == null) {
                    type = findClass(name);
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classFiles.get(name);
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
