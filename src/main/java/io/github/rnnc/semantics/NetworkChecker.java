package io.github.rnnc.semantics;

import io.github.rnnc.ast.CellDecl;
import io.github.rnnc.ast.Expr;
import io.github.rnnc.ast.Identifier;
import io.github.rnnc.ast.NetworkDecl;
import io.github.rnnc.diagnostics.Diagnostic;
import io.github.rnnc.diagnostics.DiagnosticCode;
import io.github.rnnc.diagnostics.Diagnostics;
import io.github.rnnc.diagnostics.Span;
import io.github.rnnc.semantics.NetworkModel.Flow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** Checks one network: input, settings, layers and the flow of shapes between them, and the train block. */
final class NetworkChecker {
    private static final List<String> ACTIVATIONS = List.of("linear", "softmax", "sigmoid", "tanh", "relu",
            "hard_sigmoid", "softsign", "exp", "identity");
    private static final List<String> MERGES = List.of("concat", "sum", "mul", "ave");
    private static final List<String> PADDINGS = List.of("same", "valid");
    private static final List<String> LOSSES = List.of("cross_entropy", "binary_cross_entropy", "mse");
    private static final List<String> OPTIMIZERS = List.of("sgd", "adam", "rmsprop");
    private static final List<String> TRAIN_SETTINGS = List.of("loss", "optimizer", "clip_norm", "clip_value",
            "truncate");
    private static final int MAX_STEPS = 1 << 24;

    private final NetworkDecl network;
    private final String javaPackage;
    private final Scope scope;
    private final Diagnostics diagnostics;

    private NetworkChecker(NetworkDecl network, String javaPackage, Scope scope, Diagnostics diagnostics) {
        this.network = network;
        this.javaPackage = javaPackage;
        this.scope = scope;
        this.diagnostics = diagnostics;
    }

    static Optional<NetworkModel> check(NetworkDecl network, String javaPackage, Scope scope, Diagnostics diagnostics) {
        return new NetworkChecker(network, javaPackage, scope, diagnostics).run();
    }

    private Optional<NetworkModel> run() {
        int errorsBefore = diagnostics.errorCount();
        Identifier name = network.name();
        if (Names.isReservedClassName(name.text())) {
            diagnostics.error(DiagnosticCode.JAVA_RESERVED_NAME, name.span(), "'" + name.text() + "' cannot name "
                    + "a network: " + (Names.isJavaReserved(name.text()) ? "it is a Java keyword"
                    : "generated classes use it for a nested type"));
        }
        List<NetworkDecl.InputDecl> inputs = new ArrayList<>();
        OptionalInt steps = OptionalInt.empty();
        Identifier stepsName = null;
        List<NetworkDecl.Layer> layerDecls = new ArrayList<>();
        NetworkDecl.TrainBlock train = null;
        for (NetworkDecl.NetworkStatement statement : network.body()) {
            if (statement instanceof NetworkDecl.InputDecl input) {
                inputs.add(input);
                if (inputs.size() > 1) {
                    diagnostics.add(Diagnostic.error(DiagnosticCode.INPUT_DECLARATION, input.span(),
                            "a network has one input").withNote("first declared here", inputs.get(0).span()));
                } else if (statement != network.body().get(0)) {
                    diagnostics.error(DiagnosticCode.INPUT_DECLARATION, input.span(), "the input must be declared"
                            + " first, before settings and layers");
                }
            } else if (statement instanceof NetworkDecl.Setting setting) {
                if (!setting.name().text().equals("steps")) {
                    diagnostics.error(DiagnosticCode.UNKNOWN_SETTING, setting.name().span(), "unknown network "
                            + "setting '" + setting.name().text() + "'; the only one is 'steps'"
                            + Names.suggestion(setting.name().text(), List.of("steps")));
                } else if (stepsName != null) {
                    diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_OPTION, setting.name().span(),
                            "'steps' is set twice").withNote("first set here", stepsName.span()));
                } else {
                    stepsName = setting.name();
                    steps = positiveInt(setting.value(), "steps", MAX_STEPS);
                }
            } else if (statement instanceof NetworkDecl.Layer layer) {
                layerDecls.add(layer);
            } else {
                NetworkDecl.TrainBlock block = (NetworkDecl.TrainBlock) statement;
                if (train != null) {
                    diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_DECLARATION, block.span(),
                            "a network has one train block").withNote("first here", train.span()));
                } else {
                    train = block;
                }
            }
        }
        if (inputs.isEmpty()) {
            diagnostics.error(DiagnosticCode.INPUT_DECLARATION, name.span(), "network '" + name.text()
                    + "' declares no input; start it with e.g. input x[8];");
            return Optional.empty();
        }
        List<Integer> inputShape = inputShape(inputs.get(0));
        if (inputShape == null) {
            return Optional.empty();
        }
        Flow flow = inputShape.size() == 1 ? new Flow.Vectors(inputShape.get(0), true)
                : new Flow.Images(inputShape.get(0), inputShape.get(1), inputShape.get(2), true);
        List<NetworkModel.Layer> layers = new ArrayList<>();
        boolean flowKnown = true;
        for (NetworkDecl.Layer layerDecl : layerDecls) {
            // After a layer fails, later ones are still checked, but without an input shape.
            Optional<NetworkModel.Layer> layer = layer(layerDecl.call(), layers.size(), flowKnown ? flow : null, false);
            if (layer.isPresent() && flowKnown) {
                layers.add(layer.get());
                flow = layer.get().output();
            } else {
                flowKnown = false;
            }
        }
        if (layerDecls.isEmpty() || (flowKnown && layers.stream().noneMatch(l -> l instanceof NetworkModel.RecurrentLayer
                || l instanceof NetworkModel.ConvLstmLayer))) {
            diagnostics.error(DiagnosticCode.NO_RECURRENT_LAYER, name.span(), "network '" + name.text()
                    + "' has no recurrent layer; add one, e.g. lstm(64);");
        }
        Optional<NetworkModel.Training> training = Optional.empty();
        if (train != null) {
            training = training(train, flowKnown && !layers.isEmpty() ? layers.get(layers.size() - 1) : null, steps);
        }
        if (diagnostics.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new NetworkModel(network, name.text(), javaPackage,
                network.span().source().displayPath(), inputShape, steps, layers, training));
    }

    private List<Integer> inputShape(NetworkDecl.InputDecl input) {
        int rank = input.dimensions().size();
        if (rank != 1 && rank != 3) {
            diagnostics.error(DiagnosticCode.INPUT_DECLARATION, input.span(), "an input is a vector x[size] or "
                    + "images frames[channels, height, width], not " + rank + " dimensions");
            return null;
        }
        List<Integer> shape = new ArrayList<>();
        for (Expr dimension : input.dimensions()) {
            OptionalInt size = positiveInt(dimension, "an input dimension", SizeEvaluator.MAX_SIZE);
            if (size.isEmpty()) {
                return null;
            }
            shape.add(size.getAsInt());
        }
        return shape;
    }

    // ------------------------------------------------------------ layers

    private Optional<NetworkModel.Layer> layer(Expr.Call call, int index, Flow input, boolean insideBidirectional) {
        String callee = call.callee().text();
        switch (callee) {
            case "bidirectional":
                return bidirectional(call, index, input, insideBidirectional);
            case "dense":
                return dense(call, index, input);
            case "convlstm2d":
                return convLstm(call, index, input);
            case "conv2d":
                return conv2d(call, index, input);
            default:
                break;
        }
        CellDecl cell = scope.cell(callee);
        if (cell == null) {
            List<String> candidates = new ArrayList<>(Names.LAYERS);
            candidates.addAll(scope.cellNames());
            diagnostics.error(DiagnosticCode.UNKNOWN_LAYER, call.callee().span(), "unknown layer '" + callee + "'"
                    + Names.suggestion(callee, candidates));
            return Optional.empty();
        }
        return recurrent(call, index, input, cell, Optional.empty(), NetworkModel.Merge.CONCAT);
    }

    private Optional<NetworkModel.Layer> recurrent(Expr.Call call, int index, Flow input, CellDecl cell,
            Optional<Expr.Call> bidirectional, NetworkModel.Merge merge) {
        CellFacts facts = scope.facts(cell);
        Optional<CellArguments.Bound> bound = CellArguments.bind(facts, cell.name().text(), call.span(),
                call.arguments(), Set.of("return_sequences"),
                (name, e) -> positiveInt(e, "'" + name + "'", SizeEvaluator.MAX_SIZE),
                e -> e instanceof Expr.Name n && !n.primed() && Names.FUNCTIONS.contains(n.name())
                        ? Optional.of(n.name()) : Optional.empty(),
                diagnostics);
        boolean returnSequences = bound.map(b -> b.options().get("return_sequences")).map(this::bool)
                .orElse(false);
        if (input == null) {
            return Optional.empty();
        }
        if (!(input instanceof Flow.Vectors vectors) || !vectors.sequence()) {
            diagnostics.error(DiagnosticCode.LAYER_INPUT_MISMATCH, call.callee().span(), "'" + cell.name().text()
                    + "' reads a sequence of vectors, but " + describe(input));
            return Optional.empty();
        }
        if (bound.isEmpty() || !facts.valid()) {
            return Optional.empty();
        }
        Diagnostics instanceDiagnostics = new Diagnostics();
        Optional<CellInstance> forward = CellInstantiator.instantiate(facts, scope.allFacts(), bound.get().sizes(),
                bound.get().functions(), vectors.size(), scope.isBuiltin(cell), false, instanceDiagnostics);
        for (Diagnostic d : instanceDiagnostics.sorted()) {
            // Errors inside a cell body say which use of the cell exposed them.
            boolean inCell = d.span() != null && d.span().source() == cell.span().source()
                    && d.span().start() >= cell.span().start() && d.span().end() <= cell.span().end();
            diagnostics.add(inCell ? d.withNote("in the layer '" + cell.name().text() + "' used here",
                    call.callee().span()) : d);
        }
        if (forward.isEmpty()) {
            return Optional.empty();
        }
        int units = forward.get().outputSize();
        int outputSize = bidirectional.isPresent() && merge == NetworkModel.Merge.CONCAT ? 2 * units : units;
        Flow output = new Flow.Vectors(outputSize, returnSequences);
        return Optional.of(new NetworkModel.RecurrentLayer(index, input, output, forward.get(),
                bidirectional.map(b -> forward.get()), merge, returnSequences));
    }

    private Optional<NetworkModel.Layer> bidirectional(Expr.Call call, int index, Flow input, boolean nested) {
        Map<String, Expr> options = options(call, 1, List.of("layer"), List.of("merge"));
        if (options == null) {
            return Optional.empty();
        }
        Expr inner = options.get("layer");
        if (inner == null) {
            diagnostics.error(DiagnosticCode.MISSING_ARGUMENT, call.span(), "bidirectional needs the layer it runs "
                    + "in both directions, e.g. bidirectional(lstm(64))");
            return Optional.empty();
        }
        NetworkModel.Merge merge = NetworkModel.Merge.CONCAT;
        if (options.containsKey("merge")) {
            String chosen = choice(options.get("merge"), "merge", MERGES);
            if (chosen == null) {
                return Optional.empty();
            }
            merge = NetworkModel.Merge.valueOf(chosen.toUpperCase(Locale.ROOT));
        }
        if (!(inner instanceof Expr.Call innerCall)) {
            diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, inner.span(), "bidirectional wraps a recurrent layer,"
                    + " e.g. bidirectional(gru(64))");
            return Optional.empty();
        }
        CellDecl cell = scope.cell(innerCall.callee().text());
        if (cell == null) {
            if (Names.LAYERS.contains(innerCall.callee().text())) {
                diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, innerCall.callee().span(), "bidirectional wraps"
                        + " a recurrent cell layer, not '" + innerCall.callee().text() + "'");
                return Optional.empty();
            }
            return layer(innerCall, index, input, true);
        }
        return recurrent(innerCall, index, input, cell, Optional.of(call), merge);
    }

    private Optional<NetworkModel.Layer> dense(Expr.Call call, int index, Flow input) {
        Map<String, Expr> options = options(call, 1, List.of("units"), List.of("activation"));
        if (options == null) {
            return Optional.empty();
        }
        OptionalInt units = required(options, "units", call, "dense");
        NetworkModel.Activation activation = activation(options.get("activation"));
        if (input == null) {
            return Optional.empty();
        }
        if (!(input instanceof Flow.Vectors vectors)) {
            diagnostics.error(DiagnosticCode.LAYER_INPUT_MISMATCH, call.callee().span(), "dense takes vectors, but "
                    + describe(input) + "; use conv2d on images");
            return Optional.empty();
        }
        if (units.isEmpty() || activation == null) {
            return Optional.empty();
        }
        return Optional.of(new NetworkModel.DenseLayer(index, input, new Flow.Vectors(units.getAsInt(),
                vectors.sequence()), units.getAsInt(), activation));
    }

    private Optional<NetworkModel.Layer> convLstm(Expr.Call call, int index, Flow input) {
        Map<String, Expr> options = options(call, 1, List.of("filters"), List.of("kernel", "padding",
                "return_sequences"));
        if (options == null) {
            return Optional.empty();
        }
        OptionalInt filters = required(options, "filters", call, "convlstm2d");
        OptionalInt kernel = required(options, "kernel", call, "convlstm2d");
        NetworkModel.Padding padding = padding(options.get("padding"), kernel);
        boolean returnSequences = options.containsKey("return_sequences") && bool(options.get("return_sequences"));
        if (input == null) {
            return Optional.empty();
        }
        if (!(input instanceof Flow.Images images) || !images.sequence()) {
            diagnostics.error(DiagnosticCode.LAYER_INPUT_MISMATCH, call.callee().span(), "convlstm2d reads a "
                    + "sequence of images, but " + describe(input));
            return Optional.empty();
        }
        if (filters.isEmpty() || kernel.isEmpty() || padding == null) {
            return Optional.empty();
        }
        Flow.Images output = convolved(images, filters.getAsInt(), kernel.getAsInt(), padding, call, returnSequences);
        return output == null ? Optional.empty() : Optional.of(new NetworkModel.ConvLstmLayer(index, input, output,
                filters.getAsInt(), kernel.getAsInt(), padding, returnSequences));
    }

    private Optional<NetworkModel.Layer> conv2d(Expr.Call call, int index, Flow input) {
        Map<String, Expr> options = options(call, 1, List.of("filters"), List.of("kernel", "padding", "activation"));
        if (options == null) {
            return Optional.empty();
        }
        OptionalInt filters = required(options, "filters", call, "conv2d");
        OptionalInt kernel = required(options, "kernel", call, "conv2d");
        NetworkModel.Padding padding = padding(options.get("padding"), kernel);
        NetworkModel.Activation activation = activation(options.get("activation"));
        if (input == null) {
            return Optional.empty();
        }
        if (!(input instanceof Flow.Images images)) {
            diagnostics.error(DiagnosticCode.LAYER_INPUT_MISMATCH, call.callee().span(), "conv2d takes images, but "
                    + describe(input));
            return Optional.empty();
        }
        if (filters.isEmpty() || kernel.isEmpty() || padding == null || activation == null) {
            return Optional.empty();
        }
        Flow.Images output = convolved(images, filters.getAsInt(), kernel.getAsInt(), padding, call,
                images.sequence());
        return output == null ? Optional.empty() : Optional.of(new NetworkModel.Conv2dLayer(index, input, output,
                filters.getAsInt(), kernel.getAsInt(), padding, activation));
    }

    private Flow.Images convolved(Flow.Images input, int filters, int kernel, NetworkModel.Padding padding,
            Expr.Call call, boolean sequence) {
        int shrink = padding == NetworkModel.Padding.SAME ? 0 : kernel - 1;
        int height = input.height() - shrink;
        int width = input.width() - shrink;
        if (height < 1 || width < 1) {
            diagnostics.error(DiagnosticCode.LAYER_INPUT_MISMATCH, call.span(), "a " + kernel + "x" + kernel
                    + " kernel with padding = valid does not fit " + input.height() + "x" + input.width() + " images");
            return null;
        }
        return new Flow.Images(filters, height, width, sequence);
    }

    // ------------------------------------------------------------ training

    private Optional<NetworkModel.Training> training(NetworkDecl.TrainBlock block, NetworkModel.Layer head,
            OptionalInt steps) {
        Map<String, NetworkDecl.Setting> settings = new LinkedHashMap<>();
        for (NetworkDecl.Setting setting : block.settings()) {
            String name = setting.name().text();
            if (!TRAIN_SETTINGS.contains(name)) {
                diagnostics.error(DiagnosticCode.UNKNOWN_OPTION, setting.name().span(), "unknown training setting '"
                        + name + "'" + Names.suggestion(name, TRAIN_SETTINGS));
            } else if (settings.containsKey(name)) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_OPTION, setting.name().span(), "'" + name
                        + "' is set twice").withNote("first set here", settings.get(name).name().span()));
            } else {
                settings.put(name, setting);
            }
        }
        NetworkModel.Loss loss = null;
        if (settings.containsKey("loss")) {
            Expr value = settings.get("loss").value();
            String chosen = value instanceof Expr.Name n && !n.primed() && LOSSES.contains(n.name()) ? n.name() : null;
            if (chosen == null) {
                String spelled = value instanceof Expr.Name n ? n.spelled() : "";
                diagnostics.error(DiagnosticCode.UNKNOWN_LOSS, value.span(), "unknown loss '" + value.span().text()
                        + "'; the losses are " + String.join(", ", LOSSES) + Names.suggestion(spelled, LOSSES));
            } else {
                loss = NetworkModel.Loss.valueOf(chosen.toUpperCase(Locale.ROOT));
                checkLossFitsHead(loss, value.span(), head);
            }
        } else {
            diagnostics.error(DiagnosticCode.INCOMPLETE_TRAINING, block.span(), "the train block needs a loss, e.g. "
                    + "loss = mse;");
        }
        NetworkModel.Optimizer optimizer = null;
        if (settings.containsKey("optimizer")) {
            optimizer = optimizer(settings.get("optimizer").value());
        } else {
            diagnostics.error(DiagnosticCode.INCOMPLETE_TRAINING, block.span(), "the train block needs an optimizer, "
                    + "e.g. optimizer = adam(lr = 0.001);");
        }
        OptionalDouble clipNorm = settings.containsKey("clip_norm")
                ? positiveNumber(settings.get("clip_norm").value(), "clip_norm") : OptionalDouble.empty();
        OptionalDouble clipValue = settings.containsKey("clip_value")
                ? positiveNumber(settings.get("clip_value").value(), "clip_value") : OptionalDouble.empty();
        OptionalInt truncate = OptionalInt.empty();
        if (settings.containsKey("truncate")) {
            Expr value = settings.get("truncate").value();
            truncate = positiveInt(value, "truncate", MAX_STEPS);
            if (truncate.isPresent() && steps.isPresent() && truncate.getAsInt() > steps.getAsInt()) {
                diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "truncate = " + truncate.getAsInt()
                        + " is longer than the network's " + steps.getAsInt() + " steps");
            }
        }
        if (loss == null || optimizer == null) {
            return Optional.empty();
        }
        return Optional.of(new NetworkModel.Training(loss, optimizer, clipNorm, clipValue, truncate));
    }

    private void checkLossFitsHead(NetworkModel.Loss loss, Span at, NetworkModel.Layer head) {
        if (head == null || loss == NetworkModel.Loss.MSE) {
            return;
        }
        NetworkModel.Activation activation = head instanceof NetworkModel.DenseLayer dense ? dense.activation()
                : head instanceof NetworkModel.Conv2dLayer conv ? conv.activation() : null;
        if (loss == NetworkModel.Loss.CROSS_ENTROPY && !(head instanceof NetworkModel.DenseLayer
                && activation == NetworkModel.Activation.SOFTMAX)) {
            diagnostics.error(DiagnosticCode.LOSS_HEAD_MISMATCH, at, "cross_entropy needs a last layer "
                    + "dense(classes, activation = softmax)");
        } else if (loss == NetworkModel.Loss.BINARY_CROSS_ENTROPY && activation != NetworkModel.Activation.SIGMOID) {
            diagnostics.error(DiagnosticCode.LOSS_HEAD_MISMATCH, at, "binary_cross_entropy needs a last layer with "
                    + "activation = sigmoid, so that outputs are probabilities");
        }
    }

    private NetworkModel.Optimizer optimizer(Expr value) {
        String name = value instanceof Expr.Call call ? call.callee().text()
                : value instanceof Expr.Name n ? n.spelled() : null;
        if (name == null || !OPTIMIZERS.contains(name)) {
            diagnostics.error(DiagnosticCode.UNKNOWN_OPTIMIZER, value instanceof Expr.Call c ? c.callee().span()
                    : value.span(), "unknown optimizer '" + (name == null ? value.span().text() : name)
                    + "'; the optimizers are sgd, adam and rmsprop" + (name == null ? "" : Names.suggestion(name,
                    OPTIMIZERS)));
            return null;
        }
        if (!(value instanceof Expr.Call call)) {
            diagnostics.error(DiagnosticCode.MISSING_ARGUMENT, value.span(), name + " needs a learning rate, e.g. "
                    + name + "(lr = 0.001)");
            return null;
        }
        List<String> named = switch (name) {
            case "sgd" -> List.of("momentum");
            case "adam" -> List.of("beta1", "beta2", "eps");
            default -> List.of("rho", "eps");
        };
        List<String> positional = new ArrayList<>(List.of("lr"));
        positional.addAll(named);
        Map<String, Expr> options = options(call, positional.size(), positional, List.of());
        if (options == null) {
            return null;
        }
        int errors = diagnostics.errorCount();
        double lr = options.containsKey("lr") ? positiveNumber(options.get("lr"), "lr").orElse(Double.NaN)
                : name.equals("sgd") ? Double.NaN : name.equals("adam") ? 0.001 : 0.01;
        if (!options.containsKey("lr") && name.equals("sgd")) {
            diagnostics.error(DiagnosticCode.MISSING_ARGUMENT, call.span(), "sgd needs a learning rate, e.g. "
                    + "sgd(lr = 0.01)");
        }
        NetworkModel.Optimizer result = switch (name) {
            case "sgd" -> new NetworkModel.Optimizer.Sgd(lr, fraction(options, "momentum", 0.0));
            case "adam" -> new NetworkModel.Optimizer.Adam(lr, fraction(options, "beta1", 0.9),
                    fraction(options, "beta2", 0.999), epsilon(options, 1e-8));
            default -> new NetworkModel.Optimizer.RmsProp(lr, fraction(options, "rho", 0.99), epsilon(options, 1e-8));
        };
        return diagnostics.errorCount() == errors ? result : null;
    }

    private double fraction(Map<String, Expr> options, String name, double fallback) {
        if (!options.containsKey(name)) {
            return fallback;
        }
        OptionalDouble value = number(options.get(name), name);
        if (value.isPresent() && !(value.getAsDouble() >= 0 && value.getAsDouble() < 1)) {
            diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, options.get(name).span(), "'" + name + "' must be in "
                    + "[0, 1), not " + options.get(name).span().text());
        }
        return value.orElse(fallback);
    }

    private double epsilon(Map<String, Expr> options, double fallback) {
        return options.containsKey("eps") ? positiveNumber(options.get("eps"), "eps").orElse(fallback) : fallback;
    }

    // ------------------------------------------------------------ option helpers

    /**
     * Binds a built-in layer's arguments: positional ones fill {@code positional} in order, then named ones. Returns
     * null when any argument is wrong.
     */
    private Map<String, Expr> options(Expr.Call call, int maxPositional, List<String> positional, List<String> named) {
        Map<String, Expr> bound = new LinkedHashMap<>();
        Map<String, Span> where = new LinkedHashMap<>();
        boolean ok = true;
        boolean sawNamed = false;
        int position = 0;
        List<String> all = new ArrayList<>(positional);
        all.addAll(named);
        for (Expr.Argument argument : call.arguments()) {
            if (argument.name().isEmpty()) {
                if (sawNamed) {
                    diagnostics.error(DiagnosticCode.TOO_MANY_ARGUMENTS, argument.span(), "a positional argument "
                            + "cannot follow a named one");
                    ok = false;
                } else if (position >= Math.min(maxPositional, positional.size())) {
                    diagnostics.error(DiagnosticCode.TOO_MANY_ARGUMENTS, argument.span(), "'" + call.callee().text()
                            + "' takes " + positional.size() + " positional argument" + (positional.size() == 1 ? ""
                            : "s") + " (" + String.join(", ", positional) + ")"
                            + (named.isEmpty() ? "" : "; name the others, e.g. " + named.get(0) + " = ..."));
                    ok = false;
                } else {
                    String name = positional.get(position++);
                    bound.put(name, argument.value());
                    where.put(name, argument.span());
                }
                continue;
            }
            sawNamed = true;
            Identifier name = argument.name().get();
            if (!all.contains(name.text())) {
                diagnostics.error(DiagnosticCode.UNKNOWN_OPTION, name.span(), "'" + call.callee().text()
                        + "' has no option '" + name.text() + "'" + Names.suggestion(name.text(), all));
                ok = false;
            } else if (bound.containsKey(name.text())) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.DUPLICATE_OPTION, name.span(), "'" + name.text()
                        + "' is given twice").withNote("first given here", where.get(name.text())));
                ok = false;
            } else {
                bound.put(name.text(), argument.value());
                where.put(name.text(), argument.span());
            }
        }
        return ok ? bound : null;
    }

    private OptionalInt required(Map<String, Expr> options, String name, Expr.Call call, String layer) {
        if (!options.containsKey(name)) {
            diagnostics.error(DiagnosticCode.MISSING_ARGUMENT, call.span(), layer + " needs '" + name + "', e.g. "
                    + layer + (name.equals("kernel") ? "(16, kernel = 3)" : "(16)"));
            return OptionalInt.empty();
        }
        OptionalInt value = positiveInt(options.get(name), "'" + name + "'", SizeEvaluator.MAX_SIZE);
        return value;
    }

    private NetworkModel.Activation activation(Expr value) {
        if (value == null) {
            return NetworkModel.Activation.LINEAR;
        }
        String chosen = choice(value, "activation", ACTIVATIONS);
        if (chosen == null) {
            return null;
        }
        return chosen.equals("identity") ? NetworkModel.Activation.LINEAR
                : NetworkModel.Activation.valueOf(chosen.toUpperCase(Locale.ROOT));
    }

    private NetworkModel.Padding padding(Expr value, OptionalInt kernel) {
        if (value == null) {
            return NetworkModel.Padding.VALID;
        }
        String chosen = choice(value, "padding", PADDINGS);
        if (chosen == null) {
            return null;
        }
        if (chosen.equals("same") && kernel.isPresent() && kernel.getAsInt() % 2 == 0) {
            diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "padding = same needs an odd kernel, "
                    + "not " + kernel.getAsInt());
            return null;
        }
        return NetworkModel.Padding.valueOf(chosen.toUpperCase(Locale.ROOT));
    }

    private String choice(Expr value, String option, List<String> allowed) {
        if (value instanceof Expr.Name name && !name.primed() && allowed.contains(name.name())) {
            return name.name();
        }
        String spelled = value instanceof Expr.Name name ? name.spelled() : "";
        diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "'" + option + "' must be one of "
                + String.join(", ", allowed) + Names.suggestion(spelled, allowed));
        return null;
    }

    private boolean bool(Expr value) {
        if (value instanceof Expr.Name name && !name.primed()
                && (name.name().equals("true") || name.name().equals("false"))) {
            return name.name().equals("true");
        }
        diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "expected true or false, not '"
                + value.span().text() + "'");
        return false;
    }

    private OptionalInt positiveInt(Expr value, String what, int max) {
        if (value instanceof Expr.NumberLiteral number && !CellRules.isInteger(number)) {
            diagnostics.error(DiagnosticCode.BAD_NUMBER, value.span(), what + " must be a whole number, not "
                    + number.text());
            return OptionalInt.empty();
        }
        if (value instanceof Expr.NumberLiteral number && CellRules.isInteger(number)) {
            if (number.value() < 1) {
                diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), what + " must be at least 1, not "
                        + number.text());
                return OptionalInt.empty();
            }
            if (number.value() > max) {
                diagnostics.error(DiagnosticCode.BAD_NUMBER, value.span(), what + " must be at most " + max + ", not "
                        + number.text());
                return OptionalInt.empty();
            }
            return OptionalInt.of((int) number.value());
        }
        diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), what + " must be a positive whole number, "
                + "not '" + value.span().text() + "'");
        return OptionalInt.empty();
    }

    private OptionalDouble number(Expr value, String what) {
        OptionalDouble constant = Initializers.constant(value);
        if (constant.isEmpty()) {
            diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "'" + what + "' must be a number, not '"
                    + value.span().text() + "'");
        }
        return constant;
    }

    private OptionalDouble positiveNumber(Expr value, String what) {
        OptionalDouble number = number(value, what);
        if (number.isPresent() && !(number.getAsDouble() > 0)) {
            diagnostics.error(DiagnosticCode.BAD_OPTION_VALUE, value.span(), "'" + what + "' must be greater than 0, "
                    + "not " + value.span().text());
            return OptionalDouble.empty();
        }
        return number;
    }

    private static String describe(Flow flow) {
        if (flow instanceof Flow.Vectors vectors) {
            return vectors.sequence() ? "the layer below gives a sequence of " + vectors.size() + "-vectors"
                    : "the layer below gives one " + vectors.size() + "-vector (set return_sequences = true on it "
                    + "to pass the whole sequence)";
        }
        Flow.Images images = (Flow.Images) flow;
        String shape = images.channels() + "x" + images.height() + "x" + images.width();
        return images.sequence() ? "the layer below gives a sequence of " + shape + " images"
                : "the layer below gives one " + shape + " image";
    }
}
