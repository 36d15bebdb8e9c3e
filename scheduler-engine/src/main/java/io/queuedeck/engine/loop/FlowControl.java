package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.Timer;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.OpenAiInput;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import io.queuedeck.engine.tier.Tiers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Tier limits on the loop (docs/flow-control.md, decisions 0028-0030): counters per tier of
 * waiting tasks, their bytes and running tasks, kept as tasks move, so every check is O(1) and
 * nothing scans the queue; per tier with a {@code queue_ttl}, its waiting tasks in arrival order
 * and one timer for the oldest, so a TTL shortened by a reload reaches queued tasks at once and
 * only expired tasks are visited. Arrays are indexed by tier (the table is fixed). Admits
 * or sheds new work, says which tiers may start a task now ({@link TieredPolicy} asks), applies
 * TTL actions, per-tier retries, and eviction of lower tiers under saturation. Loop thread only.
 */
final class FlowControl {
    /** {@link #admit}'s answer for a task its tier parks in the dead letters. */
    static final int PARK = -1;

    private final SchedulerLoop loop;
    private final LoopCounters counters;
    private FlowSettings settings;
    private final Tiers table;
    final SaturationDetector saturation;
    private final int[] waiting;
    private final long[] waitingBytes;
    /** Running tasks by tier, oldest dispatch first: eviction takes the newest of the lowest tier. */
    private final List<LinkedHashSet<Task>> running = new ArrayList<>();
    private final Map<Task, Tier> runningTier = new HashMap<>();
    /**
     * Per limits in force ({@link #STABLE}, or {@link #CANARY} for the canary's own) and tier, tasks
     * under its TTL by when it was armed (arrival order), and the timer for the oldest.
     */
    private final List<List<LinkedHashMap<Task, Long>>> ttlQueues = List.of(new ArrayList<>(), new ArrayList<>());
    private final Timer[][] ttlTimers;
    /** What flow control did, by release ({@link #STABLE}, {@link #CANARY}) and tier. */
    private final long[][] shed;
    private final long[][] spilled;
    private final long[][] parked;
    private final long[][] expired;
    private final long[][] demoted;
    private final long[] evicted;
    /**
     * The canary's own limits (decision 0081): {@code max_queue}, {@code queue_ttl} and
     * {@code timeout_action}, {@code degrade} and retries for the tasks it classified since
     * {@link #canarySince}; caps, shares, fairness and eviction stay the running ones. Null when
     * canary tasks are held to the running limits.
     */
    private FlowSettings canary;
    private long canarySince;
    static final int STABLE = 0;
    static final int CANARY = 1;
    private double shareSum;
    /** The same movements per tenant, for the Flow view. */
    private final TenantLedger tenants;
    private String parkReason;
    private Tier parkTier;
    /** Tasks parked by each tier's {@code degrade: park}, oldest first, until replayed or gone from the task table. */
    /** Per tier, the tasks it parked by their sequence (oldest first), so a walk can go on where the last one stopped. */
    private final List<java.util.TreeMap<Long, Task>> parkedTasks = new ArrayList<>();

    FlowControl(SchedulerLoop loop, FlowSettings settings, LoopCounters counters) {
        this.loop = loop;
        this.counters = counters;
        this.settings = settings;
        this.table = settings.table();
        int n = table.size();
        waiting = new int[n];
        waitingBytes = new long[n];
        ttlTimers = new Timer[2][n];
        shed = new long[2][n];
        spilled = new long[2][n];
        parked = new long[2][n];
        expired = new long[2][n];
        demoted = new long[2][n];
        evicted = new long[n];
        for (int i = 0; i < n; i++) {
            running.add(new LinkedHashSet<>());
            ttlQueues.get(STABLE).add(new LinkedHashMap<>());
            ttlQueues.get(CANARY).add(new LinkedHashMap<>());
            parkedTasks.add(new java.util.TreeMap<>());
        }
        this.saturation = new SaturationDetector(loop.executor);
        this.shareSum = shareSum(settings);
        this.tenants = new TenantLedger(settings);
    }

    private static double shareSum(FlowSettings settings) {
        double sum = 0;
        for (Tier tier : settings.table().list()) {
            sum += settings.of(tier).share();
        }
        return sum;
    }

    FlowSettings settings() {
        return settings;
    }

    /**
     * New tier limits and tenant weights from a reloaded config. Counters and running tasks stay:
     * the new caps, shares and queue limits apply to the next admission and dispatch; nothing
     * queued is dropped, nothing running is stopped. A changed TTL re-arms its tier's timer for the
     * oldest queued task, so a shortened one times out those past it at once ({@link #ttlDue}).
     *
     * @return whether the waiting tasks must be re-queued, because how tasks are split by tier or
     *         tenant changed (a tier took or dropped a cap, share or fairness, or a weight changed)
     */
    boolean reconfigure(FlowSettings next) {
        if (!next.table().equals(table)) {
            throw new IllegalArgumentException("the tier table changes only at a restart (decision 0061)");
        }
        FlowSettings was = settings;
        settings = next;
        for (Tier tier : table.list()) {
            if (!was.of(tier).queueTtl().equals(next.of(tier).queueTtl())) {
                if (was.of(tier).queueTtl().toNanos() == 0) {
                    armWaiting(tier);
                }
                rearmTtl(STABLE, tier);
            }
        }
        shareSum = shareSum(next);
        tenants.reconfigure(next);
        if (was.tiered() != next.tiered() || !was.weights().equals(next.weights())) {
            return true;
        }
        for (Tier tier : table.list()) {
            if (was.of(tier).fairness() != next.of(tier).fairness()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A canary's own limits from now on, or (null) none: its tasks are held to the running limits
     * again. Tasks the canary classified before keep the limits they were admitted by until it ends;
     * at its end (promote or rollback) those under a TTL join their tier's running TTL queue in the
     * order they were armed: one merge over the tier's TTL-held tasks of both releases, on the
     * loop, once per canary (a stall proportional to them at promote or rollback, never per task).
     */
    void canaryLimits(FlowSettings next) {
        if (next != null && !next.table().equals(table)) {
            throw new IllegalArgumentException("a canary's tier table must be the running one (decision 0061)");
        }
        if (canary != null && next == null) {
            for (Tier tier : table.list()) {
                mergeTtl(tier);
            }
        }
        if (canary == null && next != null) {
            canarySince = loop.clock.nanos();
        }
        canary = next;
        for (Tier tier : table.list()) {
            rearmTtl(STABLE, tier);
            rearmTtl(CANARY, tier);
        }
    }

    private void mergeTtl(Tier tier) {
        int i = tier.index();
        LinkedHashMap<Task, Long> stable = ttlQueues.get(STABLE).get(i);
        LinkedHashMap<Task, Long> own = ttlQueues.get(CANARY).get(i);
        if (own.isEmpty()) {
            return;
        }
        LinkedHashMap<Task, Long> merged = new LinkedHashMap<>();
        var a = stable.entrySet().iterator();
        var b = own.entrySet().iterator();
        Map.Entry<Task, Long> x = a.hasNext() ? a.next() : null;
        Map.Entry<Task, Long> y = b.hasNext() ? b.next() : null;
        while (x != null || y != null) {
            if (y == null || x != null && x.getValue() <= y.getValue()) {
                merged.put(x.getKey(), x.getValue());
                x = a.hasNext() ? a.next() : null;
            } else {
                merged.put(y.getKey(), y.getValue());
                y = b.hasNext() ? b.next() : null;
            }
        }
        ttlQueues.get(STABLE).set(i, merged);
        own.clear();
    }

    /** The release a task counts under: {@link #CANARY} if a canary classified it, whether or not it has limits of its own. */
    static int release(io.queuedeck.engine.task.TaskSpec spec) {
        return ReleaseSplitPolicy.isCanary(spec) ? CANARY : STABLE;
    }

    /** The limits a task is held to: the canary's own for the tasks the running canary classified, else the running ones. */
    private int limitsOf(Task task) {
        return canary != null && ReleaseSplitPolicy.isCanary(task.spec()) && task.arrivedAt() - canarySince >= 0
                ? CANARY : STABLE;
    }

    private TierLimits limits(int which, Tier tier) {
        return (which == CANARY ? canary : settings).of(tier);
    }

    // ---------------------------------------------------------------- admission

    /**
     * The priority a new task of {@code priority} and {@code bytes} counted bytes waits at: its own,
     * the first of a tier it spilled to, or {@link #PARK}. Throws {@link ShedException} when its
     * tier refuses it; changes no counter but the shed ones. A task of a canary with limits of its
     * own is held to them: its tier's queue (every release's tasks) against the candidate's
     * {@code max_queue}, and the candidate's {@code degrade} (decision 0081).
     */
    int admit(int priority, long bytes, io.queuedeck.engine.task.TaskSpec spec) {
        int release = release(spec);
        int which = canary != null && release == CANARY ? CANARY : STABLE;
        Tier tier = table.of(priority);
        TierLimits own = limits(which, tier);
        if (own.degrade() == TierLimits.Degrade.REJECT_LOWEST && tier.last() == priority
                && saturation.saturated(loop.runningCount())) {
            shed[release][tier.index()]++;
            throw new ShedException(ShedException.Reason.SATURATED, "tiers." + name(tier) + ".degrade",
                    Math.min(60, Math.max(1, own.queueTtl().toSeconds())), "every slot is busy, and tier " + name(tier)
                    + " sheds its least urgent new work (priority " + priority + ") while it is (degrade: reject_lowest); retry later");
        }
        while (true) {
            TierLimits limits = limits(which, tier);
            String full = fullLimit(tier, limits, bytes);
            if (full != null && which == CANARY) {
                full += " (the canary config's limit)";
            }
            if (full == null) {
                return tier.holds(priority) ? priority : tier.first();
            }
            switch (limits.degrade()) {
                case SPILL -> {
                    spilled[release][tier.index()]++;
                    tier = table.next(tier); // the config allows no spill in the last tier
                }
                case PARK -> {
                    if (OpenAiInput.fromFrontDoor(spec)) {
                        // an OpenAI client: nobody would be waiting when it is replayed, and its SDK's retries
                        // would each park another copy; refused as a full queue, nothing kept
                        shed[release][tier.index()]++;
                        throw new ShedException(ShedException.Reason.QUOTA, full.substring(0, full.indexOf(' ')), 1,
                                "tier " + name(tier) + " is full: " + full + "; a request that waits for its answer is not"
                                + " parked (degrade: park); retry later");
                    }
                    parked[release][tier.index()]++;
                    parkTier = tier;
                    parkReason = PARKED + name(tier) + " was full (" + full
                            + "); replay it when there is room";
                    return PARK;
                }
                case REJECT, REJECT_LOWEST -> {
                    shed[release][tier.index()]++;
                    throw new ShedException(ShedException.Reason.QUOTA, full.substring(0, full.indexOf(' ')), 1,
                            "tier " + name(tier) + " is full: " + full + "; retry later");
                }
            }
        }
    }

    /** How a parked task's error starts, then its tier's name: how a restart finds it parked again. */
    private static final String PARKED = "parked at admission: tier ";

    /** Why the task {@link #admit} last answered {@link #PARK} for is parked, for its error. */
    String parkReason() {
        return parkReason;
    }

    /** The task {@link #admit} last answered {@link #PARK} for is now dead-lettered, held for replay. */
    void parked(Task task) {
        if (loop.tasks.lookup(task.id()) != task) {
            return; // let go at once past the dead letters' bound: nothing holds it
        }
        parkedTasks.get(parkTier.index()).put(task.sequence(), task);
    }

    /** A dead-lettered task read back at a restart: parked again if its error says it was parked. */
    void restoredDeadLetter(Task task) {
        String error = task.error();
        if (loop.tasks.lookup(task.id()) != task) {
            return; // read back past the dead letters' bound
        }
        if (error != null && error.startsWith(PARKED)) {
            for (Tier tier : table.list()) {
                if (error.startsWith(PARKED + name(tier) + " ")) {
                    parkedTasks.get(tier.index()).put(task.sequence(), task);
                }
            }
        }
    }

    /** A dead-lettered task is queued again (replayed): it is parked no longer. */
    void unparked(Task task) {
        for (java.util.TreeMap<Long, Task> parked : parkedTasks) {
            parked.remove(task.sequence(), task);
        }
    }

    /**
     * The tasks {@code tier} parked after sequence {@code after} that pass {@code filter}, oldest
     * first, at most {@code limit}; those the task table no longer holds (past their retention) are
     * dropped on the way. A walk looks at no more than {@link Command.ListParked#MOST_WALKED} parked tasks, so a
     * filter that matches few of very many never holds the loop long: the page then says where to
     * go on ({@link TaskPage#nextSequence()}, -1 once every parked task was looked at).
     */
    TaskPage parkedTasks(Tier tier, java.util.function.Predicate<Task> filter, int limit, long after, long now) {
        List<TaskView> out = new ArrayList<>();
        var it = parkedTasks.get(tier.index()).tailMap(after, false).entrySet().iterator();
        int looked = 0;
        long last = after;
        while (it.hasNext()) {
            if (out.size() == limit || looked == Command.ListParked.MOST_WALKED) {
                return new TaskPage(out, last);
            }
            var entry = it.next();
            Task task = entry.getValue();
            looked++;
            last = entry.getKey();
            if (loop.tasks.lookup(task.id()) != task || task.state() != TaskState.DEAD_LETTERED) {
                it.remove();
            } else if (filter.test(task)) {
                out.add(task.view(now));
            }
        }
        return new TaskPage(out, -1);
    }

    private String fullLimit(Tier tier, TierLimits limits, long bytes) {
        int i = tier.index();
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
        return tier.name();
    }

    // ---------------------------------------------------------------- counters as tasks move

    /** A task started waiting in a queue (counted by its priority's tier). */
    void joined(Task task) {
        Tier tier = table.of(task.priority());
        waiting[tier.index()]++;
        waitingBytes[tier.index()] += TaskTable.bodyBytes(task.spec());
        tenants.joined(task);
    }

    /** A task stopped waiting (it runs, finished, or moves to another priority and joins again). */
    void left(Task task) {
        Tier tier = table.of(task.priority());
        waiting[tier.index()]--;
        waitingBytes[tier.index()] -= TaskTable.bodyBytes(task.spec());
        tenants.left(task);
    }

    void started(Task task) {
        Tier tier = table.of(task.priority());
        runningTier.put(task, tier);
        running.get(tier.index()).add(task);
        disarmTtl(task); // it waited no longer than its TTL
        tenants.started(task, loop.clock.nanos() - task.enqueuedAt());
    }

    void stopped(Task task) {
        Tier tier = runningTier.remove(task);
        if (tier != null) {
            running.get(tier.index()).remove(task);
        }
    }

    // ---------------------------------------------------------------- what may start

    /** Whether a task of {@code tier} may start: the tier runs fewer than its {@code max_concurrency}. */
    boolean mayStart(Tier tier) {
        int cap = settings.of(tier).maxConcurrency();
        return cap == 0 || running.get(tier.index()).size() < cap;
    }

    /** Whether {@code tier} runs fewer tasks than its guaranteed share of all slots (and may start one). */
    boolean belowShare(Tier tier) {
        double share = settings.of(tier).share();
        return share > 0 && running.get(tier.index()).size() < share / shareSum * saturation.slots() && mayStart(tier);
    }

    // ---------------------------------------------------------------- queue TTL

    /**
     * A new task (or one demoted into a tier) starts its tier's TTL, by the limits it is held to:
     * it joins that TTL queue last.
     */
    void armTtl(Task task) {
        Tier tier = table.of(task.priority());
        int which = limitsOf(task);
        long ttl = limits(which, tier).queueTtl().toNanos();
        if (ttl > 0) {
            disarmTtl(task);
            LinkedHashMap<Task, Long> queue = ttlQueues.get(which).get(tier.index());
            queue.put(task, loop.clock.nanos());
            if (ttlTimers[which][tier.index()] == null) {
                rearmTtl(which, tier);
            }
        }
    }

    /**
     * A TTL set on a tier that had none: the tasks already waiting there joined under none, so they
     * start it now, after any still held from a TTL set before (they were armed earlier). Without
     * this they waited on without one, and so did every task recovered at a restart whose resumed
     * version set the TTL. One walk of the active tasks, on such a change only (decision 0137).
     */
    private void armWaiting(Tier tier) {
        LinkedHashMap<Task, Long> queue = ttlQueues.get(STABLE).get(tier.index());
        long now = loop.clock.nanos();
        loop.tasks.active().stream()
                .filter(t -> t.state().isWaiting() && table.of(t.priority()).equals(tier) && limitsOf(t) == STABLE
                        && !queue.containsKey(t))
                .sorted(java.util.Comparator.comparingLong(Task::arrivedAt))
                .forEach(t -> queue.put(t, now));
    }

    /** The task waits under no TTL any more (it started, finished, or moves); O(tiers). */
    void disarmTtl(Task task) {
        for (List<LinkedHashMap<Task, Long>> queues : ttlQueues) {
            for (LinkedHashMap<Task, Long> queue : queues) {
                if (queue.remove(task) != null) {
                    return; // the tier's timer may now wake for nothing: it then re-arms for the new oldest
                }
            }
        }
    }

    /** Sets the timer of a TTL queue for its oldest task as it is now (at once if that is past). */
    private void rearmTtl(int which, Tier tier) {
        int i = tier.index();
        if (ttlTimers[which][i] != null) {
            ttlTimers[which][i].cancel();
            ttlTimers[which][i] = null;
        }
        LinkedHashMap<Task, Long> queue = ttlQueues.get(which).get(i);
        if (queue.isEmpty()) {
            return;
        }
        long ttl = limits(which, tier).queueTtl().toNanos();
        if (ttl == 0 || which == CANARY && canary == null) {
            return; // a removed TTL frees the queued tasks; one set again counts from when they were armed
        }
        long due = queue.firstEntry().getValue() + ttl;
        ttlTimers[which][i] = loop.clock.scheduleAfter(Math.max(0, due - loop.clock.nanos()), () -> ttlDue(which, tier));
    }

    /**
     * The TTL queue's oldest task may be past its TTL: each task past it, oldest first, times out
     * or is demoted; the first within it sets the next wake-up. Visits only expired tasks (and
     * ones that left the queue since).
     */
    private void ttlDue(int which, Tier tier) {
        ttlTimers[which][tier.index()] = null;
        if (which == CANARY && canary == null) {
            return; // the canary ended: its tasks joined the running TTL queues
        }
        TierLimits limits = limits(which, tier);
        long ttl = limits.queueTtl().toNanos();
        LinkedHashMap<Task, Long> queue = ttlQueues.get(which).get(tier.index());
        long now = loop.clock.nanos();
        while (ttl > 0 && !queue.isEmpty()) {
            Map.Entry<Task, Long> oldest = queue.firstEntry();
            Task task = oldest.getKey();
            if (task.state().isWaiting() && loop.tasks.lookup(task.id()) == task && oldest.getValue() + ttl > now) {
                break;
            }
            queue.pollFirstEntry();
            if (task.state().isWaiting() && loop.tasks.lookup(task.id()) == task) {
                expire(task, tier, limits, which, now);
            }
        }
        rearmTtl(which, tier);
    }

    private void expire(Task task, Tier tier, TierLimits limits, int which, long now) {
        Tier next = table.next(tier);
        int release = release(task.spec());
        if (limits.timeoutAction() == TierLimits.TimeoutAction.DEMOTE && next != null) {
            demoted[release][tier.index()]++;
            loop.leaveQueue(task);
            loop.rejoinQueue(task, next.first());
            loop.durable.saved(task);
            armTtl(task);
            return;
        }
        expired[release][tier.index()]++;
        tenants.timedOut(task);
        loop.leaveQueue(task);
        task.setError("waited longer than " + (which == CANARY ? "the canary config's " : "") + "tiers." + name(tier)
                + ".queue_ttl (" + limits.queueTtl() + ")");
        loop.move(task, TaskState.TIMED_OUT, now);
        counters.timedOut++;
        loop.retire(task, now);
    }

    // ---------------------------------------------------------------- retries per tier

    int maxAttempts(Task task, RetryRule engine) {
        int own = limits(limitsOf(task), table.of(task.priority())).maxAttempts();
        return own > 0 ? own : engine.maxAttempts();
    }

    long backoffNanos(Task task, RetryRule engine) {
        TierLimits limits = limits(limitsOf(task), table.of(task.priority()));
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
        Tier tier = table.of(head.priority());
        if (!settings.of(tier).evictLower() || !mayStart(tier)
                || !saturation.saturated(loop.runningCount())) {
            return null;
        }
        for (int i = table.size() - 1; i > tier.index(); i--) {
            TierLimits lower = settings.of(table.list().get(i));
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
            evicted[tier.index()]++;
            tenants.evicted(victim, tier);
        }
    }

    // ---------------------------------------------------------------- what the snapshot reads

    FlowStats stats() {
        List<FlowStats.TierFlow> tiers = new ArrayList<>(table.size());
        List<FlowStats.ReleaseFlow> releases = new ArrayList<>(2 * table.size());
        for (Tier tier : table.list()) {
            int i = tier.index();
            tiers.add(new FlowStats.TierFlow(tier, waiting[i], waitingBytes[i], running.get(i).size(),
                    shed[STABLE][i] + shed[CANARY][i], spilled[STABLE][i] + spilled[CANARY][i],
                    parked[STABLE][i] + parked[CANARY][i], expired[STABLE][i] + expired[CANARY][i],
                    demoted[STABLE][i] + demoted[CANARY][i], evicted[i]));
            for (int r : new int[] {STABLE, CANARY}) {
                releases.add(new FlowStats.ReleaseFlow(r == CANARY ? "canary" : "stable", tier, shed[r][i], spilled[r][i],
                        parked[r][i], expired[r][i], demoted[r][i]));
            }
        }
        return new FlowStats(saturation.saturated(loop.runningCount()), saturation.slots(), tiers, tenants.stats(), releases);
    }
}
