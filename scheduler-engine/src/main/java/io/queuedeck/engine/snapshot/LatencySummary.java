package io.queuedeck.engine.snapshot;

/**
 * The three latency distributions of one group of tasks: how long they waited in the queue,
 * how long until their first token, and how long from arrival to the end.
 */
public record LatencySummary(LatencyStats queueWait, LatencyStats ttft, LatencyStats endToEnd) {
    /** No samples at all. */
    public static final LatencySummary EMPTY = new LatencySummary(LatencyStats.EMPTY, LatencyStats.EMPTY, LatencyStats.EMPTY);
}
