package io.github.rnnc.semantics;

/** How a learnable parameter starts; the defaults follow Keras. */
public sealed interface Initializer {
    record Constant(double value) implements Initializer {
    }

    record GlorotUniform() implements Initializer {
    }

    record Orthogonal() implements Initializer {
    }

    record Uniform(double low, double high) implements Initializer {
    }

    record Normal(double mean, double std) implements Initializer {
    }
}
