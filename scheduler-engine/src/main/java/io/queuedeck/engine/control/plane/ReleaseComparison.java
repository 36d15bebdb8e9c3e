package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Stable against canary, from the final views of the tasks each classified: end-to-end latency
 * percentiles by business class, failures, deadline misses and throughput, since the canary
 * started and over the current window. At the end of each window it judges whether the canary is
 * worse than stable by more than the margin. Fed by the completion feed's thread, read by the
 * API's: every method is synchronized (one short critical section per finished task).
 */
final class ReleaseComparison {
    /** Latency samples kept per release and window: beyond it, percentiles are of the first ones. */
    private static final int MAX_SAMPLES = 200_000;

    private final double margin;
    private final long windowNanos;
    private final int minTasks;
    private final LongFunction<Instant> toInstant;
    private final long startedAt;
    private final Tally[] total = {new Tally(), new Tally()};
    private Tally[] window = {new Tally(), new Tally()};
    private long windowStart;
    private String lastJudgement = "no window has ended yet";

    /**
     * @param margin     relative margin the canary may be worse by (0.2: 20%); NaN for no automatic rollback
     * @param window     the judging window
     * @param minTasks   finished tasks each release needs in a window to be judged
     * @param startedAt  engine-clock nanos the canary started at
     */
    ReleaseComparison(double margin, Duration window, int minTasks, long startedAt, LongFunction<Instant> toInstant) {
        this.margin = margin;
        this.windowNanos = window.toNanos();
        this.minTasks = minTasks;
        this.startedAt = startedAt;
        this.windowStart = startedAt;
        this.toInstant = toInstant;
    }

    /**
     * Counts a finished task of either release; answers why the canary must be rolled back when
     * this completion closed a window in which it was worse, else null.
     */
    synchronized String record(TaskView view) {
        TaskSpec.Classification c = view.spec().classification();
        if (c == null || view.arrivedAt() < startedAt) {
            return null; // classified before this canary: neither side of it
        }
        int side = TaskSpec.Classification.CANARY.equals(c.release()) ? 1 : 0;
        String verdict = null;
        long now = view.finishedAt();
        if (now - windowStart >= windowNanos) {
            verdict = judge();
            windowStart += (now - windowStart) / windowNanos * windowNanos;
            window = new Tally[] {new Tally(), new Tally()};
        }
        total[side].add(view, toInstant);
        window[side].add(view, toInstant);
        return verdict;
    }

    /** The reason to roll back, or null: compares the window that just ended. */
    private String judge() {
        Tally stable = window[0];
        Tally canary = window[1];
        if (Double.isNaN(margin)) {
            lastJudgement = "automatic rollback is off";
            return null;
        }
        if (stable.finished < minTasks || canary.finished < minTasks) {
            lastJudgement = "window not judged: " + stable.finished + " stable and " + canary.finished
                    + " canary tasks finished, " + minTasks + " each needed";
            return null;
        }
        double sp99 = stable.percentile(null, 0.99);
        double cp99 = canary.percentile(null, 0.99);
        if (cp99 > sp99 * (1 + margin)) {
            return lastJudgement = String.format(java.util.Locale.ROOT, "canary p99 end-to-end latency %.1f ms is more than"
                    + " %.0f%% above stable's %.1f ms", cp99, margin * 100, sp99);
        }
        if (worse(canary.failedShare(), stable.failedShare())) {
            return lastJudgement = String.format(java.util.Locale.ROOT, "canary failed %.1f%% of its tasks, stable %.1f%%",
                    canary.failedShare() * 100, stable.failedShare() * 100);
        }
        if (worse(canary.missShare(), stable.missShare())) {
            return lastJudgement = String.format(java.util.Locale.ROOT, "canary missed the deadline of %.1f%% of its"
                    + " tasks, stable %.1f%%", canary.missShare() * 100, stable.missShare() * 100);
        }
        lastJudgement = "canary within " + Math.round(margin * 100) + "% of stable over the last window";
        return null;
    }

    /** Worse by more than the margin, and by at least one point in a hundred (shares near 0 are noise). */
    private boolean worse(double canary, double stable) {
        return canary > stable * (1 + margin) && canary - stable >= 0.01;
    }

    /** The comparison as the API shows it, with what flow control did to each release since the start. */
    synchronized Comparison comparison(long now, FlowCounts flow) {
        return new Comparison(total[0].summary(now - startedAt, flow.stable()), total[1].summary(now - startedAt,
                flow.canary()), lastJudgement);
    }

    /**
     * Both releases side by side, since the canary started.
     *
     * @param judgement what the last window's judgement said
     */
    record Comparison(Summary stable, Summary canary, @JsonProperty("last_judgement") String judgement) {}

    /**
     * One release's figures.
     *
     * @param timedOut TIMED_OUT tasks (past their deadline or their tier's queue_ttl)
     * @param flow     what flow control did to its tasks since the canary started: shed (refused new
     *                 tasks, which never finish), spilled, parked, timed out by queue_ttl, demoted
     */
    record Summary(long finished, long failed, @JsonProperty("deadline_misses") long deadlineMisses,
                   @JsonProperty("timed_out") long timedOut,
                   @JsonProperty("throughput_per_s") double throughputPerSecond,
                   @JsonProperty("latency_ms") Map<String, Percentiles> latencyMs, FlowCounts.Counts flow) {}

    /** End-to-end latency percentiles of one business class ({@code all} for every task). */
    record Percentiles(long count, double p50, double p95, double p99) {}

    /** Figures of one release over some time. */
    private static final class Tally {
        long finished;
        long failed;
        long deadlineMisses;
        long timedOut;
        final Map<String, long[]> samples = new TreeMap<>();
        final Map<String, Integer> counts = new TreeMap<>();
        int kept;

        void add(TaskView view, LongFunction<Instant> toInstant) {
            finished++;
            if (view.state() == TaskState.FAILED || view.state() == TaskState.DEAD_LETTERED) {
                failed++;
            }
            if (view.state() == TaskState.TIMED_OUT) {
                timedOut++;
            }
            Instant deadline = view.spec().deadline();
            if (view.state() == TaskState.TIMED_OUT
                    || deadline != null && view.finishedAt() >= 0 && toInstant.apply(view.finishedAt()).isAfter(deadline)) {
                deadlineMisses++;
            }
            if (view.state() == TaskState.SUCCEEDED && kept < MAX_SAMPLES) {
                long micros = (view.finishedAt() - view.arrivedAt()) / 1_000;
                String businessClass = view.spec().businessClass() == null ? "(none)" : view.spec().businessClass();
                keep("all", micros);
                keep(businessClass, micros);
                kept++;
            }
        }

        private void keep(String key, long micros) {
            long[] values = samples.computeIfAbsent(key, k -> new long[16]);
            int n = counts.getOrDefault(key, 0);
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
                samples.put(key, values);
            }
            values[n] = micros;
            counts.put(key, n + 1);
        }

        double failedShare() {
            return finished == 0 ? 0 : (double) failed / finished;
        }

        double missShare() {
            return finished == 0 ? 0 : (double) deadlineMisses / finished;
        }

        /** A percentile in milliseconds, of {@code key} (null for all), 0 when none. */
        double percentile(String key, double q) {
            String k = key == null ? "all" : key;
            int n = counts.getOrDefault(k, 0);
            if (n == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(samples.get(k), n);
            Arrays.sort(sorted);
            return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1_000.0;
        }

        Summary summary(long elapsedNanos, FlowCounts.Counts flow) {
            Map<String, Percentiles> latency = new LinkedHashMap<>();
            for (String key : counts.keySet()) {
                latency.put(key, new Percentiles(counts.get(key), percentile(key, 0.50), percentile(key, 0.95),
                        percentile(key, 0.99)));
            }
            double seconds = Math.max(1e-9, elapsedNanos / 1e9);
            return new Summary(finished, failed, deadlineMisses, timedOut, finished / seconds, latency, flow);
        }
    }
}
