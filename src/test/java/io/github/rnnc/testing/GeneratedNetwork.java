package io.github.rnnc.testing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reflective wrapper over one instance of a generated network class, the same for {@code F32} and {@code F64}
 * classes: arrays cross this API as {@code double[]} and are converted to the class's {@code float[]} or
 * {@code double[]}. Method handles are looked up once per class.
 *
 * <p>The generated contract, for a class {@code Net} whose element type is {@code T} ({@code float} or
 * {@code double}): {@code Net(int maxBatch, int maxSteps)}; {@code T[] parameters()}, {@code gradients()},
 * {@code inputGradients()}, {@code initialState()}, {@code initialStateGradients()} (live arrays);
 * {@code initialize(long)}; {@code forward(T[] x, int batch, int steps, [int[] lengths,] T[] y)};
 * {@code T computeGradients(T[] x, int[] labels | T[] targets, int batch, int steps[, int[] lengths])};
 * when no layer is bidirectional, {@code step(T[] x, int batch, T[] y)} and {@code resetState()} (streaming);
 * static {@code INPUT_SIZE}, {@code OUTPUT_SIZE}, {@code PARAMETER_COUNT}, {@code STATE_SIZE}, {@code PARAMETERS}
 * (of the nested record {@code Parameter(String name, int offset, int[] shape)}) and {@code STATES} (of
 * {@code State(String name, int offset, int size)}).
 *
 * <p>Exceptions thrown by the generated code (such as {@link IllegalArgumentException}) pass through unchanged.
 */
public final class GeneratedNetwork {
    /** A learnable parameter as listed in the class's {@code PARAMETERS}. */
    public record Param(String name, int offset, int[] shape) {
        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + "@" + offset;
        }
    }

    /** One state of one recurrent layer/direction, as listed in {@code STATES}: offset within a state row. */
    public record StateSlot(String name, int offset, int size) {
    }

    /**
     * The generated methods as handles adapted to types that do not depend on the precision: arrays are
     * {@code Object}, scalar results {@code double} (a widening conversion, no boxing). A handle is {@code null} when
     * the class lacks that method. Call them with {@code invokeExact} and exactly these types, e.g.
     * {@code (void) forward.invokeExact(instance, (Object) x, batch, steps, (Object) y)}.
     */
    public static final class Handles {
        public final Class<?> type;
        public final boolean f64;
        public final Class<?> array;
        /** {@code (int, int) Object} */
        public final MethodHandle constructor;
        /** {@code (Object) Object} each */
        public final MethodHandle parameters, gradients, inputGradients, initialState, initialStateGradients;
        /** {@code (Object, long) void} */
        public final MethodHandle initialize;
        /** {@code (Object, Object x, int, int, Object y) void} and with {@code int[] lengths} before {@code y} */
        public final MethodHandle forward, forwardLengths;
        /** {@code (Object, Object x, int[] labels, int, int) double} and with a trailing {@code int[] lengths} */
        public final MethodHandle gradientsLabels, gradientsLabelsLengths;
        /** {@code (Object, Object x, Object targets, int, int) double} and with a trailing {@code int[] lengths} */
        public final MethodHandle gradientsTargets, gradientsTargetsLengths;
        /** {@code (Object, Object x, int batch, Object y) void}; null when the class cannot stream */
        public final MethodHandle step;
        /** {@code (Object) void}; null when the class cannot stream */
        public final MethodHandle resetState;
        public final int inputSize, outputSize, parameterCount, stateSize;
        public final List<Param> parameterList;
        public final List<StateSlot> stateList;

        Handles(Class<?> type) {
            this.type = type;
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Method parametersMethod = publicMethod(type, "parameters");
            array = parametersMethod.getReturnType();
            if (array != float[].class && array != double[].class) {
                throw new AssertionError(type.getName() + ".parameters() returns " + array.getTypeName()
                        + ", not float[] or double[]");
            }
            f64 = array == double[].class;
            Class<?> scalar = f64 ? double.class : float.class;
            try {
                constructor = lookup.findConstructor(type, MethodType.methodType(void.class, int.class, int.class))
                        .asType(MethodType.methodType(Object.class, int.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(type.getName() + " has no public constructor (int maxBatch, int maxSteps)",
                        e);
            }
            parameters = getter(lookup, "parameters");
            gradients = getter(lookup, "gradients");
            inputGradients = getter(lookup, "inputGradients");
            initialState = getter(lookup, "initialState");
            initialStateGradients = getter(lookup, "initialStateGradients");
            initialize = required(find(lookup, "initialize", void.class, long.class), "void initialize(long)");
            forward = required(find(lookup, "forward", void.class, array, int.class, int.class, array),
                    "void forward(" + array.getSimpleName() + " x, int batch, int steps, " + array.getSimpleName()
                            + " y)");
            forwardLengths = required(find(lookup, "forward", void.class, array, int.class, int.class, int[].class,
                    array), "void forward(x, batch, steps, int[] lengths, y)");
            gradientsLabels = find(lookup, "computeGradients", scalar, array, int[].class, int.class, int.class);
            gradientsLabelsLengths = find(lookup, "computeGradients", scalar, array, int[].class, int.class,
                    int.class, int[].class);
            gradientsTargets = find(lookup, "computeGradients", scalar, array, array, int.class, int.class);
            gradientsTargetsLengths = find(lookup, "computeGradients", scalar, array, array, int.class, int.class,
                    int[].class);
            step = find(lookup, "step", void.class, array, int.class, array);
            resetState = find(lookup, "resetState", void.class);
            if ((step == null) != (resetState == null)) {
                throw new AssertionError(type.getName() + " has " + (step == null ? "resetState() but no step"
                        : "step but no resetState()"));
            }
            inputSize = intConstant(type, "INPUT_SIZE");
            outputSize = intConstant(type, "OUTPUT_SIZE");
            parameterCount = intConstant(type, "PARAMETER_COUNT");
            stateSize = intConstant(type, "STATE_SIZE");
            parameterList = readParameters(type);
            stateList = readStates(type);
        }

        private MethodHandle getter(MethodHandles.Lookup lookup, String name) {
            return required(find(lookup, name, array), array.getSimpleName() + " " + name + "()");
        }

        private MethodHandle required(MethodHandle handle, String what) {
            if (handle == null) {
                throw new AssertionError(type.getName() + " lacks the public method " + what);
            }
            return handle;
        }

        /** The virtual method adapted to Object arrays, double results; null when absent. */
        private MethodHandle find(MethodHandles.Lookup lookup, String name, Class<?> returnType,
                Class<?>... parameterTypes) {
            MethodHandle handle;
            try {
                handle = lookup.findVirtual(type, name, MethodType.methodType(returnType, parameterTypes));
            } catch (NoSuchMethodException e) {
                return null;
            } catch (IllegalAccessException e) {
                throw new AssertionError(type.getName() + "." + name + " is not public", e);
            }
            Class<?>[] generic = new Class<?>[parameterTypes.length + 1];
            generic[0] = Object.class;
            for (int i = 0; i < parameterTypes.length; i++) {
                generic[i + 1] = parameterTypes[i].isArray() && parameterTypes[i] != int[].class ? Object.class
                        : parameterTypes[i];
            }
            Class<?> genericReturn = returnType == float.class ? double.class
                    : returnType.isArray() ? Object.class : returnType;
            return handle.asType(MethodType.methodType(genericReturn, generic));
        }

        public boolean acceptsLabels() {
            return gradientsLabels != null;
        }

        public boolean streams() {
            return step != null;
        }

        public boolean acceptsTargets() {
            return gradientsTargets != null;
        }
    }

    private static final ClassValue<Handles> HANDLES = new ClassValue<>() {
        @Override
        protected Handles computeValue(Class<?> type) {
            return new Handles(type);
        }
    };

    private final Handles h;
    private final Object instance;
    private final int maxBatch;
    private final int maxSteps;
    private final boolean sequenceOutput;
    private final Map<String, Param> parametersByName;

    private GeneratedNetwork(Handles h, Object instance, int maxBatch, int maxSteps, boolean sequenceOutput) {
        this.h = h;
        this.instance = instance;
        this.maxBatch = maxBatch;
        this.maxSteps = maxSteps;
        this.sequenceOutput = sequenceOutput;
        Map<String, Param> byName = new LinkedHashMap<>();
        for (Param p : h.parameterList) {
            if (byName.put(p.name(), p) != null) {
                throw new AssertionError(h.type.getName() + ".PARAMETERS names " + p.name() + " twice");
            }
        }
        this.parametersByName = Collections.unmodifiableMap(byName);
    }

    /**
     * Constructs {@code new type(maxBatch, maxSteps)}. {@code sequenceOutput} (whether the last layer yields one
     * vector per step) is not part of the class's API; it comes from the compiler's IR.
     */
    public static GeneratedNetwork create(Class<?> type, int maxBatch, int maxSteps, boolean sequenceOutput) {
        Handles h = handles(type);
        Object instance;
        try {
            instance = (Object) h.constructor.invokeExact(maxBatch, maxSteps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new GeneratedNetwork(h, instance, maxBatch, maxSteps, sequenceOutput);
    }

    public static Handles handles(Class<?> type) {
        return HANDLES.get(type);
    }

    // ------------------------------------------------------------------ shape information

    public Handles handles() {
        return h;
    }

    public Object instance() {
        return instance;
    }

    public Class<?> type() {
        return h.type;
    }

    public boolean isDouble() {
        return h.f64;
    }

    public int inputSize() {
        return h.inputSize;
    }

    public int outputSize() {
        return h.outputSize;
    }

    public int parameterCount() {
        return h.parameterCount;
    }

    public int stateSize() {
        return h.stateSize;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int maxSteps() {
        return maxSteps;
    }

    public boolean sequenceOutput() {
        return sequenceOutput;
    }

    /** Length of {@code y}: {@code batch*steps*OUTPUT_SIZE} for per-step outputs, else {@code batch*OUTPUT_SIZE}. */
    public int outputLength(int batch, int steps) {
        return (sequenceOutput ? batch * steps : batch) * h.outputSize;
    }

    /** Number of labels ({@code cross_entropy}): one per output row. */
    public int labelCount(int batch, int steps) {
        return sequenceOutput ? batch * steps : batch;
    }

    public List<Param> parameterList() {
        return h.parameterList;
    }

    public List<StateSlot> stateList() {
        return h.stateList;
    }

    public Param parameterInfo(String name) {
        Param p = parametersByName.get(name);
        if (p == null) {
            throw new AssertionError(h.type.getName() + " has no parameter " + name + "; it has "
                    + parametersByName.keySet());
        }
        return p;
    }

    public boolean acceptsLabels() {
        return h.acceptsLabels();
    }

    public boolean acceptsTargets() {
        return h.acceptsTargets();
    }

    // ------------------------------------------------------------------ running

    public void initialize(long seed) {
        try {
            h.initialize.invokeExact(instance, seed);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs forward and returns {@code y} ({@link #outputLength} entries); {@code lengths} may be null. */
    public double[] forward(double[] x, int batch, int steps, int[] lengths) {
        Object y = newArray(outputLength(batch, steps));
        forwardRaw(toNative(x), batch, steps, lengths, y);
        return toDouble(y);
    }

    /** Whether the class has the streaming API ({@code step}, {@code resetState}). */
    public boolean streams() {
        return h.streams();
    }

    /** One streaming step of {@code x} ({@code [batch][INPUT_SIZE]}); returns {@code y} ({@code [batch][OUT]}). */
    public double[] step(double[] x, int batch) {
        Object y = newArray(batch * h.outputSize);
        stepRaw(toNative(x), batch, y);
        return toDouble(y);
    }

    /** {@code step} with arrays of the class's own type (see {@link #newArray}). */
    public void stepRaw(Object x, int batch, Object y) {
        if (h.step == null) {
            throw new AssertionError(h.type.getName() + " has no step(x, batch, y); is a layer bidirectional?");
        }
        try {
            h.step.invokeExact(instance, x, batch, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void resetState() {
        if (h.resetState == null) {
            throw new AssertionError(h.type.getName() + " has no resetState(); is a layer bidirectional?");
        }
        try {
            h.resetState.invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Loss for {@code cross_entropy}; overwrites the gradients. {@code lengths} may be null. */
    public double computeGradients(double[] x, int[] labels, int batch, int steps, int[] lengths) {
        return computeGradientsRaw(toNative(x), labels, batch, steps, lengths);
    }

    /** Loss for {@code mse} and {@code binary_cross_entropy}; overwrites the gradients. */
    public double computeGradients(double[] x, double[] targets, int batch, int steps, int[] lengths) {
        return computeGradientsRaw(toNative(x), toNative(targets), batch, steps, lengths);
    }

    /** {@code forward} with arrays of the class's own type (see {@link #newArray}); lengths null: no lengths. */
    public void forwardRaw(Object x, int batch, int steps, int[] lengths, Object y) {
        try {
            if (lengths == null) {
                h.forward.invokeExact(instance, x, batch, steps, y);
            } else {
                h.forwardLengths.invokeExact(instance, x, batch, steps, lengths, y);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code computeGradients} with arrays of the class's own type; {@code labelsOrTargets} is an {@code int[]}
     * (labels) or a {@code float[]}/{@code double[]} (targets).
     */
    public double computeGradientsRaw(Object x, Object labelsOrTargets, int batch, int steps, int[] lengths) {
        try {
            if (labelsOrTargets instanceof int[] labels) {
                MethodHandle m = lengths == null ? h.gradientsLabels : h.gradientsLabelsLengths;
                if (m == null) {
                    throw new AssertionError(h.type.getName() + " has no computeGradients(x, int[] labels, ...)"
                            + (lengths == null ? "" : " with lengths") + "; is its loss cross_entropy?");
                }
                return lengths == null ? (double) m.invokeExact(instance, x, labels, batch, steps)
                        : (double) m.invokeExact(instance, x, labels, batch, steps, lengths);
            }
            MethodHandle m = lengths == null ? h.gradientsTargets : h.gradientsTargetsLengths;
            if (m == null) {
                throw new AssertionError(h.type.getName() + " has no computeGradients(x, " + h.array.getSimpleName()
                        + " targets, ...)" + (lengths == null ? "" : " with lengths")
                        + "; is its loss mse or binary_cross_entropy?");
            }
            return lengths == null ? (double) m.invokeExact(instance, x, labelsOrTargets, batch, steps)
                    : (double) m.invokeExact(instance, x, labelsOrTargets, batch, steps, lengths);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ parameters and states

    /** A copy of every parameter, in layout order. */
    public double[] parameters() {
        return toDouble(live(h.parameters));
    }

    /** Writes every parameter into the live array. */
    public void setParameters(double[] values) {
        Object live = live(h.parameters);
        requireLength(values.length, java.lang.reflect.Array.getLength(live), "parameters");
        copyInto(values, 0, live, 0, values.length);
    }

    public void setParameter(String name, double[] values) {
        Param p = parameterInfo(name);
        requireLength(values.length, p.size(), name);
        copyInto(values, 0, live(h.parameters), p.offset(), p.size());
    }

    public void setParameter(String name, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        setParameter(name, d);
    }

    /** A copy of one parameter's values. */
    public double[] parameter(String name) {
        Param p = parameterInfo(name);
        return Arrays.copyOfRange(parameters(), p.offset(), p.offset() + p.size());
    }

    public double parameterElement(int index) {
        return get(live(h.parameters), index);
    }

    public void setParameterElement(int index, double value) {
        set(live(h.parameters), index, value);
    }

    /** A copy of every gradient (as left by the last computeGradients). */
    public double[] gradients() {
        return toDouble(live(h.gradients));
    }

    /** A copy of one parameter's gradient. */
    public double[] gradient(String name) {
        Param p = parameterInfo(name);
        return Arrays.copyOfRange(gradients(), p.offset(), p.offset() + p.size());
    }

    /** A copy of the whole input-gradient array ({@code maxBatch*maxSteps*INPUT_SIZE}; a prefix is meaningful). */
    public double[] inputGradients() {
        return toDouble(live(h.inputGradients));
    }

    /** A copy of the whole initial-state array, {@code [maxBatch][STATE_SIZE]}. */
    public double[] initialState() {
        return toDouble(live(h.initialState));
    }

    /** Writes {@code values} into the start of the live initial-state array. */
    public void setInitialState(double[] values) {
        Object live = live(h.initialState);
        if (values.length > java.lang.reflect.Array.getLength(live)) {
            throw new AssertionError("initial state of " + values.length + " values, the array holds "
                    + java.lang.reflect.Array.getLength(live));
        }
        copyInto(values, 0, live, 0, values.length);
    }

    public double initialStateElement(int index) {
        return get(live(h.initialState), index);
    }

    public void setInitialStateElement(int index, double value) {
        set(live(h.initialState), index, value);
    }

    /** A copy of the whole initial-state gradient array, {@code [maxBatch][STATE_SIZE]}. */
    public double[] initialStateGradients() {
        return toDouble(live(h.initialStateGradients));
    }

    /** The live array behind {@code getter} (for identity and length checks). */
    public Object liveArray(String getterName) {
        return switch (getterName) {
            case "parameters" -> live(h.parameters);
            case "gradients" -> live(h.gradients);
            case "inputGradients" -> live(h.inputGradients);
            case "initialState" -> live(h.initialState);
            case "initialStateGradients" -> live(h.initialStateGradients);
            default -> throw new IllegalArgumentException(getterName);
        };
    }

    // ------------------------------------------------------------------ arrays of the class's element type

    /** A new {@code float[n]} or {@code double[n]}. */
    public Object newArray(int n) {
        return h.f64 ? new double[n] : new float[n];
    }

    /** {@code values} as a {@code float[]} (rounded) or {@code double[]} (copied). */
    public Object toNative(double[] values) {
        if (h.f64) {
            return values.clone();
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    public static double[] toDouble(Object array) {
        if (array instanceof double[] d) {
            return d.clone();
        }
        if (array instanceof float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        throw new AssertionError("expected float[] or double[], got " + (array == null ? "null"
                : array.getClass().getTypeName()));
    }

    // ------------------------------------------------------------------ helpers

    private Object live(MethodHandle getter) {
        Object array;
        try {
            array = (Object) getter.invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (array == null) {
            throw new AssertionError(h.type.getName() + " returned a null array");
        }
        return array;
    }

    private static double get(Object array, int index) {
        return array instanceof double[] d ? d[index] : ((float[]) array)[index];
    }

    private static void set(Object array, int index, double value) {
        if (array instanceof double[] d) {
            d[index] = value;
        } else {
            ((float[]) array)[index] = (float) value;
        }
    }

    private static void copyInto(double[] from, int fromOffset, Object to, int toOffset, int n) {
        if (to instanceof double[] d) {
            System.arraycopy(from, fromOffset, d, toOffset, n);
        } else {
            float[] f = (float[]) to;
            for (int i = 0; i < n; i++) {
                f[toOffset + i] = (float) from[fromOffset + i];
            }
        }
    }

    private static void requireLength(int actual, int expected, String what) {
        if (actual != expected) {
            throw new AssertionError(what + ": " + actual + " values given, " + expected + " expected");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("generated code threw a checked exception", t);
    }

    private static Method publicMethod(Class<?> type, String name, Class<?>... parameterTypes) {
        try {
            Method m = type.getMethod(name, parameterTypes);
            if (!Modifier.isPublic(m.getModifiers())) {
                throw new AssertionError(type.getName() + "." + name + " is not public");
            }
            return m;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(type.getName() + " lacks the public method " + name + "()", e);
        }
    }

    private static Object staticField(Class<?> type, String name) {
        try {
            Field f = type.getField(name);
            int modifiers = f.getModifiers();
            if (!Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)) {
                throw new AssertionError(type.getName() + "." + name + " is not public static final");
            }
            return f.get(null);
        } catch (NoSuchFieldException e) {
            throw new AssertionError(type.getName() + " lacks the public static final field " + name, e);
        } catch (IllegalAccessException e) {
            throw new AssertionError(type.getName() + "." + name + " is not accessible", e);
        }
    }

    private static int intConstant(Class<?> type, String name) {
        try {
            if (type.getField(name).getType() != int.class) {
                throw new AssertionError(type.getName() + "." + name + " is not an int");
            }
        } catch (NoSuchFieldException e) {
            throw new AssertionError(type.getName() + " lacks the public static final int " + name, e);
        }
        return (Integer) staticField(type, name);
    }

    private static List<Param> readParameters(Class<?> type) {
        List<Param> out = new ArrayList<>();
        for (Object p : list(type, "PARAMETERS")) {
            out.add(new Param((String) component(p, "name"), (Integer) component(p, "offset"),
                    ((int[]) component(p, "shape")).clone()));
        }
        return List.copyOf(out);
    }

    private static List<StateSlot> readStates(Class<?> type) {
        List<StateSlot> out = new ArrayList<>();
        for (Object s : list(type, "STATES")) {
            out.add(new StateSlot((String) component(s, "name"), (Integer) component(s, "offset"),
                    (Integer) component(s, "size")));
        }
        return List.copyOf(out);
    }

    private static List<?> list(Class<?> type, String name) {
        Object value = staticField(type, name);
        if (!(value instanceof List<?> l)) {
            throw new AssertionError(type.getName() + "." + name + " is not a java.util.List: " + value);
        }
        return l;
    }

    private static Object component(Object record, String name) {
        Class<?> type = record.getClass();
        if (!type.isRecord()) {
            throw new AssertionError(type.getName() + " is not a record");
        }
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(name)) {
                try {
                    return c.getAccessor().invoke(record);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError("cannot read " + type.getName() + "." + name, e);
                }
            }
        }
        throw new AssertionError(type.getName() + " has no record component " + name);
    }
}
