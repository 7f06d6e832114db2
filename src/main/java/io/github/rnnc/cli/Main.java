package io.github.rnnc.cli;

import io.github.rnnc.CompileRequest;
import io.github.rnnc.CompileResult;
import io.github.rnnc.RnnCompiler;
import io.github.rnnc.diagnostics.DiagnosticPrinter;
import io.github.rnnc.ir.IrPrinter;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code rnnc} command line: a thin adapter over {@link RnnCompiler}. */
public final class Main {
    static final int OK = 0;
    static final int DIAGNOSTICS = 1;
    static final int USAGE = 2;
    static final int INTERNAL = 3;

    private static final String USAGE_TEXT = """
            usage: rnnc check FILE...
                   rnnc compile FILE... -d DIR [--backend vector|scalar] [--precision f32|f64]
                                [--vector-bits 256|512] [--packed-weights array|segment] [--dump-ir]
                   rnnc run FILE [--backend vector|scalar] [--steps N]
                   rnnc --help | --version

            Commands:
              check      check specs and report every error and warning
              compile    check specs and generate one Java class per network into DIR
              run        generate, compile and load the classes, then train each network a few steps on
                         random data and time a forward pass (a demonstration, not a benchmark)

            Options:
              -d, --output DIR   where compile writes generated sources
              --backend B        vector (default; Vector API, needs --add-modules jdk.incubator.vector)
                                 or scalar (plain Java)
              --precision P      f32 (default) or f64 (for gradient checks)
              --vector-bits N    256 (default, any AVX2 machine) or 512 (AVX-512 machines)
              --packed-weights W array (default, Java 17+) or segment: the vector backend's packed weights
                                 in 64-byte-aligned MemorySegments (compile and run on JDK 22+)
              --dump-ir          print the IR of every network, each step with its adjoint (compile only)
              -h, --help         show this help
              -V, --version      show the version

            Exit status: 0 no errors, 1 errors in a spec, 2 bad usage, 3 internal compiler error.
            Diagnostics: path:line:col: error[RNNnnnn]: message (codes in docs/diagnostics.md).
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        switch (args[0]) {
            case "-h", "--help", "help" -> {
                out.print(USAGE_TEXT);
                return OK;
            }
            case "-V", "--version" -> {
                out.println("rnnc " + version());
                return OK;
            }
            case "check", "compile", "run" -> {
                return compile(args[0], List.of(args).subList(1, args.length), out, err);
            }
            default -> {
                err.println("rnnc: unknown command '" + args[0] + "'; expected check or compile (see rnnc --help)");
                return USAGE;
            }
        }
    }

    private static int compile(String command, List<String> args, PrintStream out, PrintStream err) {
        boolean run = command.equals("run");
        boolean generate = command.equals("compile") || run;
        int steps = 20;
        List<Path> files = new ArrayList<>();
        Optional<Path> output = Optional.empty();
        boolean dumpIr = false;
        CompileRequest.PackedWeights packedWeights = CompileRequest.PackedWeights.ARRAY;
        CompileRequest.Options options = CompileRequest.Options.defaults();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--dump-ir") && generate && !run) {
                dumpIr = true;
            } else if (arg.equals("--vector-bits") && generate) {
                String value = i + 1 < args.size() ? args.get(++i) : "";
                if (!value.equals("256") && !value.equals("512")) {
                    err.println("rnnc: --vector-bits takes 256 or 512, not '" + value + "'");
                    return USAGE;
                }
                options = options.withVectorBits(Integer.parseInt(value));
            } else if (arg.equals("--packed-weights") && generate && !run) {
                String value = i + 1 < args.size() ? args.get(++i) : "";
                if (!value.equals("array") && !value.equals("segment")) {
                    err.println("rnnc: --packed-weights takes array or segment"
                            + (value.isEmpty() ? "" : ", not '" + value + "'"));
                    return USAGE;
                }
                packedWeights = CompileRequest.PackedWeights.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } else if (arg.equals("--steps") && run) {
                String value = i + 1 < args.size() ? args.get(++i) : "";
                try {
                    steps = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    steps = 0;
                }
                if (steps < 1 || steps > 100_000) {
                    err.println("rnnc: --steps takes a whole number from 1 to 100000, not '" + value + "'");
                    return USAGE;
                }
            } else if ((arg.equals("--backend") || (arg.equals("--precision") && !run)) && generate) {
                String value = i + 1 < args.size() ? args.get(++i) : "";
                if (arg.equals("--backend") && (value.equals("vector") || value.equals("scalar"))) {
                    options = options.with(CompileRequest.Backend.valueOf(value.toUpperCase(java.util.Locale.ROOT)));
                } else if (arg.equals("--precision") && (value.equals("f32") || value.equals("f64"))) {
                    options = options.with(CompileRequest.Precision.valueOf(value.toUpperCase(java.util.Locale.ROOT)));
                } else {
                    err.println("rnnc: " + arg + " takes " + (arg.equals("--backend") ? "vector or scalar"
                            : "f32 or f64") + (value.isEmpty() ? "" : ", not '" + value + "'"));
                    return USAGE;
                }
            } else if (arg.equals("-d") || arg.equals("--output")) {
                if (i + 1 >= args.size()) {
                    err.println("rnnc: " + arg + " needs a directory");
                    return USAGE;
                }
                try {
                    output = Optional.of(Path.of(args.get(++i)));
                } catch (InvalidPathException e) {
                    err.println("rnnc: invalid output directory '" + args.get(i) + "'");
                    return USAGE;
                }
            } else if (arg.startsWith("-")) {
                err.println("rnnc: unknown option '" + arg + "' (see rnnc --help)");
                return USAGE;
            } else {
                try {
                    files.add(Path.of(arg));
                } catch (InvalidPathException e) {
                    err.println("rnnc: invalid file name '" + arg + "'");
                    return USAGE;
                }
            }
        }
        if (files.isEmpty()) {
            err.println("rnnc: no spec files given (see rnnc --help)");
            return USAGE;
        }
        if (packedWeights == CompileRequest.PackedWeights.SEGMENT) {
            if (options.backend() != CompileRequest.Backend.VECTOR) {
                err.println("rnnc: --packed-weights segment is for the vector backend, not --backend scalar");
                return USAGE;
            }
            options = options.with(packedWeights);
        }
        if (generate && !run && output.isEmpty()) {
            err.println("rnnc: compile needs an output directory: -d DIR");
            return USAGE;
        }
        if ((!generate || run) && output.isPresent()) {
            err.println("rnnc: " + command + " writes nothing; -d is for compile");
            return USAGE;
        }
        CompileResult result;
        try {
            CompileRequest.Goal goal = generate ? CompileRequest.Goal.GENERATE : CompileRequest.Goal.CHECK;
            result = RnnCompiler.compile(new CompileRequest(files, goal, output, options));
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            err.println("rnnc: internal compiler error: " + e);
            err.println("rnnc: this is a bug in rnnc, not in your spec; please report it with the spec");
            return INTERNAL;
        }
        err.print(DiagnosticPrinter.render(result.diagnostics()));
        if (dumpIr) {
            result.differentiated().forEach(network -> out.print(IrPrinter.print(network)));
        }
        if (result.hasErrors()) {
            long errors = result.errorCount();
            err.println(errors + (errors == 1 ? " error" : " errors"));
            return DIAGNOSTICS;
        }
        if (run) {
            try {
                return Runner.run(result.sources(), options.backend() == CompileRequest.Backend.VECTOR, steps, out,
                        err);
            } catch (java.io.IOException e) {
                err.println("rnnc: cannot write the classes to run: " + e.getMessage());
                return INTERNAL;
            }
        }
        return OK;
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }
}
