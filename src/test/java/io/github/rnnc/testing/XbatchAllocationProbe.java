package io.github.rnnc.testing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * The child JVM of {@code XbatchAllocationTest}: warms up one mode ({@code forward}, {@code computeGradients} or
 * {@code trainStep}) of a generated network (float targets, batch 1), alone in its JVM as in a JMH fork, and prints
 * the bytes the thread allocated per call over the calls after it ({@code mode bytes}).
 *
 * <p>Arguments: the network's class name, input size, output size, steps, warm-up calls, measured calls, mode.
 */
public final class XbatchAllocationProbe {
    private XbatchAllocationProbe() {
    }

    public static void main(String[] args) throws Throwable {
        Class<?> type = Class.forName(args[0]);
        int inputs = Integer.parseInt(args[1]);
        int outputs = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        int warmUp = Integer.parseInt(args[4]);
        int measured = Integer.parseInt(args[5]);
        Object network = type.getConstructor(int.class, int.class).newInstance(1, steps);
        type.getMethod("initialize", long.class).invoke(network, 1L);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType gradientType = MethodType.methodType(float.class, float[].class, float[].class, int.class, int.class);
        MethodHandle forward = lookup.findVirtual(type, "forward",
                MethodType.methodType(void.class, float[].class, int.class, int.class, float[].class)).bindTo(network);
        MethodHandle gradients = lookup.findVirtual(type, "computeGradients", gradientType).bindTo(network);
        MethodHandle train = lookup.findVirtual(type, "trainStep", gradientType).bindTo(network);
        float[] x = new float[steps * inputs];
        float[] targets = new float[steps * outputs];
        float[] y = new float[steps * outputs];
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextFloat() - 0.5f;
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String[] modes = {"forward", "computeGradients", "trainStep"};
        int mode = java.util.Arrays.asList(modes).indexOf(args[6]);
        if (mode < 0) {
            throw new IllegalArgumentException("mode " + args[6] + ": expected one of " + String.join(", ", modes));
        }
        float sink = 0;
        {
            for (int round = 0; round < 2; round++) {
                int calls = round == 0 ? warmUp : measured;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < calls; i++) {
                    if (mode == 0) {
                        forward.invokeExact(x, 1, steps, y);
                    } else if (mode == 1) {
                        sink += (float) gradients.invokeExact(x, targets, 1, steps);
                    } else {
                        sink += (float) train.invokeExact(x, targets, 1, steps);
                    }
                }
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                if (round == 1) {
                    System.out.println(modes[mode] + " " + bytes / calls);
                }
            }
        }
        System.out.println("sink " + (Float.isNaN(sink) ? "nan" : "ok"));
    }
}
