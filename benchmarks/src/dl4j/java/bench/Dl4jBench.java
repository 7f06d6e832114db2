package bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Deeplearning4j 1.0.0-M2.1 (nd4j-native, CPU) on the LSTM sweep of {@link RnnBench}: {@code lstm_hH} is an LSTM
 * with D = H returning the whole sequence, a dense(H) head at every step and MSE, Adam(lr = 0.001); T = 100. In
 * DL4J that is a {@link MultiLayerNetwork} of an {@link LSTM} layer (no peepholes, gates i, f, o, g; one bias
 * vector) and an {@link RnnOutputLayer} (identity, MSE), float32, workspaces on (DL4J's default), input in DL4J's
 * default layout [batch, features, time].
 *
 * <p>The methods carry RnnBench's names, so the report matches the rows: {@code forward} is
 * {@code output(x)} (inference, no training-time behaviour), {@code computeGradients} is
 * {@code computeGradientAndScore()} (forward, loss, backward; no update) and {@code trainStep} is {@code fit(x, y)}
 * (all that and Adam's update). The parameter {@code backend} is always {@code dl4j}.
 *
 * <p>Single thread: run.sh sets OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 for the forks, and the set-up also
 * caps nd4j's own thread counts ({@code Environment.setMaxThreads/setMaxMasterThreads}). Allocation is JMH's
 * {@code -prof gc} only (the Java heap; nd4j's arrays live off the heap and are not counted). The set-up writes
 * nd4j's backend information to the file named by the system property {@code bench.dl4j.info}, when set.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Dl4jBench {
    /** {@code lstm_h64}, {@code lstm_h128}, ... (the LSTM sweep of {@link Nets}). */
    @Param("lstm_h64")
    public String net;

    /** Always {@code dl4j}: the report's key for these rows. */
    @Param("dl4j")
    public String backend;

    @Param("1")
    public int batch;

    @Param("100")
    public int steps;

    private MultiLayerNetwork network;
    private INDArray x;
    private INDArray targets;
    private INDArray initialParameters;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Nets.Net spec = Nets.of(net);
        if (spec.example() != null || spec.layers().size() != 1 || !spec.layers().get(0).cell().equals("lstm")) {
            throw new IllegalArgumentException("Dl4jBench runs the LSTM sweep (lstm_hH) only, not " + net);
        }
        int in = spec.layers().get(0).in();
        int hidden = spec.hidden();
        int out = spec.out();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(0.001))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(new LSTM.Builder().nIn(in).nOut(hidden).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(hidden).nOut(out)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NCW).build())
                .backpropType(BackpropType.Standard)
                .build();
        network = new MultiLayerNetwork(conf);
        network.init();
        Nd4j.getRandom().setSeed(7);
        x = Nd4j.rand(DataType.FLOAT, batch, in, steps).subi(0.5).muli(2);
        targets = Nd4j.rand(DataType.FLOAT, batch, out, steps).subi(0.5).muli(2);
        // one training step creates the updater's state, so that reset() has something to reset
        network.fit(x, targets);
        initialParameters = network.params().dup();
        writeInfo();
    }

    /** The initial weights and a zero Adam state before every iteration, as RnnBench and the PyTorch script do. */
    @Setup(Level.Iteration)
    public void reset() {
        network.params().assign(initialParameters);
        INDArray state = network.getUpdater().getStateViewArray();
        if (state != null) {
            state.assign(0);
        }
    }

    private void writeInfo() throws IOException {
        String file = System.getProperty("bench.dl4j.info");
        if (file == null || Files.exists(Path.of(file))) {
            return;
        }
        Map<String, String> info = new TreeMap<>();
        info.put("dl4j.version", mavenVersion("org.deeplearning4j", "deeplearning4j-nn"));
        info.put("nd4j-native.version", mavenVersion("org.nd4j", "nd4j-native"));
        info.put("java.version", System.getProperty("java.version"));
        info.put("nd4j.backend", Nd4j.getBackend().getClass().getName());
        info.put("nd4j.maxThreads", String.valueOf(Nd4j.getEnvironment().maxThreads()));
        info.put("nd4j.maxMasterThreads", String.valueOf(Nd4j.getEnvironment().maxMasterThreads()));
        info.put("blas.vendor", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        info.put("blas.maxThreads", String.valueOf(Nd4j.factory().blas().getMaxThreads()));
        info.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        info.put("OPENBLAS_NUM_THREADS", String.valueOf(System.getenv("OPENBLAS_NUM_THREADS")));
        for (Map.Entry<Object, Object> e : Nd4j.getExecutioner().getEnvironmentInformation().entrySet()) {
            info.put("env." + e.getKey(), String.valueOf(e.getValue()));
        }
        StringBuilder text = new StringBuilder();
        info.forEach((k, v) -> text.append(k).append('\t').append(v.replace('\n', ' ')).append('\n'));
        Files.writeString(Path.of(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    }

    private static String mavenVersion(String group, String artifact) throws IOException {
        try (var in = Dl4jBench.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact
                + "/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        }
    }

    @Benchmark
    public INDArray forward() {
        return network.output(x, false);
    }

    @Benchmark
    public double computeGradients() {
        network.setInput(x);
        network.setLabels(targets);
        network.computeGradientAndScore();
        return network.score();
    }

    @Benchmark
    public double trainStep() {
        network.fit(x, targets);
        return network.score();
    }
}
