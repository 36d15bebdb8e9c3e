package io.queuedeck.engine.metrics;

import io.queuedeck.engine.snapshot.LatencyStats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Percentiles and max are HdrHistogram's own; the mean is the exact mean of what was recorded. */
class LatencyHistogramTest {

    @ParameterizedTest(name = "{0} samples")
    @ValueSource(ints = {1, 2, 3, 7, 100, 1_000, 54_321})
    void stats_matchHdrHistogramsOwnFigures(int samples) {
        Random random = new Random(samples);
        LatencyHistogram ours = new LatencyHistogram();
        Histogram reference = new Histogram(86_400_000_000L, 3);
        long sumMicros = 0;
        for (int i = 0; i < samples; i++) {
            long nanos = (long) Math.exp(random.nextGaussian() * 2.5 + 15); // µs to minutes, heavy tail
            ours.recordNanos(nanos);
            long micros = Math.min(86_400_000_000L, nanos / 1_000);
            reference.recordValue(micros);
            sumMicros += micros;
        }

        LatencyStats stats = ours.stats();

        assertThat(stats.count()).isEqualTo(reference.getTotalCount());
        assertThat(stats.meanMs()).isEqualTo((double) sumMicros / samples / 1e3);
        // and within HdrHistogram's own precision (3 significant digits) of its bucket-based mean
        assertThat(stats.meanMs()).isCloseTo(reference.getMean() / 1e3, org.assertj.core.api.Assertions.within(
                reference.getMean() / 1e3 * 1e-3 + 1e-6));
        assertThat(stats.p50Ms()).isEqualTo(reference.getValueAtPercentile(50) / 1e3);
        assertThat(stats.p90Ms()).isEqualTo(reference.getValueAtPercentile(90) / 1e3);
        assertThat(stats.p95Ms()).isEqualTo(reference.getValueAtPercentile(95) / 1e3);
        assertThat(stats.p99Ms()).isEqualTo(reference.getValueAtPercentile(99) / 1e3);
        assertThat(stats.maxMs()).isEqualTo(reference.getMaxValue() / 1e3);
    }

    @ParameterizedTest(name = "{0} significant digits")
    @ValueSource(ints = {2, 3})
    void stats_fewerDigits_matchAnHdrHistogramOfThatPrecision(int digits) {
        Random random = new Random(digits);
        LatencyHistogram ours = new LatencyHistogram(digits);
        Histogram reference = new Histogram(86_400_000_000L, digits);
        for (int i = 0; i < 1_000; i++) {
            long nanos = (long) Math.exp(random.nextGaussian() * 2.5 + 15);
            ours.recordNanos(nanos);
            reference.recordValue(Math.min(86_400_000_000L, nanos / 1_000));
        }

        assertThat(ours.stats().p50Ms()).isEqualTo(reference.getValueAtPercentile(50) / 1e3);
        assertThat(ours.stats().p99Ms()).isEqualTo(reference.getValueAtPercentile(99) / 1e3);
    }

    @Test
    void stats_afterResetAndAdd_keepTheMeanRight() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.recordNanos(1_000_000);
        a.reset();
        a.recordNanos(2_000_000);
        b.recordNanos(4_000_000);

        a.add(b);

        assertThat(a.stats().count()).isEqualTo(2);
        assertThat(a.stats().meanMs()).isEqualTo(3.0);
    }

    @Test
    void stats_ofNothing_isEmpty() {
        assertThat(new LatencyHistogram().stats()).isEqualTo(LatencyStats.EMPTY);
    }
}
