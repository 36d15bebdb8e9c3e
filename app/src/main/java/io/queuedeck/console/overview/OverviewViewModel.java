package io.queuedeck.console.overview;

import java.time.Instant;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.LatencyStats;
import io.queuedeck.engine.tier.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The overview's numbers, from engine snapshots. Rates and the interval percentiles are smoothed
 * (an exponential moving average over about a second) because one 100 ms interval holds only a
 * handful of completions; the Latency screen has the per-second figures. Percentiles keep their
 * last value through intervals in which nothing finished, and {@link #latencyNoteProperty()} says
 * so once that lasts.
 */
public final class OverviewViewModel {
    /** Weight of the newest interval in the smoothed rates: about 1 s of memory at 10 Hz. */
    static final double SMOOTHING = 0.2;

    /** Completions are counted over this window for the throughput: a rate of 0.05 tasks/s is not 0. */
    static final java.time.Duration RATE_WINDOW = java.time.Duration.ofSeconds(30);
    /** Until the window holds this much, the engine's own (short-interval) rate is shown, smoothed. */
    static final java.time.Duration RATE_WINDOW_MIN = java.time.Duration.ofSeconds(5);

    /** A GPU's state while it drains (its engine state is UP or SLOW). */
    public static final String DRAINING = "DRAINING";

    /**
     * One instance's load: a simulated GPU, or a backend model ({@code backend}), whose KV-cache use is
     * known only where its server publishes it (NaN otherwise).
     */
    public record GpuLoad(int id, String state, double batchPercent, double kvPercent, boolean backend) {
        public GpuLoad(int id, String state, double batchPercent, double kvPercent) {
            this(id, state, batchPercent, kvPercent, false);
        }
    }

    private final ReadOnlyDoubleWrapper throughput = new ReadOnlyDoubleWrapper(this, "throughput");
    private final ReadOnlyDoubleWrapper tokensPerSecond = new ReadOnlyDoubleWrapper(this, "tokensPerSecond");
    private final ReadOnlyLongWrapper queued = new ReadOnlyLongWrapper(this, "queued");
    private final ReadOnlyLongWrapper running = new ReadOnlyLongWrapper(this, "running");
    private final ReadOnlyLongWrapper slots = new ReadOnlyLongWrapper(this, "slots");
    private final ReadOnlyDoubleWrapper p50Ms = new ReadOnlyDoubleWrapper(this, "p50Ms");
    private final ReadOnlyDoubleWrapper p99Ms = new ReadOnlyDoubleWrapper(this, "p99Ms");
    private final ReadOnlyDoubleWrapper ttftP50Ms = new ReadOnlyDoubleWrapper(this, "ttftP50Ms");
    private final ReadOnlyDoubleWrapper oldestWaitMs = new ReadOnlyDoubleWrapper(this, "oldestWaitMs");
    private final ReadOnlyLongWrapper succeeded = new ReadOnlyLongWrapper(this, "succeeded");
    private final ReadOnlyLongWrapper rejected = new ReadOnlyLongWrapper(this, "rejected");
    private final ReadOnlyLongWrapper deadLettered = new ReadOnlyLongWrapper(this, "deadLettered");
    private final ReadOnlyLongWrapper preemptions = new ReadOnlyLongWrapper(this, "preemptions");
    private final ReadOnlyStringWrapper policy = new ReadOnlyStringWrapper(this, "policy", "");
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(this, "paused");
    private final ReadOnlyObjectWrapper<List<Integer>> queuedByPriority = new ReadOnlyObjectWrapper<>(this, "queuedByPriority", List.of());
    private final ReadOnlyObjectWrapper<List<Integer>> queuedByLevel = new ReadOnlyObjectWrapper<>(this, "queuedByLevel", List.of());
    private final ReadOnlyLongWrapper parkedOutsideLevels = new ReadOnlyLongWrapper(this, "parkedOutsideLevels");
    private final ReadOnlyObjectWrapper<Map<Tier, Integer>> queuedByTier = new ReadOnlyObjectWrapper<>(this, "queuedByTier", Map.of());
    private final ReadOnlyObjectWrapper<Map<Tier, io.queuedeck.engine.tier.TierMode>> tierModes =
            new ReadOnlyObjectWrapper<>(this, "tierModes", Map.of());
    private final ReadOnlyObjectWrapper<List<GpuLoad>> gpus = new ReadOnlyObjectWrapper<>(this, "gpus", List.of());
    private boolean first = true;
    /** (taken at, tasks succeeded so far), oldest first, covering {@link #RATE_WINDOW}. */
    private final java.util.ArrayDeque<java.util.Map.Entry<java.time.Instant, Long>> completions = new java.util.ArrayDeque<>();
    /**
     * When a task last finished (or sent its first token): smoothing goes on from a figure at most
     * {@link #FRESH} old. Smoothed across a gap, one slow second after minutes of none showed a blend
     * of the old figure and the new that matched no task ("p50 102,554 ms" for tasks of 491 s).
     */
    private Instant latencyAt, ttftAt;
    private static final java.time.Duration FRESH = java.time.Duration.ofSeconds(3);
    private final Freshness finished = new Freshness("none finished yet");
    /** A streamed answer's first token comes long before its task finishes: the TTFT tile keeps its own age. */
    private final Freshness firstTokens = new Freshness("no first token yet");
    private final ReadOnlyStringWrapper latencyNote = new ReadOnlyStringWrapper(this, "latencyNote", "");
    private final ReadOnlyStringWrapper ttftNote = new ReadOnlyStringWrapper(this, "ttftNote", "");

    /** After this long without a new figure, a latency tile says how old its figure is. */
    static final java.time.Duration LATENCY_STALE = java.time.Duration.ofSeconds(5);

    /** How old a kept latency figure is, said once nothing new has come for {@link #LATENCY_STALE}. */
    private static final class Freshness {
        private final String never;
        private java.time.Instant last;

        Freshness(String never) {
            this.never = never;
        }

        String note(boolean fresh, java.time.Instant at) {
            if (fresh) {
                last = at;
                return "";
            }
            if (last == null) {
                return never;
            }
            long seconds = java.time.Duration.between(last, at).toSeconds();
            if (seconds < LATENCY_STALE.toSeconds()) {
                return "";
            }
            return (seconds < 120 ? seconds + " s" : seconds / 60 + " min") + " old"; // short: it goes into the tile's title
        }
    }

    /** Takes in one snapshot. FX thread (or a test's thread). */
    public void apply(EngineSnapshot s) {
        double shortRate = first ? s.throughputTps() : smooth(throughput.get(), s.throughputTps());
        throughput.set(windowRate(s).orElse(shortRate));
        tokensPerSecond.set(first ? s.tokensPerSecond() : smooth(tokensPerSecond.get(), s.tokensPerSecond()));
        first = false;
        queued.set(s.queued());
        long capacity = 0;
        List<GpuLoad> loads = new ArrayList<>(s.instances().size());
        for (InstanceStatus gpu : s.instances()) {
            if (gpu.state().acceptsWork()) {
                capacity += gpu.batchCapacity();
            }
            var backend = gpu.backend();
            double kv = backend == null ? percent(gpu.kvUsedTokens(), gpu.kvCapacityTokens())
                    : backend.kvCacheUsage() == null ? Double.NaN : 100 * backend.kvCacheUsage();
            // a backend's slots are its server's, shared by its models: the GPUs screen's meter counts the same
            double busy = backend == null ? percent(gpu.running(), gpu.batchCapacity()) : percent(backend.slotsInUse(), backend.slots());
            // a draining GPU still runs what it has but takes nothing new: said as the GPUs screen says it
            String state = gpu.draining() && gpu.state().acceptsWork() ? DRAINING : gpu.state().name();
            loads.add(new GpuLoad(gpu.id(), state, busy, kv, backend != null));
        }
        slots.set(capacity); // before running: a gauge clamps its value to its maximum
        running.set(s.running());
        gpus.set(List.copyOf(loads));
        LatencyStats e2e = s.recent().endToEnd();
        latencyNote.set(finished.note(e2e.count() > 0, s.takenAt()));
        if (e2e.count() > 0) {
            boolean go = fresh(latencyAt, s.takenAt());
            p50Ms.set(go ? smooth(p50Ms.get(), e2e.p50Ms()) : e2e.p50Ms());
            p99Ms.set(go ? smooth(p99Ms.get(), e2e.p99Ms()) : e2e.p99Ms());
            latencyAt = s.takenAt();
        }
        LatencyStats ttft = s.recent().ttft();
        ttftNote.set(firstTokens.note(ttft.count() > 0, s.takenAt()));
        if (ttft.count() > 0) {
            ttftP50Ms.set(fresh(ttftAt, s.takenAt()) ? smooth(ttftP50Ms.get(), ttft.p50Ms()) : ttft.p50Ms());
            ttftAt = s.takenAt();
        }
        oldestWaitMs.set(s.oldestWaitMs());
        succeeded.set(s.counters().succeeded());
        rejected.set(s.counters().rejected());
        deadLettered.set(s.queuedByTier().getOrDefault(Tier.DEAD_LETTER, 0)); // held now, restored ones included
        preemptions.set(s.counters().preemptions());
        policy.set(s.policy());
        paused.set(s.dispatchPaused());
        if (!s.queuedByPriority().equals(queuedByPriority.get())) {
            queuedByPriority.set(s.queuedByPriority());
        }
        if (!s.queuedByLevel().equals(queuedByLevel.get())) {
            queuedByLevel.set(s.queuedByLevel());
        }
        long inLevels = s.queuedByLevel().stream().mapToLong(Integer::longValue).sum();
        parkedOutsideLevels.set(Math.max(0, s.queued() - inLevels));
        if (!s.tierModes().equals(tierModes.get())) {
            tierModes.set(s.tierModes());
        }
        if (!s.queuedByTier().equals(queuedByTier.get())) {
            queuedByTier.set(s.queuedByTier());
        }
    }

    /** Tasks completed per second over the last {@link #RATE_WINDOW}, once the window holds {@link #RATE_WINDOW_MIN}. */
    private java.util.OptionalDouble windowRate(EngineSnapshot s) {
        completions.addLast(java.util.Map.entry(s.takenAt(), s.counters().succeeded()));
        while (completions.size() > 2 && java.time.Duration.between(completions.getFirst().getKey(), s.takenAt()).compareTo(RATE_WINDOW) > 0) {
            completions.removeFirst();
        }
        var oldest = completions.getFirst();
        java.time.Duration covered = java.time.Duration.between(oldest.getKey(), s.takenAt());
        if (covered.compareTo(RATE_WINDOW_MIN) < 0 || s.counters().succeeded() < oldest.getValue()) {
            return java.util.OptionalDouble.empty();
        }
        return java.util.OptionalDouble.of((s.counters().succeeded() - oldest.getValue()) / (covered.toNanos() / 1e9));
    }

    private static boolean fresh(Instant last, Instant now) {
        return last != null && !now.isAfter(last.plus(FRESH));
    }

    private static double smooth(double previous, double next) {
        return previous + SMOOTHING * (next - previous);
    }

    private static double percent(double part, double whole) {
        return whole <= 0 ? 0 : 100.0 * part / whole;
    }

    public ReadOnlyDoubleProperty throughputProperty() { return throughput.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty tokensPerSecondProperty() { return tokensPerSecond.getReadOnlyProperty(); }
    public ReadOnlyLongProperty queuedProperty() { return queued.getReadOnlyProperty(); }
    public ReadOnlyLongProperty runningProperty() { return running.getReadOnlyProperty(); }
    /** Batch slots of the GPUs that accept work now. */
    public ReadOnlyLongProperty slotsProperty() { return slots.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty p50MsProperty() { return p50Ms.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty p99MsProperty() { return p99Ms.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty ttftP50MsProperty() { return ttftP50Ms.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty oldestWaitMsProperty() { return oldestWaitMs.getReadOnlyProperty(); }
    public ReadOnlyLongProperty succeededProperty() { return succeeded.getReadOnlyProperty(); }
    public ReadOnlyLongProperty rejectedProperty() { return rejected.getReadOnlyProperty(); }
    public ReadOnlyLongProperty deadLetteredProperty() { return deadLettered.getReadOnlyProperty(); }
    public ReadOnlyLongProperty preemptionsProperty() { return preemptions.getReadOnlyProperty(); }
    public ReadOnlyStringProperty policyProperty() { return policy.getReadOnlyProperty(); }
    /** Empty while tasks finish; otherwise how long ago the last one did (the percentiles keep its figures). */
    public ReadOnlyStringProperty latencyNoteProperty() { return latencyNote.getReadOnlyProperty(); }
    /** Like {@link #latencyNoteProperty()}, for time to first token. */
    public ReadOnlyStringProperty ttftNoteProperty() { return ttftNote.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty pausedProperty() { return paused.getReadOnlyProperty(); }
    /** Waiting tasks per priority 0..9. */
    public ReadOnlyObjectProperty<List<Integer>> queuedByPriorityProperty() { return queuedByPriority.getReadOnlyProperty(); }
    /** Waiting tasks per policy level (MLFQ levels; one entry for flat policies). */
    public ReadOnlyObjectProperty<List<Integer>> queuedByLevelProperty() { return queuedByLevel.getReadOnlyProperty(); }
    /** Waiting tasks in no level: parked in a paused lane or tier, or blocked on a resource. */
    public ReadOnlyLongProperty parkedOutsideLevelsProperty() { return parkedOutsideLevels.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<Map<Tier, Integer>> queuedByTierProperty() { return queuedByTier.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<List<GpuLoad>> gpusProperty() { return gpus.getReadOnlyProperty(); }
    /** Whether each tier is active, paused or draining. */
    public ReadOnlyObjectProperty<Map<Tier, io.queuedeck.engine.tier.TierMode>> tierModesProperty() { return tierModes.getReadOnlyProperty(); }
}
