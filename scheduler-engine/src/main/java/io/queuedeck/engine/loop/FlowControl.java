package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.Timer;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tier limits on the loop (docs/flow-control.md, decisions 0028-0030): counters per tier of
 * waiting tasks, their bytes and running tasks, kept as tasks move, so every check is O(1) and
 * nothing scans the queue; one timer per waiting task of a tier with a {@code queue_ttl}. Admits
 * or sheds new work, says which tiers may start a task now ({@link TieredPolicy} asks), applies
 * TTL actions, per-tier retries, and eviction of lower tiers under saturation. Loop thread only.
 */
final class FlowControl {
    /** {@link #admit}'s answer for a task its tier parks in the dead letters. */
    static final int PARK = -1;

    private final SchedulerLoop loop;
    private final LoopCounters counters;
    private FlowSettings settings;
    final SaturationDetector saturation;
    private final int[] waiting = new int[3];
    private final long[] waitingBytes = new long[3];
    /** Running tasks by tier, oldest dispatch first: eviction takes the newest of the lowest tier. */
    private final List<LinkedHashSet<Task>> running = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>());
    private final Map<Task, Tier> runningTier = new HashMap<>();
    private final Map<String, Ttl> ttlTimers = new HashMap<>();
    private final long[] shed = new long[3];
    private final long[] spilled = new long[3];
    private final long[] parked = new long[3];
    private final long[] expired = new long[3];
    private final long[] demoted = new long[3];
    private final long[] evicted = new long[3];
    private double shareSum;
    /** The same movements per tenant, for the Flow view. */
    private final TenantLedger tenants;
    private String parkReason;
    private Tier parkTier;
    /** Tasks parked by each tier's {@code degrade: park}, oldest first, until replayed or gone from the task table. */
    private final List<LinkedHashSet<Task>> parkedTasks = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>());

    /** A waiting task's TTL timer, and when it was armed (its time in the tier started). */
    private record Ttl(Timer timer, long armedAt) {}

    FlowControl(SchedulerLoop loop, FlowSettings settings, LoopCounters counters) {
        this.loop = loop;
        this.counters = counters;
        this.settings = settings;
        this.saturation = new SaturationDetector(loop.executor);
        this.shareSum = shareSum(settings);
        this.tenants = new TenantLedger(settings);
    }

    private static double shareSum(FlowSettings settings) {
        double sum = 0;
        for (Tier tier : Tier.values()) {
            sum += tier == Tier.DEAD_LETTER ? 0 : settings.of(tier).share();
        }
        return sum;
    }

    FlowSettings settings() {
        return settings;
    }

    /**
     * New tier limits and tenant weights from a reloaded config. Counters and running tasks stay:
     * the new caps, shares and queue limits apply to the next admission and dispatch; nothing
     * queued is dropped, nothing running is stopped. A queued task's TTL timer stays armed, and is
     * checked against the tier's TTL when it fires ({@link #ttlDue}).
     *
     * @return whether the waiting tasks must be re-queued, because how tasks are split by tier or
     *         tenant changed (a tier took or dropped a cap, share or fairness, or a weight changed)
     */
    boolean reconfigure(FlowSettings next) {
        FlowSettings was = settings;
        settings = next;
        shareSum = shareSum(next);
        tenants.reconfigure(next);
        if (was.tiered() != next.tiered() || !was.weights().equals(next.weights())) {
            return true;
        }
        for (Tier tier : new Tier[] {Tier.CORE, Tier.NORMAL, Tier.BATCH}) {
            if (was.of(tier).fairness() != next.of(tier).fairness()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- admission

    /**
     * The priority a new task of {@code priority} and {@code bytes} counted bytes waits at: its own,
     * the first of a tier it spilled to, or {@link #PARK}. Throws {@link ShedException} when its
     * tier refuses it; changes no counter but the shed ones.
     */
    int admit(int priority, long bytes) {
        Tier tier = Tier.of(priority);
        TierLimits own = settings.of(tier);
        if (own.degrade() == TierLimits.Degrade.REJECT_LOWEST && lastPriority(tier) == priority
                && saturation.saturated(loop.runningCount())) {
            shed[tier.ordinal()]++;
            throw new ShedException(ShedException.Reason.SATURATED, "tiers." + name(tier) + ".degrade",
                    Math.min(60, Math.max(1, own.queueTtl().toSeconds())), "every slot is busy, and tier " + name(tier)
                    + " sheds its least urgent new work (priority " + priority + ") while it is (degrade: reject_lowest); retry later");
        }
        while (true) {
            TierLimits limits = settings.of(tier);
            String full = fullLimit(tier, limits, bytes);
            if (full == null) {
                return tier == Tier.of(priority) ? priority : tier.firstPriority();
            }
            switch (limits.degrade()) {
                case SPILL -> {
                    spilled[tier.ordinal()]++;
                    tier = tier.next();
                }
                case PARK -> {
                    parked[tier.ordinal()]++;
                    parkTier = tier;
                    parkReason = PARKED + name(tier) + " was full (" + full
                            + "); replay it when there is room";
                    return PARK;
                }
                case REJECT, REJECT_LOWEST -> {
                    shed[tier.ordinal()]++;
                    throw new ShedException(ShedException.Reason.QUOTA, full.substring(0, full.indexOf(' ')), 1,
                            "tier " + name(tier) + " is full: " + full + "; retry later");
                }
            }
        }
    }

    private static int lastPriority(Tier tier) {
        Tier next = tier.next();
        return next == null ? io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY : next.firstPriority() - 1;
    }

    /** How a parked task's error starts, then its tier's name: how a restart finds it parked again. */
    private static final String PARKED = "parked at admission: tier ";

    /** Why the task {@link #admit} last answered {@link #PARK} for is parked, for its error. */
    String parkReason() {
        return parkReason;
    }

    /** The task {@link #admit} last answered {@link #PARK} for is now dead-lettered, held for replay. */
    void parked(Task task) {
        parkedTasks.get(parkTier.ordinal()).add(task);
    }

    /** A dead-lettered task read back at a restart: parked again if its error says it was parked. */
    void restoredDeadLetter(Task task) {
        String error = task.error();
        if (error != null && error.startsWith(PARKED)) {
            for (Tier tier : new Tier[] {Tier.CORE, Tier.NORMAL, Tier.BATCH}) {
                if (error.startsWith(PARKED + name(tier) + " ")) {
                    parkedTasks.get(tier.ordinal()).add(task);
                }
            }
        }
    }

    /** A dead-lettered task is queued again (replayed): it is parked no longer. */
    void unparked(Task task) {
        for (LinkedHashSet<Task> set : parkedTasks) {
            set.remove(task);
        }
    }

    /**
     * The tasks {@code tier} parked, oldest first; those the task table no longer holds (past
     * their retention) are dropped on the way, so the walk is over parked tasks only.
     */
    List<Task> parkedTasks(Tier tier, java.util.function.Predicate<Task> filter, int limit) {
        List<Task> out = new ArrayList<>();
        var it = parkedTasks.get(tier.ordinal()).iterator();
        while (it.hasNext() && out.size() < limit) {
            Task task = it.next();
            if (loop.tasks.lookup(task.id()) != task || task.state() != TaskState.DEAD_LETTERED) {
                it.remove();
            } else if (filter.test(task)) {
                out.add(task);
            }
        }
        return out;
    }

    private String fullLimit(Tier tier, TierLimits limits, long bytes) {
        int i = tier.ordinal();
        if (limits.maxQueueTasks() > 0 && waiting[i] + 1 > limits.maxQueueTasks()) {
            return "tiers." + name(tier) + ".max_queue.tasks is " + limits.maxQueueTasks() + ", and " + waiting[i] + " wait";
        }
        if (limits.maxQueueBytes() > 0 && waitingBytes[i] + bytes > limits.maxQueueBytes()) {
            return "tiers." + name(tier) + ".max_queue.bytes is " + limits.maxQueueBytes() + ", and waiting tasks hold "
                    + waitingBytes[i] + " bytes; this one counts " + bytes;
        }
        return null;
    }

    static String name(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- counters as tasks move

    /** A task started waiting in a queue (counted by its priority's tier). */
    void joined(Task task) {
        Tier tier = Tier.of(task.priority());
        waiting[tier.ordinal()]++;
        waitingBytes[tier.ordinal()] += TaskTable.bodyBytes(task.spec());
        tenants.joined(task);
    }

    /** A task stopped waiting (it runs, finished, or moves to another priority and joins again). */
    void left(Task task) {
        Tier tier = Tier.of(task.priority());
        waiting[tier.ordinal()]--;
        waitingBytes[tier.ordinal()] -= TaskTable.bodyBytes(task.spec());
        tenants.left(task);
    }

    void started(Task task) {
        Tier tier = Tier.of(task.priority());
        runningTier.put(task, tier);
        running.get(tier.ordinal()).add(task);
        disarmTtl(task); // it waited no longer than its TTL
        tenants.started(task, loop.clock.nanos() - task.enqueuedAt());
    }

    void stopped(Task task) {
        Tier tier = runningTier.remove(task);
        if (tier != null) {
            running.get(tier.ordinal()).remove(task);
        }
    }

    // ---------------------------------------------------------------- what may start

    /** Whether a task of {@code tier} may start: the tier runs fewer than its {@code max_concurrency}. */
    boolean mayStart(Tier tier) {
        int cap = settings.of(tier).maxConcurrency();
        return cap == 0 || running.get(tier.ordinal()).size() < cap;
    }

    /** Whether {@code tier} runs fewer tasks than its guaranteed share of all slots (and may start one). */
    boolean belowShare(Tier tier) {
        double share = settings.of(tier).share();
        return share > 0 && running.get(tier.ordinal()).size() < share / shareSum * saturation.slots() && mayStart(tier);
    }

    // ---------------------------------------------------------------- queue TTL

    /** A new task (or one demoted into a tier) starts its tier's TTL. */
    void armTtl(Task task) {
        Tier tier = Tier.of(task.priority());
        if (tier == Tier.DEAD_LETTER) {
            return;
        }
        long ttl = settings.of(tier).queueTtl().toNanos();
        if (ttl > 0) {
            disarmTtl(task);
            long now = loop.clock.nanos();
            ttlTimers.put(task.id(), new Ttl(loop.clock.scheduleAfter(ttl, () -> ttlDue(task, tier, now)), now));
        }
    }

    void disarmTtl(Task task) {
        Ttl ttl = ttlTimers.remove(task.id());
        if (ttl != null) {
            ttl.timer().cancel();
        }
    }

    private void ttlDue(Task task, Tier tier, long armedAt) {
        ttlTimers.remove(task.id());
        if (!task.state().isWaiting() || loop.tasks.lookup(task.id()) != task) {
            return; // it started in time, or finished
        }
        TierLimits limits = settings.of(tier);
        long now = loop.clock.nanos();
        // a reload since it was armed: a removed TTL frees the task, a longer one waits out the rest
        long ttl = limits.queueTtl().toNanos();
        if (ttl == 0) {
            return;
        }
        if (armedAt + ttl > now) {
            ttlTimers.put(task.id(), new Ttl(loop.clock.scheduleAfter(armedAt + ttl - now, () -> ttlDue(task, tier, armedAt)),
                    armedAt));
            return;
        }
        if (limits.timeoutAction() == TierLimits.TimeoutAction.DEMOTE && tier.next() != null) {
            demoted[tier.ordinal()]++;
            loop.leaveQueue(task);
            loop.rejoinQueue(task, tier.next().firstPriority());
            loop.durable.saved(task);
            armTtl(task);
            return;
        }
        expired[tier.ordinal()]++;
        tenants.timedOut(task);
        loop.leaveQueue(task);
        task.setError("waited longer than tiers." + name(tier) + ".queue_ttl (" + limits.queueTtl() + ")");
        loop.move(task, TaskState.TIMED_OUT, now);
        counters.timedOut++;
        loop.retire(task, now);
    }

    // ---------------------------------------------------------------- retries per tier

    int maxAttempts(Task task, RetryRule engine) {
        int own = settings.of(Tier.of(task.priority())).maxAttempts();
        return own > 0 ? own : engine.maxAttempts();
    }

    long backoffNanos(Task task, RetryRule engine) {
        TierLimits limits = settings.of(Tier.of(task.priority()));
        if (limits.retryBaseDelay() == null) {
            return engine.backoffNanos(task.attempts());
        }
        long cap = limits.retryMaxDelay() != null ? limits.retryMaxDelay().toNanos() : engine.capNanos();
        long base = limits.retryBaseDelay().toNanos();
        return new RetryRule(Math.max(1, task.attempts()), base, Math.max(base, cap)).backoffNanos(task.attempts());
    }

    // ---------------------------------------------------------------- eviction

    /**
     * Under saturation, the running task a waiting {@code head} may take the place of: the newest
     * of the lowest tier below the head's that runs more than its guaranteed share, on an instance
     * of the same model; null when the head's tier does not evict, or there is none.
     */
    Task victimFor(Task head) {
        Tier tier = Tier.of(head.priority());
        if (tier == Tier.DEAD_LETTER || !settings.of(tier).evictLower() || !mayStart(tier)
                || !saturation.saturated(loop.runningCount())) {
            return null;
        }
        for (int i = 2; i > tier.ordinal(); i--) {
            TierLimits lower = settings.of(Tier.values()[i]);
            if (lower.share() > 0 && running.get(i).size() <= lower.share() / shareSum * saturation.slots()) {
                continue; // a tier at or below its guaranteed share keeps it, eviction or not
            }
            Task newest = null;
            for (Task candidate : running.get(i).reversed()) {
                if (candidate.model().equals(head.model())) {
                    newest = candidate;
                    break;
                }
            }
            if (newest != null) {
                return newest;
            }
        }
        return null;
    }

    void evicted(Task victim) {
        Tier tier = runningTier.get(victim);
        if (tier != null) {
            evicted[tier.ordinal()]++;
            tenants.evicted(victim, tier);
        }
    }

    // ---------------------------------------------------------------- what the snapshot reads

    FlowStats stats() {
        List<FlowStats.TierFlow> tiers = new ArrayList<>(3);
        for (Tier tier : new Tier[] {Tier.CORE, Tier.NORMAL, Tier.BATCH}) {
            int i = tier.ordinal();
            tiers.add(new FlowStats.TierFlow(tier, waiting[i], waitingBytes[i], running.get(i).size(), shed[i], spilled[i],
                    parked[i], expired[i], demoted[i], evicted[i]));
        }
        return new FlowStats(saturation.saturated(loop.runningCount()), saturation.slots(), tiers, tenants.stats());
    }
}
