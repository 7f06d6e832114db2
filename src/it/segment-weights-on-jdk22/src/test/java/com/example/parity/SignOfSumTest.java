package com.example.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The same training as train-a-generated-network, with the packed weights in memory segments. */
class SignOfSumTest {
    @Test
    void sgdOnComputeGradientsLowersTheLoss() {
        int batch = 32;
        int steps = 6;
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[batch * steps * SignOfSum.INPUT_SIZE];
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            float sum = 0;
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < SignOfSum.INPUT_SIZE; i++) {
                    float v = (float) random.nextDouble(-1, 1);
                    x[(b * steps + t) * SignOfSum.INPUT_SIZE + i] = v;
                    if (i == 0) {
                        sum += v;
                    }
                }
            }
            labels[b] = sum > 0 ? 1 : 0;
        }

        SignOfSum network = new SignOfSum(batch, steps);
        network.initialize(42);
        float first = network.computeGradients(x, labels, batch, steps);
        float loss = first;
        for (int step = 0; step < 40; step++) {
            float[] parameters = network.parameters();
            float[] gradients = network.gradients();
            for (int i = 0; i < parameters.length; i++) {
                parameters[i] -= 0.5f * gradients[i];
            }
            loss = network.computeGradients(x, labels, batch, steps);
        }
        System.out.println("rnnc-it: loss " + first + " -> " + loss);
        assertTrue(loss < 0.8f * first, "loss " + first + " -> " + loss);

        float[] y = new float[batch * SignOfSum.OUTPUT_SIZE];
        network.forward(x, batch, steps, y);
        assertEquals(1.0f, y[0] + y[1], 1e-5f);
    }
}
