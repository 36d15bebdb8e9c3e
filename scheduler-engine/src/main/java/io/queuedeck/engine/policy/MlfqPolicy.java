package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.tier.Tiers;
import java.util.Comparator;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * Multi-level feedback queue as FastServe (Wu et al., 2023) runs it for LLM inference.
 *
 * <ul>
 *   <li>Levels 0..K-1; level i allows a quantum of {@code q0 * 2^i} of GPU time. A running task
 *       that used up its quantum is demoted one level at the next decode step; it then yields its
 *       slot if a waiting task is more urgent (the loop asks {@link #compare}).</li>
 *   <li>Skip-join: a new task enters the most urgent level whose quantum covers its predicted
 *       prefill time ({@code prompt_tokens / prefill_tokens_per_s}), so a long prompt does not
 *       burn through the small quanta and get preempted straight away.</li>
 *   <li>Priority, twice. First, each tier of the engine's table (by default core 0-2, normal
 *       3-6, batch 7-9) has its own set of levels, served in tier order: MLFQ's size-based order works within a class of urgency and
 *       never lets a short bulk task pass a long interactive one (priority isolation). Second,
 *       priority sets the most urgent level a task may enter:
 *       {@code floor = priority * (K-1) / 9}, so priority 0 and 1 may enter level 0 and priority 9
 *       only the last level. A task enters {@code max(skip-join level, floor)}. Within a level,
 *       smaller priority numbers go first, then rank order. The order is thus
 *       (tier, given up, level, priority, rank); the tier is kept in {@link Task#policyKey()}.</li>
 *   <li>Preemption ({@code preempt}, default false; see docs/decisions/0002): see {@link #preempts}.
 *       Only priority 0..{@code preempt_through} (default 2) evicts, as in {@code priority}
 *       ({@link EvictionGuard}, decision 0082b).</li>
 *   <li>Starvation: every {@code boost_interval_ms}, tasks that have waited longer than
 *       {@code starvation_threshold_ms} since they last joined the queue are promoted to level 0
 *       of their tier. Tiers stay strict (a boost into the core tier let every bulk task that
 *       waited 3 s pass the urgent ones: 38x their idle TTFT at p99 on the conversation trace at
 *       95% load), so a lower tier can starve only while the tiers above it saturate the GPUs.</li>
 * </ul>
 */
@PolicyName("mlfq")
final class MlfqPolicy extends HeapPolicy {
    private final int levels;
    private final long quantum0Nanos;
    private final double prefillTokensPerSecond;
    private final long boostIntervalNanos;
    private final long starvationNanos;
    private final boolean preemptive;
    private final EvictionGuard guard;
    /** Null unless a predictor is configured: then skip-join covers the predicted whole job, not only the prefill. */
    private final Predictions predictions;
    private final double decodeStepNanos;
    private final int[] depth;
    private final Tiers tiers;
    /**
     * Waiting tasks above level 0, oldest join first: the starvation scan reads its head. Ordered
     * by join time rather than by insertion, because a task re-enters the policy without a new
     * join (reprioritized, or handed over by a policy switch) and keeps its place in line.
     */
    private final TreeSet<Task> boostCandidates = new TreeSet<>(
            Comparator.comparingLong(Task::enqueuedAt).thenComparingLong(Task::rank));

    MlfqPolicy(PolicyConfig config) {
        super(MlfqPolicy::order);
        levels = (int) config.longValue("levels", 6, 1, 30);
        quantum0Nanos = config.longValue("q0_ms", 10, 1, 60_000) * 1_000_000L;
        prefillTokensPerSecond = config.doubleValue("prefill_tokens_per_s", 47_000, 1, 1e9);
        boostIntervalNanos = config.longValue("boost_interval_ms", 500, 1, 3_600_000) * 1_000_000L;
        starvationNanos = config.longValue("starvation_threshold_ms", 3_000, 1, 86_400_000) * 1_000_000L;
        preemptive = config.bool("preempt", false);
        guard = EvictionGuard.of(config);
        predictions = Predictions.ifGiven(config);
        decodeStepNanos = predictions == null ? 0 : config.doubleValue("decode_step_ms", 7.4, 0.001, 10_000) * 1e6;
        depth = new int[levels];
        tiers = config.tiers();
        GiveUp giveUp = GiveUp.of(config);
        // the core tier is never given up on: its isolation is what the tiers are for
        // (as in priority, decision 0074: a late head goes behind its tier's tasks that can still meet theirs)
        giveUpOn(giveUp.never() ? null : (task, now) -> task.policyKey() > 0 && giveUp.lostObjective(task, now));
    }

    @Override
    public boolean keepsLaneOrder() {
        return true;
    }

    /** A task placed beside another takes its level, with a fresh quantum there, and its lateness. */
    @Override
    public void alignForPlace(Task moving, Task neighbour) {
        moving.setLevel(neighbour.level());
        moving.setGivenUp(neighbour.givenUp());
    }

    @Override
    public String name() {
        return "mlfq";
    }

    /**
     * Tier, then given up last within it, then level, then priority, then rank. Written out rather
     * than composed: see {@link HeapPolicy}.
     */
    static int order(Task a, Task b) {
        int byClass = Double.compare(a.policyKey(), b.policyKey());
        if (byClass != 0) {
            return byClass;
        }
        int byLate = Boolean.compare(a.givenUp(), b.givenUp());
        if (byLate != 0) {
            return byLate;
        }
        int byLevel = Integer.compare(a.level(), b.level());
        if (byLevel != 0) {
            return byLevel;
        }
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    /** Quantum of GPU time at {@code level}; the last level never expires. */
    long quantumNanos(int level) {
        return level >= levels - 1 ? Long.MAX_VALUE : quantum0Nanos << level;
    }

    /** The level a newly arrived task joins. */
    int entryLevel(Task task) {
        long prefillNanos = (long) (task.promptTokens() * 1e9 / prefillTokensPerSecond
                + (predictions == null ? 0 : predictions.tokens(task) * decodeStepNanos));
        int skipJoin = 0;
        while (skipJoin < levels - 1 && quantumNanos(skipJoin) < prefillNanos) {
            skipJoin++;
        }
        int floor = task.priority() * (levels - 1) / 9;
        return Math.max(skipJoin, floor);
    }

    @Override
    public void admit(Task task, long now) {
        task.setLevel(entryLevel(task));
    }

    @Override
    public void enqueue(Task task, long now) {
        if (task.level() >= levels) {
            // Demoted under a policy with more levels before a live switch: it was running or
            // retrying then, so it was never re-admitted. The deepest level here is its place.
            task.setLevel(levels - 1);
        }
        // the task's class: its tier in the engine's table (decision 0070)
        task.setPolicyKey(tiers.of(task.priority()).index());
        task.setGivenUp(task.placed() && task.givenUp()); // a placed task keeps its neighbour's
        super.enqueue(task, now);
        depth[task.level()]++;
        if (task.level() > 0) {
            boostCandidates.add(task);
        }
    }

    @Override
    public Task poll(long now) {
        Task task = super.poll(now);
        if (task != null) {
            forget(task);
        }
        return task;
    }

    @Override
    public boolean remove(Task task) {
        if (!super.remove(task)) {
            return false;
        }
        forget(task);
        return true;
    }

    private void forget(Task task) {
        depth[task.level()]--;
        boostCandidates.remove(task);
    }

    @Override
    public boolean preemptive() {
        return preemptive;
    }

    /**
     * FastServe's rule, in the recompute cost model: a running task yields only at the step where
     * it used up its quantum and was demoted (its level's service is back to zero), and only to a
     * task from a more urgent level that has never run. A preempted task resumes by recomputing
     * its whole context, so preempting at every arrival, or letting tasks that already ran
     * (preempted, or promoted for starvation) preempt in turn, makes tasks swap back and forth and
     * every swap pays a prefill; those take the next free slot instead. And only the urgent
     * classes evict at all ({@link EvictionGuard}): under a storm of urgent arrivals, bulk tasks
     * that evict each other at every demotion keep a backlog recomputing long after the storm.
     */
    @Override
    public boolean preempts(Task waiting, Task running, int batchSize) {
        int byClass = Double.compare(waiting.policyKey(), running.policyKey());
        if (byClass == 0) {
            byClass = Boolean.compare(waiting.givenUp(), running.givenUp());
        }
        boolean moreUrgent = byClass < 0 || byClass == 0 && waiting.level() < running.level();
        return preemptive && guard.mayEvict(waiting) && running.levelServiceNanos() == 0 && moreUrgent
                && waiting.firstDispatchAt() < 0;
    }

    @Override
    public void onStep(Task running, long now) {
        if (running.levelServiceNanos() >= quantumNanos(running.level())) {
            running.setLevel(running.level() + 1);
        }
    }

    @Override
    public long tickIntervalNanos() {
        return boostIntervalNanos;
    }

    @Override
    public void onTick(long now) {
        Iterator<Task> oldestFirst = boostCandidates.iterator();
        while (oldestFirst.hasNext()) {
            Task task = oldestFirst.next();
            if (now - task.enqueuedAt() <= starvationNanos) {
                break;
            }
            oldestFirst.remove();
            super.remove(task);
            depth[task.level()]--;
            task.setLevel(0);
            depth[0]++;
            super.enqueue(task, now);
        }
    }

    @Override
    public int levels() {
        return levels;
    }

    @Override
    public int[] depthByLevel() {
        return depth.clone();
    }

    @Override
    public void onCompleted(Task task, long now) {
        if (predictions != null) {
            predictions.completed(task);
        }
    }

    @Override
    public boolean simulationOnly() {
        return predictions != null && predictions.needsTruth();
    }
}
