package io.queuedeck.engine.exec.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped step-cost profiles against published measurements: Vidur's profiling data for
 * Llama-2-7B (all 259 token counts it measured, of which the profile keeps 27), and the
 * figures Vidur's profiles are known by (decode at batch 1 about 5.6 ms on an H100, prefill about
 * 47,000 tokens/s).
 */
class ProfileCheckTest {

    /** Mean relative error allowed over Vidur's points (measured: 4.4% on the H100, 4.5% on the A100). */
    static final double MEAN_ERROR = 0.05;
    /**
     * Largest relative error at any one point (measured: 23% and 28%, both at 136 tokens). Vidur's
     * small-batch points are noisy and not monotone (96 tokens costs more than 128 on the H100):
     * no smooth curve through a few points follows them all.
     */
    static final double MAX_ERROR = 0.30;

    @ParameterizedTest
    @ValueSource(strings = {"h100", "a100"})
    void linearCurve_matchesEveryVidurMeasurement_withinTheStatedError(String gpu) throws IOException {
        StepCost cost = StepCost.shipped(gpu);
        List<double[]> points = vidur(gpu);
        assertThat(points).hasSize(259);
        double sum = 0, worst = 0;
        for (double[] point : points) {
            double error = Math.abs(cost.linearMillis((long) point[0]) - point[1]) / point[1];
            sum += error;
            worst = Math.max(worst, error);
        }
        assertThat(sum / points.size()).as("mean relative error").isLessThan(MEAN_ERROR);
        assertThat(worst).as("largest relative error").isLessThan(MAX_ERROR);
    }

    @org.junit.jupiter.api.Test
    void h100_decodeAtBatchOneAndPrefillRate_areVidursPublishedFigures() {
        StepCost h100 = StepCost.shipped("h100");
        assertThat(h100.linearMillis(1)).isCloseTo(5.6, within(0.2));
        double tokensPerSecond = (4096 - 2048) / ((h100.linearMillis(4096) - h100.linearMillis(2048)) / 1e3);
        assertThat(tokensPerSecond).isCloseTo(47_000, within(47_000 * 0.1));
        // the whole step of a 2,048-token prompt alone: linear + attention + overhead, about 42 ms
        assertThat(h100.idlePrefillMillis(2048, 8192)).isBetween(40.0, 50.0);
    }

    private static List<double[]> vidur(String gpu) throws IOException {
        String name = "vidur-llama2-7b-" + gpu + "-linear.csv";
        try (InputStream in = ProfileCheckTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1)
                    .map(line -> line.split(","))
                    .map(f -> new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])})
                    .toList();
        }
    }
}
