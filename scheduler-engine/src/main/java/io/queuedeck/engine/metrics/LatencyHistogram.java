package io.queuedeck.engine.metrics;

import io.queuedeck.engine.snapshot.LatencyStats;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution recorded in microseconds (3 significant digits by default, up to one day).
 * Single writer: the scheduler loop records, and readers get {@link LatencyStats} copies.
 *
 * <p>Reading percentiles walks the counts array up to each percentile's bucket, and clearing
 * zeroes the whole array: with 3 significant digits that is 28,672 counts (224 KB), with 2 it is
 * 3,968 (31 KB). Fewer digits suit histograms that are read and cleared often.
 */
public final class LatencyHistogram {
    private static final long MAX_MICROS = 86_400_000_000L;
    private final Histogram histogram;
    /**
     * Exact sum of the recorded values, for the mean: HdrHistogram's {@code getMean()} walks every
     * bucket with an iterator (~0.4 ms per histogram), and the loop takes stats of 36 histograms on
     * every snapshot, which stalled it ~11 ms every 100 ms. The sum is also exact, not bucket midpoints.
     */
    private long sumMicros;

    /** Three significant digits: values within 0.1%. */
    public LatencyHistogram() {
        this(3);
    }

    /** @param significantDigits 1..5: values are kept within 10^-digits of what was recorded */
    public LatencyHistogram(int significantDigits) {
        histogram = new Histogram(MAX_MICROS, significantDigits);
    }

    public void recordNanos(long nanos) {
        long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1_000));
        histogram.recordValue(micros);
        sumMicros += micros;
    }

    public long count() {
        return histogram.getTotalCount();
    }

    public void reset() {
        if (histogram.getTotalCount() == 0) {
            return; // clearing zeroes the whole counts array (~220 KB): skip it when there is nothing to clear
        }
        histogram.reset();
        sumMicros = 0;
    }

    public void add(LatencyHistogram other) {
        histogram.add(other.histogram);
        sumMicros += other.sumMicros;
    }

    public LatencyStats stats() {
        if (histogram.getTotalCount() == 0) {
            return LatencyStats.EMPTY;
        }
        return new LatencyStats(histogram.getTotalCount(), (double) sumMicros / histogram.getTotalCount() / 1e3,
                millis(50), millis(90), millis(95), millis(99), histogram.getMaxValue() / 1e3);
    }

    private double millis(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
