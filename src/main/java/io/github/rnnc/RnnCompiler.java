package io.github.rnnc;

import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.codegen.JavaGenerator;
import io.github.rnnc.codegen.Target;
import io.github.rnnc.ir.DifferentiatedNetwork;
import io.github.rnnc.ir.IrVerifier;
import io.github.rnnc.ir.NetworkIr;
import io.github.rnnc.lowering.Lowering;
import io.github.rnnc.passes.DifferentiateNetwork;
import io.github.rnnc.passes.Passes;
import io.github.rnnc.semantics.CheckedSpec;
import io.github.rnnc.semantics.Checker;
import io.github.rnnc.syntax.SpecLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** The compiler: one line per stage, each stage gated on the errors of the ones before. */
public final class RnnCompiler {
    /** Deeply nested specs recurse deeply; a big stack turns them into results instead of crashes. */
    private static final long STACK_BYTES = 512L << 20;

    private RnnCompiler() {
    }

    public static CompileResult compile(CompileRequest request) {
        AtomicReference<CompileResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(null, () -> {
            try {
                result.set(run(request));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "rnnc-compiler", STACK_BYTES);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling", e);
        }
        if (failure.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    private static CompileResult run(CompileRequest request) {
        Diagnostics diagnostics = new Diagnostics();
        SpecLoader.Loaded loaded = SpecLoader.load(request.files(), request.baseDirectory(), diagnostics);
        return stages(request, loaded, diagnostics).withInputs(inputs(loaded));
    }

    private static CompileResult stages(CompileRequest request, SpecLoader.Loaded loaded, Diagnostics diagnostics) {
        List<CheckedSpec> checked = Checker.check(loaded.requested(), loaded.imports(),
                defaultPackages(request), diagnostics);
        if (diagnostics.hasErrors() || request.goal() == CompileRequest.Goal.CHECK) {
            return new CompileResult(diagnostics.sorted(), diagnostics.hasErrors() ? List.of() : checked, List.of(), List.of());
        }
        List<NetworkIr> networks = new ArrayList<>();
        for (NetworkIr lowered : Lowering.lower(checked, diagnostics)) {
            IrVerifier.verify(lowered);
            networks.add(Passes.optimize(lowered));
        }
        if (diagnostics.hasErrors()) {
            return new CompileResult(diagnostics.sorted(), List.of(), List.of(), List.of());
        }
        List<DifferentiatedNetwork> differentiated = new ArrayList<>();
        for (NetworkIr network : networks) {
            differentiated.add(DifferentiateNetwork.run(network, request.options().derivatives()));
        }
        if (request.goal() == CompileRequest.Goal.LOWER) {
            return new CompileResult(diagnostics.sorted(), checked, differentiated, List.of());
        }
        List<GeneratedSource> sources = new ArrayList<>();
        for (DifferentiatedNetwork network : differentiated) {
            sources.add(new GeneratedSource(network.network().javaPackage(), network.network().className(),
                    JavaGenerator.generate(network, target(request.options()))));
        }
        request.outputDirectory().ifPresent(directory -> SourceWriter.write(directory, sources, diagnostics));
        return new CompileResult(diagnostics.sorted(), checked, differentiated, sources);
    }

    /** The request's default packages by the path each file is quoted under (the path as given). */
    private static Map<String, String> defaultPackages(CompileRequest request) {
        Map<String, String> packages = new HashMap<>();
        request.defaultPackages().forEach((file, name) -> packages.put(file.toString(), name));
        return packages;
    }

    private static Map<String, List<Path>> inputs(SpecLoader.Loaded loaded) {
        Map<String, List<Path>> inputs = new LinkedHashMap<>();
        loaded.requested().forEach(file -> inputs.put(file.source().displayPath(), loaded.inputsOf(file)));
        return inputs;
    }

    private static Target target(CompileRequest.Options options) {
        return new Target(options.backend() == CompileRequest.Backend.VECTOR,
                options.precision() == CompileRequest.Precision.F64, options.vectorBits(),
                options.packedWeights() == CompileRequest.PackedWeights.SEGMENT);
    }
}
