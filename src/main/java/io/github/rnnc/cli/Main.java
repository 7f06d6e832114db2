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
                   rnnc compile FILE... -d DIR [--backend vector|scalar] [--precision f32|f64] [--dump-ir]
                   rnnc --help | --version

            Commands:
              check      check specs and report every error and warning
              compile    check specs and generate one Java class per network into DIR

            Options:
              -d, --output DIR   where compile writes generated sources
              --backend B        vector (default; Vector API, needs --add-modules jdk.incubator.vector)
                                 or scalar (plain Java)
              --precision P      f32 (default) or f64 (for gradient checks)
              --dump-ir          print the IR of every network (compile only)
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
            case "check", "compile" -> {
                return compile(args[0].equals("compile"), List.of(args).subList(1, args.length), out, err);
            }
            default -> {
                err.println("rnnc: unknown command '" + args[0] + "'; expected check or compile (see rnnc --help)");
                return USAGE;
            }
        }
    }

    private static int compile(boolean generate, List<String> args, PrintStream out, PrintStream err) {
        List<Path> files = new ArrayList<>();
        Optional<Path> output = Optional.empty();
        boolean dumpIr = false;
        CompileRequest.Options options = CompileRequest.Options.defaults();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--dump-ir") && generate) {
                dumpIr = true;
            } else if ((arg.equals("--backend") || arg.equals("--precision")) && generate) {
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
        if (generate && output.isEmpty()) {
            err.println("rnnc: compile needs an output directory: -d DIR");
            return USAGE;
        }
        if (!generate && output.isPresent()) {
            err.println("rnnc: check writes nothing; -d is for compile");
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
            result.networks().forEach(network -> out.print(IrPrinter.print(network)));
        }
        if (result.hasErrors()) {
            long errors = result.errorCount();
            err.println(errors + (errors == 1 ? " error" : " errors"));
            return DIAGNOSTICS;
        }
        return OK;
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }
}
