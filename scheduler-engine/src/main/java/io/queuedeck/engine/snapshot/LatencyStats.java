package io.queuedeck.engine.snapshot;

/**
 * Summary of one latency distribution, in milliseconds.
 *
 * @param count number of samples
 */
public record LatencyStats(long count, double meanMs, double p50Ms, double p90Ms, double p95Ms, double p99Ms,
                           double maxMs) {
    public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0);
}
