package io.queuedeck.engine.loop;

import io.queuedeck.engine.snapshot.LatencySummary;

import io.queuedeck.engine.clock.VirtualClock;

import io.queuedeck.engine.clock.EngineClock;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The scheduler: the one owner of all queue state.
 *
 * <p><b>Concurrency.</b> Every method runs on the loop thread, one at a time. Commands from
 * other threads (API, console, executors on their own threads) reach it through
 * {@link LoopDriver}'s command queue; answers go back through futures completed by the driver.
 * Nothing here locks or blocks, so the order of events is the order of calls, and the same
 * inputs give the same schedule.
 *
 * <p><b>Time.</b> All time comes from the {@link EngineClock}; timers fire on the loop thread.
 * On a {@link VirtualClock} the same code is a discrete-event simulator.
 *
 * <p><b>Failure.</b> Tasks a crashed instance was running fail back here and are retried with
 * backoff ({@link RetryRule}) until their attempts run out, then dead-lettered. A command that
 * breaks a rule (unknown task, illegal move) is refused with an exception and changes nothing.
 */
public final class SchedulerLoop implements ExecutorContext {
    private final EngineClock clock;
    private final Executor executor;
    private final RetryRule retry;
    private final EventSink events;
    private final int finishedRetention;
    private final long snapshotIntervalNanos;
    private final Consumer<EngineSnapshot> snapshotSink;
    private final Consumer<Runnable> poster;

    private final Map<String, ModelQueue> queues = new LinkedHashMap<>();
    private final Map<String, Task> active = new HashMap<>();
    private final LinkedHashMap<String, Task> finished;
    private final int[] waitingByPriority = new int[TaskSpec.MAX_PRIORITY + 1];
    private final LatencyMetrics latency = new LatencyMetrics();
    private final WaitOrder waitOrder = new WaitOrder();
    private final ExclusiveResources resources;
    private final EnumMap<Tier, TierMode> tierModes = new EnumMap<>(Tier.class);
    /** Each priority lane's own mode: a lane runs only when neither it nor its tier is paused. */
    private final TierMode[] laneModes = new TierMode[TaskSpec.MAX_PRIORITY + 1];
    /** Waiting tasks of paused lanes or tiers, per priority, out of their policy until they resume. */
    private final List<java.util.LinkedHashSet<Task>> parked = new ArrayList<>();
    private int parkedCount;
    /** Gap between the ranks of consecutive arrivals: room for twenty moves to one spot before a renumbering. */
    private static final long RANK_STEP = 1L << 20;
    /** Rank of the next arrival, and the lowest rank given so far (a move to the front goes below it). */
    private long nextRank, lowestRank;

    private String policyName;
    private long policyGeneration;
    private long sequence;
    private boolean paused;
    private boolean dispatching;
    private boolean dispatchAgain;
    private int running;
    private int deadLetters;

    private long submitted, rejected, succeeded, failed, retried, cancelled, deadLettered, preemptions;
    private long tokensCompleted;
    private long lastSnapshotAt, lastSucceeded, lastTokens;
    /** The wall-clock second whose latency is being gathered, and the last one closed. */
    private java.time.Instant openSecond;
    private EngineSnapshot.SecondLatency lastSecond = EngineSnapshot.SecondLatency.NONE;

    /** The waiting tasks of one model and the instances that serve it. */
    private record ModelQueue(String model, SchedulingPolicy policy, int[] instances) {}

    /**
     * @param poster how {@link #post} reaches the loop thread (the driver's command queue, or a
     *               direct call on a virtual clock)
     */
    SchedulerLoop(EngineClock clock, Executor executor, String policy, PolicyConfig policyConfig, RetryRule retry,
                  EventSink events, int finishedRetention, long snapshotIntervalNanos,
                  Consumer<EngineSnapshot> snapshotSink, Consumer<Runnable> poster, InversionProtocol inversion) {
        this.clock = clock;
        this.resources = new ExclusiveResources(inversion, TaskSpec.MIN_PRIORITY);
        for (Tier tier : List.of(Tier.CORE, Tier.NORMAL, Tier.BATCH)) {
            tierModes.put(tier, TierMode.ACTIVE);
        }
        for (int p = 0; p < laneModes.length; p++) {
            laneModes[p] = TierMode.ACTIVE;
            parked.add(new java.util.LinkedHashSet<>());
        }
        this.executor = executor;
        this.retry = retry;
        this.events = events;
        this.finishedRetention = finishedRetention;
        this.snapshotIntervalNanos = snapshotIntervalNanos;
        this.snapshotSink = snapshotSink;
        this.poster = poster;
        this.finished = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
                return size() > SchedulerLoop.this.finishedRetention;
            }
        };
        installPolicy(policy, policyConfig);
    }

    /** Binds the executor and starts the periodic timers. Loop thread. */
    void start() {
        executor.bind(this);
        if (snapshotIntervalNanos > 0) {
            clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
        }
        scheduleTicks();
    }

    // ---------------------------------------------------------------- commands

    /**
     * Admits a validated spec.
     *
     * @param outputTokens tokens the task will generate on a simulated GPU (from a trace), or -1
     *                     to take {@code max_tokens}
     */
    public SubmitResult submit(TaskSpec spec, int outputTokens) {
        Task existing = lookup(spec.taskId());
        if (existing != null) {
            if (existing.spec().equals(spec)) {
                return new SubmitResult(existing.view(clock.nanos()), false);
            }
            rejected++;
            throw new TaskConflictException("task_id '" + spec.taskId() + "' is already used by a different task");
        }
        int priority = spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority();
        Tier tier = Tier.of(priority);
        if (tierModes.get(tier) == TierMode.DRAINING) {
            rejected++;
            throw new TaskConflictException("the " + tier.name().toLowerCase(java.util.Locale.ROOT)
                    + " tier is draining and takes no new tasks");
        }
        if (laneModes[priority] == TierMode.DRAINING) {
            rejected++;
            throw new TaskConflictException("the priority " + priority + " lane is draining and takes no new tasks");
        }
        int tokens = outputTokens > 0 ? outputTokens : spec.maxTokens() != null ? spec.maxTokens() : DEFAULT_OUTPUT_TOKENS;
        // The executor checks the spec as it will run: a task without max_tokens still reserves
        // its default output, and a trace replay its traced output. A task that can never be
        // placed must be refused here, or it would sit at the head of its queue forever.
        int reserved = Math.max(spec.maxTokens() == null ? 0 : spec.maxTokens(), tokens);
        TaskSpec asRun = spec.maxTokens() != null && spec.maxTokens() == reserved ? spec : spec.withMaxTokens(reserved);
        Optional<String> refusal = executor.admissionError(asRun);
        if (refusal.isPresent()) {
            rejected++;
            boolean model = refusal.get().startsWith("model");
            throw new InvalidTaskException(model ? "model" : "max_tokens", refusal.get()
                    + (model || spec.maxTokens() != null ? "" : " (max_tokens not given: " + tokens + " assumed)"));
        }
        long now = clock.nanos();
        Task task = new Task(spec, sequence++, tokens, now);
        task.setRank(takeRank());
        if (spec.deadline() != null) {
            task.setDeadlineAt(clock.toNanos(spec.deadline()));
        }
        active.put(task.id(), task);
        submitted++;
        if (events.active()) {
            events.publish(new EngineEvent.TaskTransitioned(now, task.id(), null, TaskState.QUEUED, task.priority(), -1));
        }
        ModelQueue queue = queues.get(task.model());
        queue.policy.admit(task, now);
        enqueue(queue, task, now);
        dispatch();
        return new SubmitResult(task.view(now), true);
    }

    /** Output length of a task that sets no {@code max_tokens}. */
    public static final int DEFAULT_OUTPUT_TOKENS = 256;

    /** Cancels a task that has not finished. */
    public TaskView cancel(String id) {
        Task task = require(id);
        long now = clock.nanos();
        switch (task.state()) {
            case QUEUED, PREEMPTED -> {
                dequeue(task);
                move(task, TaskState.CANCELLED, now);
            }
            case RUNNING -> {
                executor.evict(task);
                running--;
                move(task, TaskState.CANCELLED, now);
                dispatch();
            }
            case RETRY_WAIT -> move(task, TaskState.CANCELLED, now);
            default -> throw new TaskConflictException("task '" + id + "' is already " + task.state() + " and cannot be cancelled");
        }
        cancelled++;
        retire(task);
        return task.view(now);
    }

    /** Queues a dead-lettered task again (an operator's replay), with a fresh set of attempts. */
    public TaskView retry(String id) {
        Task task = require(id);
        if (task.state() != TaskState.DEAD_LETTERED) {
            throw new TaskConflictException("task '" + id + "' is " + task.state()
                    + "; only dead-lettered tasks can be retried");
        }
        long now = clock.nanos();
        finished.remove(id);
        active.put(id, task);
        deadLetters--;
        task.resetAttempts();
        task.discardOutput();
        task.setRank(takeRank()); // replayed as a new arrival: its old rank may have been given away
        move(task, TaskState.QUEUED, now);
        enqueue(queues.get(task.model()), task, now);
        dispatch();
        return task.view(now);
    }

    /** Gives a task a new priority; a waiting task takes its new place at once. */
    public TaskView reprioritize(String id, int priority) {
        checkPriority(priority);
        Task task = require(id);
        if (task.state().isFinal() || task.state() == TaskState.FAILED) {
            throw new TaskConflictException("task '" + id + "' is already " + task.state() + " and cannot be reprioritized");
        }
        long now = clock.nanos();
        int old = task.priority();
        if (old != priority) {
            if (task.state().isWaiting()) {
                ModelQueue queue = dequeue(task);
                task.setPriority(priority);
                enqueueKeepingWait(queue, task);
                dispatch();
            } else {
                task.setPriority(priority);
            }
            if (events.active()) {
                events.publish(new EngineEvent.TaskReprioritized(now, id, old, priority));
            }
        }
        return task.view(now);
    }

    /**
     * Moves a waiting task to {@code priority}'s lane at {@code placement}, in one step. Only
     * under a policy that keeps lane order ({@link SchedulingPolicy#keepsLaneOrder}): elsewhere
     * the policy's own score decides the order within a lane, and a place would not hold.
     */
    public TaskView place(String id, int priority, Placement placement) {
        checkPriority(priority);
        return place(require(id), priority, placement);
    }

    /**
     * Like {@link #place(String, int, Placement)}, in the lane the place names: the anchor's for
     * before and after, the task's own for front and back.
     */
    public TaskView place(String id, Placement placement) {
        Task task = require(id);
        int priority = switch (placement) {
            case Placement.Before before -> laneOf(before.taskId(), "before");
            case Placement.After after -> laneOf(after.taskId(), "after");
            case Placement.Front front -> task.priority();
            case Placement.Back back -> task.priority();
        };
        return place(task, priority, placement);
    }

    private int laneOf(String anchorId, String field) {
        Task anchor = lookup(anchorId);
        if (anchor == null) {
            throw new InvalidTaskException(field, "no task '" + anchorId + "'");
        }
        return anchor.priority();
    }

    private TaskView place(Task task, int priority, Placement placement) {
        String id = task.id();
        if (!task.state().isWaiting()) {
            throw new TaskConflictException("task '" + id + "' is " + task.state()
                    + "; only a waiting task can be moved within a lane");
        }
        SchedulingPolicy policy = queues.get(task.model()).policy;
        if (!policy.keepsLaneOrder()) {
            throw new TaskConflictException("the " + policyName + " policy orders each lane by rules of its own;"
                    + " a place within a lane holds under fifo, priority or mlfq (moving to another priority still works)");
        }
        Task anchor = switch (placement) {
            case Placement.Before before -> anchor(task, before.taskId(), priority, "before");
            case Placement.After after -> anchor(task, after.taskId(), priority, "after");
            case Placement.Front front -> null;
            case Placement.Back back -> null;
        };
        ModelQueue queue = dequeue(task); // out of its queue before anything is re-ranked
        Task neighbour = anchor != null ? anchor : laneEnd(priority, task, policy, placement instanceof Placement.Front);
        if (neighbour != null) {
            policy.alignForPlace(task, neighbour);
        }
        long rank = switch (placement) {
            case Placement.Front front -> rankBetween(null, null, task);
            case Placement.Back back -> takeRank();
            case Placement.Before before -> rankBetween(neighbour(anchor, task, true), anchor, task);
            case Placement.After after -> rankBetween(anchor, neighbour(anchor, task, false), task);
        };
        long now = clock.nanos();
        int old = task.priority();
        task.setPriority(priority);
        task.setRank(rank);
        enqueueKeepingWait(queue, task);
        if (old != priority && events.active()) {
            events.publish(new EngineEvent.TaskReprioritized(now, id, old, priority));
        }
        dispatch();
        return task.view(now);
    }

    /** The waiting task of the lane that the policy would run first (or last), other than {@code moving}; null if none. */
    private Task laneEnd(int priority, Task moving, SchedulingPolicy policy, boolean first) {
        Task end = null;
        for (Task other : active.values()) {
            if (other != moving && other.priority() == priority && other.state().isWaiting()
                    && (end == null || (first ? policy.compare(other, end) < 0 : policy.compare(other, end) > 0))) {
                end = other;
            }
        }
        return end;
    }

    /** The waiting task a place is given relative to; refused on {@code field} (before, after) otherwise. */
    private Task anchor(Task task, String anchorId, int priority, String field) {
        Task anchor = lookup(anchorId);
        if (anchor == null || !anchor.state().isWaiting() || anchor.priority() != priority || anchor == task) {
            throw new InvalidTaskException(field, anchor == task
                    ? "a task cannot be placed next to itself"
                    : "task '" + anchorId + "' is not waiting in the priority " + priority + " lane");
        }
        return anchor;
    }

    /**
     * The active task whose rank comes right before (or after) {@code anchor}'s, other than
     * {@code moving}; null at the end. A scan of every active task: an operator's move is rare,
     * and ranks stay unique across lanes this way.
     */
    private Task neighbour(Task anchor, Task moving, boolean before) {
        Task best = null;
        for (Task other : active.values()) {
            if (other == moving || other == anchor) {
                continue;
            }
            long r = other.rank();
            if (before ? r < anchor.rank() && (best == null || r > best.rank())
                    : r > anchor.rank() && (best == null || r < best.rank())) {
                best = other;
            }
        }
        return best;
    }

    /** A rank strictly between two tasks' (null: an open end); renumbers every rank when there is no room. */
    private long rankBetween(Task low, Task high, Task moving) {
        if (low == null) {
            return lowestRank -= RANK_STEP;
        }
        if (high == null) {
            return takeRank();
        }
        if (high.rank() - low.rank() < 2) {
            renumberRanks(moving);
        }
        return low.rank() + (high.rank() - low.rank()) / 2;
    }

    /**
     * Spreads the ranks of all active tasks but {@code moving} out again, keeping their order:
     * after many moves to one spot there is no rank left between two neighbours. In place: a
     * rank is a queue key, but every pair of tasks keeps its order, so every heap and ordered set
     * stays valid ({@code moving} is out of all of them).
     */
    private void renumberRanks(Task moving) {
        List<Task> all = new ArrayList<>(active.values());
        all.remove(moving);
        all.sort((a, b) -> Long.compare(a.rank(), b.rank()));
        nextRank = 0;
        lowestRank = 0;
        for (Task task : all) {
            task.setRank(takeRank());
        }
    }

    private long takeRank() {
        long rank = nextRank;
        nextRank += RANK_STEP;
        return rank;
    }

    private static void checkPriority(int priority) {
        if (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY) {
            throw new InvalidTaskException("priority", "priority must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + ", got " + priority);
        }
    }

    /** The task with this id, if it is active or finished recently. */
    public Optional<TaskView> find(String id) {
        Task task = lookup(id);
        return task == null ? Optional.empty() : Optional.of(task.view(clock.nanos()));
    }

    /**
     * A page of tasks in submission order. Scans every known task (O(n log limit)): meant for
     * operators and dashboards, not for a hot path.
     */
    public TaskPage tasks(TaskQuery query) {
        long now = clock.nanos();
        // keep the `limit + 1` smallest sequences after the cursor: one more tells whether a next page exists
        java.util.PriorityQueue<Task> page = new java.util.PriorityQueue<>(query.limit() + 1,
                (a, b) -> Long.compare(b.sequence(), a.sequence()));
        for (Map<String, Task> source : List.of(active, finished)) {
            for (Task task : source.values()) {
                if (task.sequence() > query.afterSequence() && query.matches(task.state(), task.spec().tenant())) {
                    page.offer(task);
                    if (page.size() > query.limit() + 1) {
                        page.poll();
                    }
                }
            }
        }
        boolean more = page.size() > query.limit();
        if (more) {
            page.poll();
        }
        List<TaskView> views = new ArrayList<>(page.size());
        while (!page.isEmpty()) {
            views.add(page.poll().view(now));
        }
        java.util.Collections.reverse(views);
        return new TaskPage(List.copyOf(views), more ? views.getLast().sequence() : -1);
    }

    /**
     * Waiting tasks (queued or preempted), at most {@code limitPerPriority} of each priority: the
     * first of each lane in the live policy's dispatch order (under policies that keep lane order;
     * by rank, arrival order as operators left it, under the others), grouped by priority 0..9. A read-only query for
     * the console's lanes; O(active tasks) per call, so callers ask at a few hertz, not per event.
     */
    public List<TaskView> waitingTasks(int limitPerPriority) {
        if (limitPerPriority < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limitPerPriority);
        }
        SchedulingPolicy policy = queues.values().iterator().next().policy;
        // a scoring policy's comparison costs a score each time: its lanes list by rank instead
        java.util.Comparator<Task> dispatchOrder = policy.keepsLaneOrder() ? policy::compare
                : (a, b) -> Long.compare(a.rank(), b.rank());
        List<PriorityQueue<Task>> firstInLane = new ArrayList<>(waitingByPriority.length);
        for (int p = 0; p < waitingByPriority.length; p++) {
            // reversed: the head is the last of the lane kept, evicted first
            firstInLane.add(new PriorityQueue<>(dispatchOrder.reversed()));
        }
        if (limitPerPriority > 0) {
            for (Task task : active.values()) {
                if (!task.state().isWaiting()) {
                    continue;
                }
                PriorityQueue<Task> kept = firstInLane.get(task.priority());
                if (kept.size() < limitPerPriority) {
                    kept.add(task);
                } else if (dispatchOrder.compare(task, kept.peek()) < 0) {
                    kept.poll();
                    kept.add(task);
                }
            }
        }
        long now = clock.nanos();
        List<TaskView> views = new ArrayList<>();
        for (PriorityQueue<Task> kept : firstInLane) {
            List<Task> lane = new ArrayList<>(kept);
            lane.sort(dispatchOrder);
            for (Task task : lane) {
                views.add(task.view(now));
            }
        }
        return views;
    }

    /** Stops (or restarts) handing waiting tasks to instances; running tasks go on. */
    public void setPaused(boolean pause) {
        if (paused != pause) {
            paused = pause;
            if (events.active()) {
                events.publish(new EngineEvent.DispatchToggled(clock.nanos(), pause));
            }
            dispatch();
        }
    }

    /**
     * Pauses, drains or reactivates one tier. Pausing keeps its waiting tasks (they leave their
     * policy until it resumes); draining refuses new submissions and dispatches the rest.
     */
    public void setTierMode(Tier tier, TierMode mode) {
        if (!tierModes.containsKey(tier)) {
            throw new IllegalArgumentException("tier must be core, normal or batch, got " + tier);
        }
        tierModes.put(tier, mode);
        if (mode != TierMode.PAUSED) {
            unparkResumed();
        }
    }

    /**
     * Pauses, drains or reactivates one priority lane, as {@link #setTierMode} does for a tier.
     * A lane's tasks run only when neither the lane nor its tier is paused.
     */
    public void setLaneMode(int priority, TierMode mode) {
        checkPriority(priority);
        laneModes[priority] = java.util.Objects.requireNonNull(mode, "mode");
        if (mode != TierMode.PAUSED) {
            unparkResumed();
        }
    }

    private boolean lanePaused(int priority) {
        return laneModes[priority] == TierMode.PAUSED || tierModes.get(Tier.of(priority)) == TierMode.PAUSED;
    }

    /** Hands the parked tasks of every lane that may run again back to their policy. */
    private void unparkResumed() {
        long now = clock.nanos();
        for (int p = 0; p < parked.size(); p++) {
            java.util.Set<Task> resumed = parked.get(p);
            if (resumed.isEmpty() || lanePaused(p)) {
                continue;
            }
            for (Task task : resumed) {
                queues.get(task.model()).policy.enqueue(task, now);
            }
            parkedCount -= resumed.size();
            resumed.clear();
        }
        dispatch();
    }

    /**
     * Replaces the live policy. Waiting tasks move to the new policy in rank order (submission
     * order as operators left it) and keep their accumulated wait; running tasks are not touched.
     */
    public void switchPolicy(String name, PolicyConfig config) {
        String old = policyName;
        List<ModelQueue> oldQueues = List.copyOf(queues.values());
        installPolicy(name, config); // throws before touching anything on a bad name or parameter
        long now = clock.nanos();
        for (ModelQueue oldQueue : oldQueues) {
            List<Task> waiting = new ArrayList<>(oldQueue.policy.size());
            Task task;
            while ((task = oldQueue.policy.poll(now)) != null) {
                waiting.add(task);
            }
            waiting.sort((a, b) -> Long.compare(a.rank(), b.rank()));
            ModelQueue queue = queues.get(oldQueue.model);
            for (Task moved : waiting) {
                queue.policy.admit(moved, now);
                queue.policy.enqueue(moved, now);
            }
        }
        // waiting tasks outside the policy (parked in a paused lane, blocked on a resource) join the new one too
        for (java.util.Set<Task> lane : parked) {
            for (Task task : lane) {
                queues.get(task.model()).policy.admit(task, now);
            }
        }
        for (Task task : resources.blockedTasks()) {
            queues.get(task.model()).policy.admit(task, now);
        }
        scheduleTicks();
        if (events.active()) {
            events.publish(new EngineEvent.PolicyChanged(now, old, name));
        }
        dispatch();
    }

    /** Fault hook: crashes an instance. */
    public void crashInstance(int instance) {
        checkInstance(instance);
        executor.crash(instance);
        publishInstance(instance, "crash injected");
    }

    /** Fault hook: slows an instance down by {@code factor} (1 restores it). */
    public void slowInstance(int instance, double factor) {
        checkInstance(instance);
        executor.slowDown(instance, factor);
        publishInstance(instance, factor == 1.0 ? "speed restored" : "slowed down x" + factor);
    }

    /** Fault hook: takes an instance out of service or back in. */
    public void setInstanceOnline(int instance, boolean online) {
        checkInstance(instance);
        executor.setOnline(instance, online);
        publishInstance(instance, online ? "brought online" : "taken offline");
    }

    /**
     * Builds a snapshot of everything now. A pure read: its interval figures (throughput,
     * recent latency) run from the last published snapshot, and the next published one still
     * covers its whole interval.
     */
    public EngineSnapshot snapshot() {
        return snapshot(false);
    }

    /** @param endInterval whether this snapshot closes the interval (only the periodic publisher's do) */
    private EngineSnapshot snapshot(boolean endInterval) {
        long now = clock.nanos();
        double seconds = Math.max(1e-9, (now - lastSnapshotAt) / 1e9);
        double tps = (succeeded - lastSucceeded) / seconds;
        double tokensPerSecond = (tokensCompleted - lastTokens) / seconds;
        if (endInterval) {
            lastSnapshotAt = now;
            lastSucceeded = succeeded;
            lastTokens = tokensCompleted;
        }

        List<Integer> byPriority = Arrays.stream(waitingByPriority).boxed().toList();
        Map<Tier, Integer> byTier = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            byTier.put(tier, 0);
        }
        for (int p = 0; p < waitingByPriority.length; p++) {
            byTier.merge(Tier.of(p), waitingByPriority[p], Integer::sum);
        }
        byTier.put(Tier.DEAD_LETTER, deadLetters);
        int[] levels = new int[queues.values().iterator().next().policy.levels()];
        int waiting = 0;
        for (ModelQueue queue : queues.values()) {
            int[] depth = queue.policy.depthByLevel();
            for (int i = 0; i < depth.length && i < levels.length; i++) {
                levels[i] += depth[i];
            }
            waiting += queue.policy.size();
        }
        waiting += resources.blockedCount() + parkedCount;
        long oldestEnqueue = waitOrder.oldest();
        LatencySummary recent = endInterval ? latency.takeInterval() : latency.interval();
        if (endInterval) {
            closeSecond(clock.toInstant(now));
        }
        List<InstanceStatus> instances = executor.status();
        return new EngineSnapshot(now, clock.toInstant(now), policyName, paused, waiting, byPriority,
                Arrays.stream(levels).boxed().toList(), Map.copyOf(byTier), running, instances,
                new EngineSnapshot.Counters(submitted, rejected, succeeded, failed, retried, cancelled, deadLettered,
                        preemptions),
                tps, tokensPerSecond, oldestEnqueue < 0 ? 0 : (now - oldestEnqueue) / 1e6,
                latency.total(), recent, latency.byPriority(), events.dropped(), Map.copyOf(tierModes),
                List.of(laneModes), lastSecond);
    }

    /** At the first published snapshot of a new wall-clock second, the one before it is closed. */
    private void closeSecond(java.time.Instant takenAt) {
        java.time.Instant second = takenAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (openSecond == null) {
            openSecond = second;
        } else if (!second.equals(openSecond)) {
            LatencyMetrics.Interval closed = latency.takeSecond();
            lastSecond = new EngineSnapshot.SecondLatency(openSecond, closed.overall(), closed.byPriority());
            openSecond = second;
        }
    }

    /** Counts a submission refused before it reached the loop (invalid fields). */
    public void countRejected() {
        rejected++;
    }

    /** Number of tasks waiting, running or retrying. */
    public int activeCount() {
        return active.size();
    }

    // ---------------------------------------------------------------- executor callbacks

    @Override
    public EngineClock clock() {
        return clock;
    }

    @Override
    public void firstToken(Task task) {
        latency.recordTtft(resources.ownPriority(task), task.firstTokenAt() - task.arrivedAt()); // its class, not a borrowed one
    }

    @Override
    public void succeeded(Task task, String output) {
        long now = clock.nanos();
        running--;
        task.setOutput(output);
        move(task, TaskState.SUCCEEDED, now);
        succeeded++;
        tokensCompleted += task.generatedTokens();
        queues.get(task.model()).policy.onCompleted(task, now);
        latency.recordCompletion(resources.ownPriority(task), task.waitedNanos(now), now - task.arrivedAt());
        retire(task);
    }

    @Override
    public void failed(Task task, String reason, boolean retryable) {
        long now = clock.nanos();
        running--;
        releaseResources(task);
        task.setError(reason);
        move(task, TaskState.FAILED, now);
        failed++;
        if (retryable && task.attempts() < retry.maxAttempts()) {
            retried++;
            task.discardOutput(); // a failed instance takes the KV cache with it: the next attempt starts over
            move(task, TaskState.RETRY_WAIT, now);
            clock.scheduleAfter(retry.backoffNanos(task.attempts()), () -> requeueAfterBackoff(task));
        } else {
            // Out of attempts, or a failure that retrying cannot cure: FAILED is not an end
            // state, so the task goes where an operator can see and replay it.
            move(task, TaskState.DEAD_LETTERED, now);
            deadLettered++;
            deadLetters++;
            retire(task);
        }
        dispatch();
    }

    @Override
    public void handedBack(Task task) {
        long now = clock.nanos();
        running--;
        move(task, TaskState.PREEMPTED, now);
        preemptions++;
        enqueue(queues.get(task.model()), task, now);
        dispatch();
    }

    @Override
    public void stepFinished(int instance, List<Task> batch) {
        long now = clock.nanos();
        ModelQueue queue = queues.get(executor.model(instance));
        SchedulingPolicy policy = queue.policy;
        for (int i = 0; i < batch.size(); i++) {
            policy.onStep(batch.get(i), now);
        }
        dispatch();
        if (paused || !policy.preemptive()) {
            return;
        }
        // Each round swaps the least urgent running task for a more urgent waiting one; it stops
        // as soon as the head does not preempt the least urgent, so no task is swapped back.
        for (int rounds = batch.size(); rounds > 0; rounds--) {
            Task head = runnableHead(queue, now);
            if (head == null) {
                return;
            }
            Task victim = null;
            for (int i = 0; i < batch.size(); i++) {
                Task candidate = batch.get(i);
                if (victim == null || policy.compare(candidate, victim) > 0) {
                    victim = candidate;
                }
            }
            if (victim == null || !policy.preempts(head, victim, batch.size())
                    || !executor.canAcceptReplacing(instance, head, victim)) {
                return;
            }
            executor.evict(victim);
            running--;
            move(victim, TaskState.PREEMPTED, now);
            preemptions++;
            policy.poll(now);
            leaveWaiting(head);
            enqueue(queue, victim, now);
            run(head, instance, now);
        }
    }

    @Override
    public void instanceChanged(int instance) {
        dispatch();
    }

    @Override
    public void post(Runnable action) {
        poster.accept(action);
    }

    // ---------------------------------------------------------------- internals

    /** Why a waiting task sits where it does, under a scoring policy; empty otherwise. */
    public Optional<io.queuedeck.engine.policy.ScoreBreakdown> explain(String id) {
        Task task = require(id);
        if (!task.state().isWaiting()) {
            return Optional.empty();
        }
        return queues.get(task.model()).policy.explain(task, clock.nanos());
    }

    private void installPolicy(String name, PolicyConfig config) {
        if (!(clock instanceof VirtualClock) && PolicyRegistry.isSimulationOnly(name)) {
            throw new IllegalArgumentException("policy '" + name
                    + "' needs the true output lengths that only a simulation knows; it cannot run live");
        }
        Map<String, List<Integer>> byModel = new LinkedHashMap<>();
        for (int i = 0; i < executor.instanceCount(); i++) {
            byModel.computeIfAbsent(executor.model(i), m -> new ArrayList<>()).add(i);
        }
        Map<String, ModelQueue> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> entry : byModel.entrySet()) {
            SchedulingPolicy policy = PolicyRegistry.create(name, config);
            int[] ids = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
            fresh.put(entry.getKey(), new ModelQueue(entry.getKey(), policy, ids));
        }
        queues.clear();
        queues.putAll(fresh);
        policyName = name;
        policyGeneration++;
    }

    private void scheduleTicks() {
        long interval = queues.values().iterator().next().policy.tickIntervalNanos();
        if (interval > 0) {
            long generation = policyGeneration;
            clock.scheduleAfter(interval, () -> tick(generation, interval));
        }
    }

    private void tick(long generation, long interval) {
        if (generation != policyGeneration) {
            return; // the policy was switched; its successor has its own ticks
        }
        long now = clock.nanos();
        for (ModelQueue queue : queues.values()) {
            queue.policy.onTick(now);
        }
        dispatch();
        clock.scheduleAfter(interval, () -> tick(generation, interval));
    }

    /** Hands waiting tasks to instances with room, until no instance can take its model's next task. */
    private void dispatch() {
        if (dispatching) {
            dispatchAgain = true; // an executor reported back from inside dispatch(): go round again
            return;
        }
        dispatching = true;
        try {
            do {
                dispatchAgain = false;
                if (!paused) {
                    for (ModelQueue queue : queues.values()) {
                        fill(queue);
                    }
                }
            } while (dispatchAgain);
        } finally {
            dispatching = false;
        }
    }

    private void fill(ModelQueue queue) {
        long now = clock.nanos();
        Task head;
        while ((head = runnableHead(queue, now)) != null) {
            int best = -1;
            int bestLoad = Integer.MAX_VALUE;
            for (int instance : queue.instances) {
                if (executor.canAccept(instance, head)) {
                    int load = executor.load(instance);
                    if (load < bestLoad) {
                        best = instance;
                        bestLoad = load;
                    }
                }
            }
            if (best < 0) {
                return;
            }
            queue.policy.poll(now);
            leaveWaiting(head);
            run(head, best, now);
        }
    }

    /**
     * The policy's next task that may run now. Tasks whose exclusive resource another task holds
     * leave the queue and wait for it; under priority inheritance the holder takes their priority.
     */
    private Task runnableHead(ModelQueue queue, long now) {
        Task head;
        while ((head = queue.policy.peek(now)) != null) {
            if (lanePaused(head.priority())) {
                queue.policy.remove(head);
                parked.get(head.priority()).add(head); // still counted as waiting, in waitingByPriority
                parkedCount++;
                continue;
            }
            Task holder = resources.holderBlocking(head);
            if (holder == null) {
                return head;
            }
            queue.policy.remove(head); // not poll: it does not run now, and poll charges fair share for running
            resources.block(head); // still counted as waiting, in waitingByPriority
            int inherited = resources.inheritedPriority(holder, head);
            if (inherited >= 0) {
                changePriority(holder, inherited);
            }
        }
        return null;
    }

    /** Sets a task's priority, re-keying it in its queue if it waits there. */
    private void changePriority(Task task, int priority) {
        if (task.state().isWaiting()) { // a holder is never blocked itself: it already has its resource
            ModelQueue queue = dequeue(task);
            task.setPriority(priority);
            enqueueKeepingWait(queue, task);
        } else {
            task.setPriority(priority);
        }
    }

    /** Forgets a parked task (cancelled or moved); false when it was not parked. */
    private boolean unpark(Task task) {
        for (java.util.Set<Task> set : parked) {
            if (set.remove(task)) {
                parkedCount--;
                return true;
            }
        }
        return false;
    }

    /** Frees what {@code task} held; the tasks that waited for it queue again. */
    private void releaseResources(Task task) {
        List<Task> freed = resources.release(task);
        long now = clock.nanos();
        for (Task waiter : freed) {
            queues.get(waiter.model()).policy.enqueue(waiter, now);
        }
        if (!freed.isEmpty()) {
            dispatch();
        }
    }

    private void run(Task task, int instance, long now) {
        if (task.state() == TaskState.QUEUED) {
            task.incrementAttempts();
        }
        int ceiling = resources.acquire(task);
        if (ceiling >= 0) {
            task.setPriority(ceiling);
        }
        move(task, TaskState.RUNNING, now);
        running++;
        task.setInstance(instance);
        executor.dispatch(instance, task);
    }

    private void requeueAfterBackoff(Task task) {
        if (task.state() != TaskState.RETRY_WAIT) {
            return; // cancelled while it waited
        }
        long now = clock.nanos();
        move(task, TaskState.QUEUED, now);
        enqueue(queues.get(task.model()), task, now);
        dispatch();
    }

    private void enqueue(ModelQueue queue, Task task, long now) {
        task.setEnqueuedAt(now);
        enqueueKeepingWait(queue, task);
        waitOrder.joined(task);
    }

    private void enqueueKeepingWait(ModelQueue queue, Task task) {
        queue.policy.enqueue(task, clock.nanos());
        waitingByPriority[task.priority()]++;
    }

    private ModelQueue dequeue(Task task) {
        ModelQueue queue = queues.get(task.model());
        if (!queue.policy.remove(task) && !resources.unblock(task) && !unpark(task)) {
            throw new IllegalStateException("waiting task " + task.id() + " is not in its queue");
        }
        leaveWaiting(task);
        return queue;
    }

    private void leaveWaiting(Task task) {
        waitingByPriority[task.priority()]--;
    }

    private void move(Task task, TaskState to, long now) {
        TaskState from = task.state();
        task.transitionTo(to, now);
        if (events.active()) {
            events.publish(new EngineEvent.TaskTransitioned(now, task.id(), from, to, task.priority(), task.instance()));
        }
    }

    private void retire(Task task) {
        releaseResources(task);
        active.remove(task.id());
        finished.put(task.id(), task);
    }

    private Task lookup(String id) {
        Task task = active.get(id);
        return task != null ? task : finished.get(id);
    }

    private Task require(String id) {
        Task task = lookup(id);
        if (task == null) {
            throw new TaskNotFoundException(id);
        }
        return task;
    }

    private void checkInstance(int instance) {
        if (instance < 0 || instance >= executor.instanceCount()) {
            throw new IllegalArgumentException("instance must be between 0 and " + (executor.instanceCount() - 1)
                    + ", got " + instance);
        }
    }

    private void publishInstance(int instance, String reason) {
        if (events.active()) {
            InstanceStatus status = executor.status().get(instance);
            events.publish(new EngineEvent.InstanceChanged(clock.nanos(), instance, status.state(), reason));
        }
    }

    private void publishSnapshot() {
        snapshotSink.accept(snapshot(true));
        clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
    }
}
