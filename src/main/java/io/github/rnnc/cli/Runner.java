package io.github.rnnc.cli;

import io.github.rnnc.GeneratedSource;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * {@code rnnc run}: compiles the generated classes with the JDK's compiler, loads them, and trains each network
 * a few steps on random data, printing the loss and the time per forward pass: a quick look at a spec's code at
 * work, not a benchmark.
 */
final class Runner {
    private Runner() {
    }

    static int run(List<GeneratedSource> sources, boolean vector, int steps, PrintStream out, PrintStream err)
            throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            err.println("rnnc: run needs a JDK (this Java has no compiler)");
            return Main.USAGE;
        }
        Path directory = Files.createTempDirectory("rnnc-run");
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", directory.toString()));
        if (vector) {
            arguments.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        for (GeneratedSource source : sources) {
            Path file = directory.resolve(source.relativePath());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.code());
            arguments.add(file.toString());
        }
        if (javac.run(null, null, err, arguments.toArray(String[]::new)) != 0) {
            err.println("rnnc: internal compiler error: the generated Java does not compile");
            return Main.INTERNAL;
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {directory.toUri().toURL()},
                Runner.class.getClassLoader())) {
            for (GeneratedSource source : sources) {
                train(loader.loadClass(source.qualifiedName()), steps, out);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            err.println("rnnc: cannot run the generated class: " + cause);
            if (vector && cause.toString().contains("jdk/incubator/vector")) {
                err.println("rnnc: the vector backend needs java --add-modules jdk.incubator.vector "
                        + "(bin/rnnc adds it); or use --backend scalar");
            }
            return Main.INTERNAL;
        }
        return Main.OK;
    }

    private static void train(Class<?> type, int requestedSteps, PrintStream out) throws ReflectiveOperationException {
        int inputs = type.getField("INPUT_SIZE").getInt(null);
        int outputs = type.getField("OUTPUT_SIZE").getInt(null);
        int steps = fixedSteps(type, requestedSteps);
        int batch = 4;
        Object network = type.getConstructor(int.class, int.class).newInstance(batch, steps);
        type.getMethod("initialize", long.class).invoke(network, 42L);
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[batch * steps * inputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        Method forward = type.getMethod("forward", float[].class, int.class, int.class, float[].class);
        float[] y = new float[batch * steps * outputs];
        out.printf(Locale.ROOT, "%s: %d inputs, %d outputs, %d parameters; batch %d, %d steps%n", type.getSimpleName(),
                inputs, outputs, type.getField("PARAMETER_COUNT").getInt(null), batch, steps);
        Method trainStep = trainStep(type);
        if (trainStep != null) {
            boolean labels = trainStep.getParameterTypes()[1] == int[].class;
            // A task with an answer: the label (or target) depends on the input, so the loss can fall.
            Object answers = labels ? labels(x, batch, steps, inputs, outputs, y.length) : targets(x, y.length, inputs,
                    outputs, batch, steps);
            for (int i = 0; i <= 30; i++) {
                float loss = (float) trainStep.invoke(network, x, answers, batch, steps);
                if (i % 10 == 0) {
                    out.printf(Locale.ROOT, "  training step %2d: loss %.5f%n", i, loss);
                }
            }
        }
        int calls = 200;
        for (int i = 0; i < calls; i++) {
            forward.invoke(network, x, batch, steps, y);
        }
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            forward.invoke(network, x, batch, steps, y);
        }
        double micros = (System.nanoTime() - started) / 1e3 / calls;
        out.printf(Locale.ROOT, "  forward: %.1f us per batch after %d warm-up calls (not a benchmark: see "
                + "benchmarks/)%n", micros, calls);
    }

    private static int fixedSteps(Class<?> type, int requested) {
        try {
            return type.getField("STEPS").getInt(null);
        } catch (ReflectiveOperationException e) {
            return requested;
        }
    }

    private static Method trainStep(Class<?> type) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals("trainStep") && method.getParameterCount() == 4) {
                return method;
            }
        }
        return null;
    }

    /** One label per output position: the sign pattern of the first inputs, so there is something to learn. */
    private static int[] labels(float[] x, int batch, int steps, int inputs, int outputs, int yLength) {
        boolean perStep = yLength == batch * steps * outputs;
        int[] labels = new int[perStep ? batch * steps : batch];
        for (int i = 0; i < labels.length; i++) {
            int row = perStep ? i : i * steps + steps - 1;
            labels[i] = (x[row * inputs] > 0 ? 1 : 0) % outputs;
        }
        return labels;
    }

    private static float[] targets(float[] x, int yLength, int inputs, int outputs, int batch, int steps) {
        boolean perStep = yLength == batch * steps * outputs;
        float[] targets = new float[perStep ? batch * steps * outputs : batch * outputs];
        for (int i = 0; i < targets.length; i++) {
            int position = i / outputs;
            int row = perStep ? position : position * steps + steps - 1;
            targets[i] = x[row * inputs] > 0 ? 0.8f : 0.2f;
        }
        return targets;
    }
}
