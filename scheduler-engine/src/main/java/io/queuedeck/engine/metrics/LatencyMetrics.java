package io.queuedeck.engine.metrics;

import io.queuedeck.engine.task.TaskSpec;

/**
 * Queue wait, time to first token and end-to-end latency, overall and per priority, both since
 * start and since the last {@link #takeInterval()} (the window the console charts).
 * Single writer: the scheduler loop.
 */
public final class LatencyMetrics {
    private static final int PRIORITIES = TaskSpec.MAX_PRIORITY + 1;

    private final Triple total = new Triple();
    private final Triple interval = new Triple();
    private final Triple[] byPriority = new Triple[PRIORITIES];

    public LatencyMetrics() {
        for (int p = 0; p < PRIORITIES; p++) {
            byPriority[p] = new Triple();
        }
    }

    /** The three distributions of one group of tasks. */
    public record Stats(LatencyStats queueWait, LatencyStats ttft, LatencyStats endToEnd) {}

    public void recordTtft(int priority, long nanos) {
        total.ttft.recordNanos(nanos);
        interval.ttft.recordNanos(nanos);
        byPriority[priority].ttft.recordNanos(nanos);
    }

    /** A task finished: its total queue wait and its end-to-end latency. */
    public void recordCompletion(int priority, long waitNanos, long endToEndNanos) {
        total.wait.recordNanos(waitNanos);
        interval.wait.recordNanos(waitNanos);
        byPriority[priority].wait.recordNanos(waitNanos);
        total.endToEnd.recordNanos(endToEndNanos);
        interval.endToEnd.recordNanos(endToEndNanos);
        byPriority[priority].endToEnd.recordNanos(endToEndNanos);
    }

    public Stats total() {
        return total.stats();
    }

    public Stats priority(int priority) {
        return byPriority[priority].stats();
    }

    /** Stats since the last {@link #takeInterval()}, leaving the interval running. */
    public Stats interval() {
        return interval.stats();
    }

    /** Stats since the previous call, then starts a new interval. */
    public Stats takeInterval() {
        Stats stats = interval.stats();
        interval.reset();
        return stats;
    }

    private static final class Triple {
        final LatencyHistogram wait = new LatencyHistogram();
        final LatencyHistogram ttft = new LatencyHistogram();
        final LatencyHistogram endToEnd = new LatencyHistogram();

        Stats stats() {
            return new Stats(wait.stats(), ttft.stats(), endToEnd.stats());
        }

        void reset() {
            wait.reset();
            ttft.reset();
            endToEnd.reset();
        }
    }
}
