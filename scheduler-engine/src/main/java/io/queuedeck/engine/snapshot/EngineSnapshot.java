package io.queuedeck.engine.snapshot;

import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import io.queuedeck.engine.tier.Tiers;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The whole engine at one moment: immutable, published by the scheduler loop at a bounded rate,
 * and the only thing the console reads.
 *
 * @param clockNanos       engine clock reading when taken
 * @param takenAt          the same moment on the wall clock
 * @param policy           live scheduling policy
 * @param dispatchPaused   whether dispatch is paused
 * @param queued           waiting tasks (queued or preempted)
 * @param queuedByPriority waiting tasks per priority 0..9
 * @param queuedByLevel    waiting tasks the policy holds, per level (MLFQ levels; one entry for flat
 *                         policies); tasks parked in a paused lane or blocked on a resource are in none
 * @param queuedByTier     waiting tasks per tier; DEAD_LETTER counts dead-lettered tasks kept
 * @param running          tasks on instances
 * @param instances        every executor instance
 * @param counters         totals since start
 * @param throughputTps    tasks completed per second over the last interval
 * @param tokensPerSecond  tokens generated per second over the last interval, counted as they are generated
 * @param oldestWaitMs     how long the longest-waiting task has waited
 * @param total            latency since start
 * @param recent           latency over the last interval
 * @param byPriority       latency since start, per priority 0..9, over finished tasks (their TTFT too)
 * @param eventsDropped    events lost by slow subscribers
 * @param tierModes        whether each tier is active, paused or draining, in tier order: its keys are the
 *                         tier table ({@link #tiers()})
 * @param laneModes        whether each priority lane 0..9 is active, paused or draining on its own
 *                         (a lane also stops while its tier is paused)
 * @param lastSecond       latency of the last whole second of the wall clock, exact (what a chart
 *                         plots one point a second of); {@link SecondLatency#NONE} before the first
 * @param flow             flow control: saturation and per-tier counts (docs/flow-control.md)
 * @param policyParameters the live policy's parameters as given (its defaults hold for the others)
 */
public record EngineSnapshot(
        long clockNanos,
        Instant takenAt,
        String policy,
        boolean dispatchPaused,
        int queued,
        List<Integer> queuedByPriority,
        List<Integer> queuedByLevel,
        Map<Tier, Integer> queuedByTier,
        int running,
        List<InstanceStatus> instances,
        Counters counters,
        double throughputTps,
        double tokensPerSecond,
        double oldestWaitMs,
        LatencySummary total,
        LatencySummary recent,
        List<LatencySummary> byPriority,
        long eventsDropped,
        Map<Tier, TierMode> tierModes,
        List<TierMode> laneModes,
        SecondLatency lastSecond,
        FlowStats flow,
        Map<String, String> policyParameters) {

    public EngineSnapshot {
        policyParameters = policyParameters == null ? Map.of() : Map.copyOf(policyParameters);
    }

    /** A snapshot with flow-control figures and no policy parameters. */
    public EngineSnapshot(long clockNanos, Instant takenAt, String policy, boolean dispatchPaused, int queued,
                          List<Integer> queuedByPriority, List<Integer> queuedByLevel, Map<Tier, Integer> queuedByTier,
                          int running, List<InstanceStatus> instances, Counters counters, double throughputTps,
                          double tokensPerSecond, double oldestWaitMs, LatencySummary total, LatencySummary recent,
                          List<LatencySummary> byPriority, long eventsDropped, Map<Tier, TierMode> tierModes,
                          List<TierMode> laneModes, SecondLatency lastSecond, FlowStats flow) {
        this(clockNanos, takenAt, policy, dispatchPaused, queued, queuedByPriority, queuedByLevel, queuedByTier, running,
                instances, counters, throughputTps, tokensPerSecond, oldestWaitMs, total, recent, byPriority, eventsDropped,
                tierModes, laneModes, lastSecond, flow, Map.of());
    }

    /** A snapshot without flow-control figures ({@link FlowStats#NONE}). */
    public EngineSnapshot(long clockNanos, Instant takenAt, String policy, boolean dispatchPaused, int queued,
                          List<Integer> queuedByPriority, List<Integer> queuedByLevel, Map<Tier, Integer> queuedByTier,
                          int running, List<InstanceStatus> instances, Counters counters, double throughputTps,
                          double tokensPerSecond, double oldestWaitMs, LatencySummary total, LatencySummary recent,
                          List<LatencySummary> byPriority, long eventsDropped, Map<Tier, TierMode> tierModes,
                          List<TierMode> laneModes, SecondLatency lastSecond) {
        this(clockNanos, takenAt, policy, dispatchPaused, queued, queuedByPriority, queuedByLevel, queuedByTier, running,
                instances, counters, throughputTps, tokensPerSecond, oldestWaitMs, total, recent, byPriority, eventsDropped,
                tierModes, laneModes, lastSecond, FlowStats.NONE);
    }

    /**
     * Latency of the tasks that finished in one second (counted up to the first snapshot of the
     * next second, so a sample may be up to one snapshot interval late).
     *
     * @param second     the second, truncated; null for {@link #NONE}
     * @param overall    every task
     * @param byPriority per priority 0..9
     */
    public record SecondLatency(Instant second, LatencySummary overall, List<LatencySummary> byPriority) {
        /** No second closed yet. */
        public static final SecondLatency NONE = new SecondLatency(null, LatencySummary.EMPTY,
                Collections.nCopies(TaskSpec.MAX_PRIORITY + 1, LatencySummary.EMPTY));
    }

    /** Whether a lane of this priority dispatches: neither it nor its tier is paused. */
    public boolean laneRuns(int priority) {
        return laneModes.get(priority) != TierMode.PAUSED && tierModes.get(tierOf(priority)) != TierMode.PAUSED;
    }

    /** The engine's tier table, read off {@link #tierModes}' keys. */
    public Tiers tiers() {
        return Tiers.of(tierModes.keySet());
    }

    /** The tier a waiting task of this priority is in: a walk over at most ten tiers. */
    public Tier tierOf(int priority) {
        for (Tier tier : tierModes.keySet()) {
            if (tier.holds(priority)) {
                return tier;
            }
        }
        throw new IllegalArgumentException("no tier holds priority " + priority);
    }

    /**
     * Totals since the engine started.
     *
     * @param submitted    tasks accepted
     * @param rejected     submissions refused at admission
     * @param succeeded    tasks completed
     * @param failed       failed attempts (each may be retried)
     * @param retried      failed attempts queued again
     * @param cancelled    tasks cancelled
     * @param deadLettered tasks that exhausted their attempts or failed beyond retrying
     * @param preemptions  times a running task gave up its slot
     * @param timedOut     waiting tasks that reached their deadline before they started
     */
    public record Counters(long submitted, long rejected, long succeeded, long failed, long retried, long cancelled,
                           long deadLettered, long preemptions, long timedOut) {}
}
