package io.queuedeck.engine.metrics;

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
 * per-priority interval stats of a priority without samples are {@link Stats#EMPTY}, with no
 * histogram read or cleared. The per-priority interval histograms keep 2 significant digits
 * (values within 1%) instead of 3: they are read and cleared every interval, and both cost in
 * proportion to the histogram's size, 7 times smaller with 2 digits (docs/performance.md,
 * "Snapshot cost").
 */
public final class LatencyMetrics {
    private static final int PRIORITIES = TaskSpec.MAX_PRIORITY + 1;
    private static final List<Stats> NO_SAMPLES = Collections.nCopies(PRIORITIES, Stats.EMPTY);

    private final Triple total = new Triple();
    private final Triple interval = new Triple();
    private final Triple[] byPriority = new Triple[PRIORITIES];
    private final Triple[] intervalByPriority = new Triple[PRIORITIES];
    /** Bit p set: priority p has samples in the current interval. */
    private int intervalPriorities;
    /** The same over a longer window, the second the console charts a point for (see {@link #takeSecond}). */
    private final Triple second = new Triple();
    private final Triple[] secondByPriority = new Triple[PRIORITIES];
    private int secondPriorities;

    public LatencyMetrics() {
        for (int p = 0; p < PRIORITIES; p++) {
            byPriority[p] = new Triple();
            intervalByPriority[p] = new Triple(2);
            secondByPriority[p] = new Triple(2);
        }
    }

    /** The three distributions of one group of tasks. */
    public record Stats(LatencyStats queueWait, LatencyStats ttft, LatencyStats endToEnd) {
        /** No samples at all. */
        public static final Stats EMPTY = new Stats(LatencyStats.EMPTY, LatencyStats.EMPTY, LatencyStats.EMPTY);
    }

    /**
     * Latency over one interval.
     *
     * @param overall    every task
     * @param byPriority per priority 0..9; {@link Stats#EMPTY} for a priority without samples
     */
    public record Interval(Stats overall, List<Stats> byPriority) {}

    public void recordTtft(int priority, long nanos) {
        total.ttft.recordNanos(nanos);
        interval.ttft.recordNanos(nanos);
        byPriority[priority].ttft.recordNanos(nanos);
        intervalByPriority[priority].ttft.recordNanos(nanos);
        second.ttft.recordNanos(nanos);
        secondByPriority[priority].ttft.recordNanos(nanos);
        touched(priority);
    }

    /** A task finished: its total queue wait and its end-to-end latency. */
    public void recordCompletion(int priority, long waitNanos, long endToEndNanos) {
        total.wait.recordNanos(waitNanos);
        interval.wait.recordNanos(waitNanos);
        byPriority[priority].wait.recordNanos(waitNanos);
        intervalByPriority[priority].wait.recordNanos(waitNanos);
        total.endToEnd.recordNanos(endToEndNanos);
        interval.endToEnd.recordNanos(endToEndNanos);
        byPriority[priority].endToEnd.recordNanos(endToEndNanos);
        intervalByPriority[priority].endToEnd.recordNanos(endToEndNanos);
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
        intervalByPriority[priority].changed = true;
        intervalPriorities |= 1 << priority;
        second.changed = true;
        secondByPriority[priority].changed = true;
        secondPriorities |= 1 << priority;
    }

    public Stats total() {
        return total.stats();
    }

    public Stats priority(int priority) {
        return byPriority[priority].stats();
    }

    /** Since-start stats per priority 0..9. */
    public List<Stats> byPriority() {
        Stats[] stats = new Stats[PRIORITIES];
        for (int p = 0; p < PRIORITIES; p++) {
            stats[p] = byPriority[p].stats();
        }
        return List.of(stats);
    }

    /** Stats since the last {@link #takeInterval()}, leaving the interval running. */
    public Interval interval() {
        return new Interval(interval.stats(), intervalByPriority());
    }

    /** Stats since the previous call, then starts a new interval. */
    public Interval takeInterval() {
        Interval taken = interval();
        interval.reset();
        for (int bits = intervalPriorities; bits != 0; bits &= bits - 1) {
            intervalByPriority[Integer.numberOfTrailingZeros(bits)].reset();
        }
        intervalPriorities = 0;
        return taken;
    }

    /**
     * Stats since the previous call, then starts a new window: exact percentiles over a longer
     * window than one interval (a charted second), where averaging the intervals' own
     * percentiles would not be.
     */
    public Interval takeSecond() {
        Stats[] stats = new Stats[PRIORITIES];
        for (int p = 0; p < PRIORITIES; p++) {
            stats[p] = (secondPriorities & (1 << p)) == 0 ? Stats.EMPTY : secondByPriority[p].stats();
        }
        Interval taken = new Interval(second.stats(), secondPriorities == 0 ? NO_SAMPLES : List.of(stats));
        second.reset();
        for (int bits = secondPriorities; bits != 0; bits &= bits - 1) {
            secondByPriority[Integer.numberOfTrailingZeros(bits)].reset();
        }
        secondPriorities = 0;
        return taken;
    }

    private List<Stats> intervalByPriority() {
        if (intervalPriorities == 0) {
            return NO_SAMPLES;
        }
        Stats[] stats = new Stats[PRIORITIES];
        for (int p = 0; p < PRIORITIES; p++) {
            stats[p] = (intervalPriorities & (1 << p)) == 0 ? Stats.EMPTY : intervalByPriority[p].stats();
        }
        return List.of(stats);
    }

    private static final class Triple {
        final LatencyHistogram wait;
        final LatencyHistogram ttft;
        final LatencyHistogram endToEnd;
        /** Whether a sample arrived (or a reset happened) since {@link #stats} was computed. */
        boolean changed = true;
        Stats stats;

        Triple() {
            this(3);
        }

        Triple(int significantDigits) {
            wait = new LatencyHistogram(significantDigits);
            ttft = new LatencyHistogram(significantDigits);
            endToEnd = new LatencyHistogram(significantDigits);
        }

        Stats stats() {
            if (changed || stats == null) {
                stats = new Stats(wait.stats(), ttft.stats(), endToEnd.stats());
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
