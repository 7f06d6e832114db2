package com.example.plain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ForecastTest {
    @Test
    void runsWithoutTheIncubatorModule() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(), "the module is not resolved");
        Forecast forecast = new Forecast(2, 4);
        forecast.initialize(3);
        float[] x = new float[2 * 4 * Forecast.INPUT_SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] targets = {0.5f, -0.5f};
        float first = forecast.computeGradients(x, targets, 2, 4);
        float loss = first;
        for (int step = 0; step < 30; step++) {
            float[] p = forecast.parameters();
            float[] g = forecast.gradients();
            for (int i = 0; i < p.length; i++) {
                p[i] -= 0.1f * g[i];
            }
            loss = forecast.computeGradients(x, targets, 2, 4);
        }
        assertTrue(loss < first, first + " -> " + loss);
    }
}
