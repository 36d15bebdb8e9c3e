package io.queuedeck.engine.metrics;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution recorded in microseconds (3 significant digits, up to one day).
 * Single writer: the scheduler loop records, and readers get {@link LatencyStats} copies.
 */
public final class LatencyHistogram {
    private static final long MAX_MICROS = 86_400_000_000L;
    private final Histogram histogram = new Histogram(MAX_MICROS, 3);
    /**
     * Exact sum of the recorded values, for the mean: HdrHistogram's {@code getMean()} walks every
     * bucket with an iterator (~0.4 ms per histogram), and the loop takes stats of 36 histograms on
     * every snapshot, which stalled it ~11 ms every 100 ms. The sum is also exact, not bucket midpoints.
     */
    private long sumMicros;

    public void recordNanos(long nanos) {
        long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1_000));
        histogram.recordValue(micros);
        sumMicros += micros;
    }

    public long count() {
        return histogram.getTotalCount();
    }

    public void reset() {
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
