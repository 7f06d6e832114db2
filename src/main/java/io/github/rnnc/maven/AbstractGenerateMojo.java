package io.github.rnnc.maven;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.lang.model.SourceVersion;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What {@code rnnc:generate} and {@code rnnc:generate-test} share: a thin adapter that turns the configuration
 * into an {@link IncrementalGeneration}, logs every diagnostic in the compiler's {@code file:line:col} format and
 * adds the output directory as a source root.
 */
abstract class AbstractGenerateMojo extends AbstractMojo {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    MojoExecution mojoExecution;

    /** Ant-style patterns of the specs to compile, relative to the source directory. Default: {@code **}{@code /*.rnn}. */
    @Parameter(property = "rnnc.includes")
    List<String> includes;

    /** Ant-style patterns of files below the source directory to leave alone. */
    @Parameter(property = "rnnc.excludes")
    List<String> excludes;

    /**
     * The Java package of the networks of specs without a {@code package} line. When not set, the package is the
     * spec's folder below the source directory ({@code src/main/rnn/com/example/tagger.rnn} gives
     * {@code com.example}), as the antlr4-maven-plugin does; specs at the top go to the unnamed package.
     */
    @Parameter(property = "rnnc.packageName")
    String packageName;

    /**
     * {@code vector} (Vector API kernels; the compiler and every JVM that runs the classes need
     * {@code --add-modules jdk.incubator.vector}) or {@code scalar} (plain Java, no flags).
     */
    @Parameter(property = "rnnc.backend", defaultValue = "vector")
    String backend;

    /**
     * Bits per vector of the {@code vector} backend: {@code 256} (any AVX2 machine) or {@code 512} (AVX-512 machines:
     * on others the JDK runs 512-bit vectors in plain Java, correct but far slower). Loop tails are resolved at
     * generation time, so the width is the generator's choice, not the running JVM's.
     */
    @Parameter(property = "rnnc.vectorBits", defaultValue = "256")
    int vectorBits;

    /**
     * Where the {@code vector} backend keeps its packed weights: {@code array} ({@code float[]} fields; the classes
     * compile with {@code --release 17}) or {@code segment} (64-byte-aligned off-heap {@code MemorySegment}s; the
     * classes need JDK 22 or later to compile and run, and read the weights faster on AVX-512 machines).
     */
    @Parameter(property = "rnnc.packedWeights", defaultValue = "array")
    String packedWeights;

    /** Skips the goal: nothing is generated and no source root is added. */
    @Parameter(property = "rnnc.skip", defaultValue = "false")
    boolean skip;

    /** Fails the build on warnings in specs, as on errors. */
    @Parameter(property = "rnnc.failOnWarning", defaultValue = "false")
    boolean failOnWarning;

    abstract File sourceDirectory();

    abstract File outputDirectory();

    abstract void addSourceRoot(String directory);

    /** "generate" or "generate-test": names the state file. */
    abstract String goal();

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Log log = getLog();
        if (skip) {
            log.info("rnnc: skipped (rnnc.skip)");
            return;
        }
        CompileRequest.Backend chosen = backend();
        int bits = vectorBits();
        CompileRequest.PackedWeights weights = packedWeights(chosen);
        Optional<String> defaultPackage = packageName();
        Path base = project.getBasedir().toPath();
        IncrementalGeneration.Settings settings = new IncrementalGeneration.Settings(base,
                sourceDirectory().toPath(), includes == null || includes.isEmpty() ? List.of("**/*.rnn") : includes,
                excludes == null ? List.of() : excludes, outputDirectory().toPath(), stateFile(), defaultPackage,
                CompileRequest.Options.defaults().with(chosen).withVectorBits(bits).with(weights), failOnWarning,
                fingerprint(chosen, bits, weights, defaultPackage, base));
        IncrementalGeneration.Outcome outcome;
        try {
            outcome = IncrementalGeneration.run(settings);
        } catch (IOException e) {
            throw new MojoExecutionException("rnnc: " + e, e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new MojoExecutionException("rnnc: internal compiler error: " + e
                    + "; this is a bug in rnnc, not in your spec: please report it with the spec", e);
        }
        report(outcome, log);
        if (outcome.failed()) {
            throw new MojoFailureException(outcome.errors() > 0
                    ? "rnnc: " + count(outcome.errors(), "error") + " in " + count(outcome.filesWithErrors(), "file")
                    : "rnnc: " + count(outcome.warnings(), "warning") + ", and failOnWarning is set");
        }
        addSourceRoot(outputDirectory().getAbsolutePath());
        summarize(outcome, log, base);
        if (chosen == CompileRequest.Backend.VECTOR && !outcome.specs().isEmpty() && !compilerAddsVectorModule()) {
            log.warn("rnnc: the generated classes use the Vector API, but maven-compiler-plugin is not configured "
                    + "with --add-modules " + VECTOR_MODULE + "; javac will not find the module. Add "
                    + "<compilerArgs><arg>--add-modules=" + VECTOR_MODULE + "</arg></compilerArgs> to "
                    + "maven-compiler-plugin and <argLine>--add-modules=" + VECTOR_MODULE + "</argLine> to "
                    + "maven-surefire-plugin, or use <backend>scalar</backend>");
        }
    }

    private static void report(IncrementalGeneration.Outcome outcome, Log log) {
        for (Diagnostic diagnostic : outcome.diagnostics()) {
            for (String line : DiagnosticPrinter.render(diagnostic).split("\n")) {
                if (diagnostic.isError()) {
                    log.error(line);
                } else {
                    log.warn(line);
                }
            }
        }
        outcome.problems().forEach(log::error);
    }

    private void summarize(IncrementalGeneration.Outcome outcome, Log log, Path base) {
        String into = relative(base, outputDirectory().toPath());
        if (outcome.specs().isEmpty() && outcome.deleted().isEmpty()) {
            log.info("rnnc: no specs in " + relative(base, sourceDirectory().toPath()));
            return;
        }
        if (outcome.compiled().isEmpty() && outcome.deleted().isEmpty()) {
            log.info("rnnc: " + count(outcome.specs().size(), "spec") + " unchanged; nothing to generate in " + into);
            return;
        }
        log.info("rnnc: compiled " + outcome.compiled().size() + " of " + count(outcome.specs().size(), "spec")
                + "; wrote " + count(outcome.written().size(), "class") + (outcome.deleted().isEmpty() ? ""
                : ", removed " + outcome.deleted().size()) + " in " + into);
        outcome.compiled().forEach(spec -> log.debug("rnnc: compiled " + spec));
        outcome.written().forEach(file -> log.debug("rnnc: wrote " + relative(base, file)));
        outcome.deleted().forEach(file -> log.debug("rnnc: removed " + relative(base, file)));
    }

    private CompileRequest.Backend backend() throws MojoExecutionException {
        String value = backend == null ? "vector" : backend.trim().toLowerCase(Locale.ROOT);
        if (!value.equals("vector") && !value.equals("scalar")) {
            throw new MojoExecutionException("rnnc: <backend> is vector or scalar, not '" + backend + "'");
        }
        return CompileRequest.Backend.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private int vectorBits() throws MojoExecutionException {
        if (vectorBits != 256 && vectorBits != 512) {
            throw new MojoExecutionException("rnnc: <vectorBits> is 256 or 512, not " + vectorBits);
        }
        return vectorBits;
    }

    private CompileRequest.PackedWeights packedWeights(CompileRequest.Backend chosen) throws MojoExecutionException {
        String value = packedWeights == null ? "array" : packedWeights.trim().toLowerCase(Locale.ROOT);
        if (!value.equals("array") && !value.equals("segment")) {
            throw new MojoExecutionException("rnnc: <packedWeights> is array or segment, not '" + packedWeights + "'");
        }
        if (value.equals("segment") && chosen != CompileRequest.Backend.VECTOR) {
            throw new MojoExecutionException("rnnc: <packedWeights>segment</packedWeights> is for the vector backend,"
                    + " not <backend>scalar</backend>");
        }
        return CompileRequest.PackedWeights.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private Optional<String> packageName() throws MojoExecutionException {
        if (packageName == null || packageName.isBlank()) {
            return Optional.empty();
        }
        if (!SourceVersion.isName(packageName.trim())) {
            throw new MojoExecutionException("rnnc: <packageName> '" + packageName + "' is not a Java package name");
        }
        return Optional.of(packageName.trim());
    }

    /** {@code target/rnnc/generate.state}; executions other than the default one get their own file. */
    private Path stateFile() {
        String id = mojoExecution == null ? "default" : mojoExecution.getExecutionId();
        String name = id == null || id.equals("default") || id.equals("default-cli") ? goal() : goal() + "-" + id;
        return Path.of(project.getBuild().getDirectory(), "rnnc", name + ".state");
    }

    /** Everything besides the specs that decides the generated text; when it changes, every spec is recompiled. */
    private String fingerprint(CompileRequest.Backend chosen, int bits, CompileRequest.PackedWeights weights,
            Optional<String> defaultPackage, Path base) {
        String version = mojoExecution == null ? "?"
                : mojoExecution.getMojoDescriptor().getPluginDescriptor().getVersion();
        return "rnnc " + version + " " + compilerStamp() + " backend=" + chosen.name().toLowerCase(Locale.ROOT)
                + " vectorBits=" + bits + (weights == CompileRequest.PackedWeights.ARRAY ? ""
                        : " packedWeights=" + weights.name().toLowerCase(Locale.ROOT))
                + " precision=f32 packageName=" + defaultPackage.orElse("-")
                + " sourceDirectory=" + relative(base, sourceDirectory().toPath());
    }

    /** The size and time of the rnnc jar, so that a rebuilt snapshot of the plugin regenerates everything. */
    private static String compilerStamp() {
        try {
            Path jar = Path.of(RnnCompiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(jar) ? Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis()
                    : "classes";
        } catch (URISyntaxException | IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Whether the project's maven-compiler-plugin configuration (plugin-wide or in an execution) mentions
     * {@code jdk.incubator.vector}. This is a hint, not a check: the module is a flag of the user's javac, and
     * whether the JVM that runs Maven has it says nothing about that.
     */
    private boolean compilerAddsVectorModule() {
        Plugin compiler = project.getPlugin("org.apache.maven.plugins:maven-compiler-plugin");
        if (compiler == null) {
            return false;
        }
        StringBuilder configuration = new StringBuilder(String.valueOf(compiler.getConfiguration()));
        for (PluginExecution execution : compiler.getExecutions()) {
            configuration.append(execution.getConfiguration());
        }
        return configuration.toString().contains(VECTOR_MODULE);
    }

    private static String relative(Path base, Path file) {
        Path absolute = base.toAbsolutePath().normalize().resolve(file).normalize();
        Path root = base.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString().replace('\\', '/') : absolute.toString();
    }

    private static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("s") ? noun + "es" : noun + "s");
    }
}
