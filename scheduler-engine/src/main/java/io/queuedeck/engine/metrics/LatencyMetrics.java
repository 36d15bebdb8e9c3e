package io.queuedeck.engine.metrics;

import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Collections;
import java.util.List;

/**
 * Queue wait, time to first token and end-to-end latency, overall and per priority, both since
 * start and since the last {@link #takeInterval()} (the window the console charts).
 * Single writer: the scheduler loop.
 *
 * <p>Reading is on the loop's snapshot path (every 100 ms), so it only does work for
 * distributions that changed: since-start stats are cached until a sample arrives, and the
 * per-priority stats of the current second are {@link LatencySummary#EMPTY} for a priority
 * without samples, with no histogram read or cleared. Those per-second histograms keep 2
 * significant digits (values within 1%) instead of 3: they are read and cleared every second,
 * and both cost in proportion to the histogram's size, 7 times smaller with 2 digits
 * (docs/performance.md, "Snapshot cost").
 */
public final class LatencyMetrics {
    private static final int PRIORITIES = TaskSpec.MAX_PRIORITY + 1;
    private static final List<LatencySummary> NO_SAMPLES = Collections.nCopies(PRIORITIES, LatencySummary.EMPTY);

    private final Triple total = new Triple();
    private final Triple interval = new Triple();
    private final Triple[] byPriority = new Triple[PRIORITIES];
    /** The same over a longer window, the second the console charts a point for (see {@link #takeSecond}). */
    private final Triple second = new Triple();
    private final Triple[] secondByPriority = new Triple[PRIORITIES];
    private int secondPriorities;

    public LatencyMetrics() {
        for (int p = 0; p < PRIORITIES; p++) {
            byPriority[p] = new Triple();
            secondByPriority[p] = new Triple(2);
        }
    }

    /**
     * Latency over one window.
     *
     * @param overall    every task
     * @param byPriority per priority 0..9; {@link LatencySummary#EMPTY} for a priority without samples
     */
    public record Interval(LatencySummary overall, List<LatencySummary> byPriority) {}

    /** A first token, as it comes: the charts show it before the task finishes (the since-start table at completion). */
    public void recordTtft(int priority, long nanos) {
        total.ttft.recordNanos(nanos);
        interval.ttft.recordNanos(nanos);
        second.ttft.recordNanos(nanos);
        secondByPriority[priority].ttft.recordNanos(nanos);
        touched(priority);
    }

    /**
     * A task finished: its total queue wait, its end-to-end latency and its time to first token
     * (negative: none). The since-start figures per priority take all three here, so they describe
     * the same tasks: counted at first token, a task cancelled or moved after it made a class's TTFT
     * p50 exceed its end-to-end p99.
     */
    public void recordCompletion(int priority, long waitNanos, long endToEndNanos, long ttftNanos) {
        total.wait.recordNanos(waitNanos);
        interval.wait.recordNanos(waitNanos);
        byPriority[priority].wait.recordNanos(waitNanos);
        if (ttftNanos >= 0) {
            byPriority[priority].ttft.recordNanos(ttftNanos);
        }
        total.endToEnd.recordNanos(endToEndNanos);
        interval.endToEnd.recordNanos(endToEndNanos);
        byPriority[priority].endToEnd.recordNanos(endToEndNanos);
        second.wait.recordNanos(waitNanos);
        second.endToEnd.recordNanos(endToEndNanos);
        secondByPriority[priority].wait.recordNanos(waitNanos);
        secondByPriority[priority].endToEnd.recordNanos(endToEndNanos);
        touched(priority);
    }

    private void touched(int priority) {
        total.changed = true;
        interval.changed = true;
        byPriority[priority].changed = true;
        second.changed = true;
        secondByPriority[priority].changed = true;
        secondPriorities |= 1 << priority;
    }

    public LatencySummary total() {
        return total.stats();
    }

    public LatencySummary priority(int priority) {
        return byPriority[priority].stats();
    }

    /** Since-start stats per priority 0..9. */
    public List<LatencySummary> byPriority() {
        LatencySummary[] stats = new LatencySummary[PRIORITIES];
        for (int p = 0; p < PRIORITIES; p++) {
            stats[p] = byPriority[p].stats();
        }
        return List.of(stats);
    }

    /** Stats since the last {@link #takeInterval()}, leaving the interval running. */
    public LatencySummary interval() {
        return interval.stats();
    }

    /** Stats since the previous call, then starts a new interval. */
    public LatencySummary takeInterval() {
        LatencySummary taken = interval.stats();
        interval.reset();
        return taken;
    }

    /**
     * Stats since the previous call, then starts a new window: exact percentiles over a longer
     * window than one interval (a charted second), where averaging the intervals' own
     * percentiles would not be.
     */
    public Interval takeSecond() {
        LatencySummary[] stats = new LatencySummary[PRIORITIES];
        for (int p = 0; p < PRIORITIES; p++) {
            stats[p] = (secondPriorities & (1 << p)) == 0 ? LatencySummary.EMPTY : secondByPriority[p].stats();
        }
        Interval taken = new Interval(second.stats(), secondPriorities == 0 ? NO_SAMPLES : List.of(stats));
        second.reset();
        for (int bits = secondPriorities; bits != 0; bits &= bits - 1) {
            secondByPriority[Integer.numberOfTrailingZeros(bits)].reset();
        }
        secondPriorities = 0;
        return taken;
    }

    private static final class Triple {
        final LatencyHistogram wait;
        final LatencyHistogram ttft;
        final LatencyHistogram endToEnd;
        /** Whether a sample arrived (or a reset happened) since {@link #stats} was computed. */
        boolean changed = true;
        LatencySummary stats;

        Triple() {
            this(3);
        }

        Triple(int significantDigits) {
            wait = new LatencyHistogram(significantDigits);
            ttft = new LatencyHistogram(significantDigits);
            endToEnd = new LatencyHistogram(significantDigits);
        }

        LatencySummary stats() {
            if (changed || stats == null) {
                stats = new LatencySummary(wait.stats(), ttft.stats(), endToEnd.stats());
                changed = false;
            }
            return stats;
        }

        void reset() {
            wait.reset();
            ttft.reset();
            endToEnd.reset();
            changed = true;
        }
    }
}
