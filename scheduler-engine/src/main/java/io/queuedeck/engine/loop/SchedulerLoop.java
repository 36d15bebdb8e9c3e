package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The scheduler: the one owner of all queue state, and of the dispatch cycle that hands waiting
 * tasks to instances. Commands arrive through {@link CommandHandler}; lane ranks and places,
 * tier and lane modes, listings and snapshots live in parts of their own in this package.
 *
 * <p><b>Concurrency.</b> Every method runs on the loop thread, one at a time. Commands from
 * other threads reach it through {@link LoopDriver}'s command queue; answers go back through
 * futures completed by the driver. Nothing here locks or blocks, so the order of events is the
 * order of calls, and the same inputs give the same schedule.
 *
 * <p><b>Time.</b> All time comes from the {@link EngineClock}; timers fire on the loop thread.
 * On a {@link VirtualClock} the same code is a discrete-event simulator.
 *
 * <p><b>Failure.</b> Tasks a crashed instance was running fail back here and are retried with
 * backoff ({@link RetryRule}) until their attempts run out, then dead-lettered. A command that
 * breaks a rule (unknown task, illegal move) is refused with an exception and changes nothing.
 *
 * <p><b>Completions.</b> Every task that reaches a final state leaves its final view in the
 * {@link CompletionOutbox}; while the outbox is full, no new task starts.
 */
final class SchedulerLoop implements ExecutorContext {
    /** Output length of a task that sets no {@code max_tokens}. */
    static final int DEFAULT_OUTPUT_TOKENS = 256;

    private final EngineClock clock;
    private final Executor executor;
    private final RetryRule retry;
    private final EventSink events;
    private final CompletionOutbox outbox;
    private final long snapshotIntervalNanos;
    private final Consumer<EngineSnapshot> snapshotSink;
    private final Consumer<Runnable> poster;

    private final Map<String, ModelQueue> queues = new LinkedHashMap<>();
    private final TaskTable tasks;
    private final LaneModes lanes = new LaneModes();
    private final LanePlacement placement;
    private final int[] waitingByPriority = new int[TaskSpec.MAX_PRIORITY + 1];
    private final LatencyMetrics latency = new LatencyMetrics();
    private final LoopCounters counters = new LoopCounters();
    private final SnapshotAssembler snapshots;
    private final WaitOrder waitOrder = new WaitOrder();
    private final ExclusiveResources resources;

    private String policyName;
    private long policyGeneration;
    private long sequence;
    private boolean paused;
    private boolean dispatching;
    private boolean dispatchAgain;
    private int running;

    /** The waiting tasks of one model and the instances that serve it. */
    private record ModelQueue(String model, SchedulingPolicy policy, int[] instances) {}

    /**
     * @param poster how {@link #post} reaches the loop thread (the driver's report queue, or a
     *               direct call on a virtual clock)
     */
    SchedulerLoop(LoopDriver.Settings settings, Consumer<Runnable> poster) {
        this.clock = settings.clock();
        this.executor = settings.executor();
        this.retry = settings.retry();
        this.events = settings.events();
        this.outbox = settings.outbox();
        this.snapshotIntervalNanos = settings.snapshotIntervalNanos();
        this.snapshotSink = settings.snapshotSink();
        this.poster = poster;
        this.tasks = new TaskTable(settings.finishedRetention());
        this.placement = new LanePlacement(this, tasks);
        this.snapshots = new SnapshotAssembler(this, latency, counters);
        this.resources = new ExclusiveResources(settings.inversion(), TaskSpec.MIN_PRIORITY);
        outbox.onRoom(() -> poster.accept(this::dispatch));
        installPolicy(settings.policy(), settings.policyConfig());
    }

    /** Binds the executor and starts the periodic timers. Loop thread. */
    void start() {
        executor.bind(this);
        if (snapshotIntervalNanos > 0) {
            clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
        }
        scheduleTicks();
    }

    // ---------------------------------------------------------------- task commands

    /**
     * Admits a validated spec.
     *
     * @param outputTokens tokens the task will generate on a simulated GPU (from a trace), or -1
     *                     to take {@code max_tokens}
     */
    SubmitResult submit(TaskSpec spec, int outputTokens) {
        Task existing = tasks.lookup(spec.taskId());
        if (existing != null) {
            if (existing.spec().equals(spec)) {
                return new SubmitResult(existing.view(clock.nanos()), false);
            }
            counters.rejected++;
            throw new TaskConflictException("task_id '" + spec.taskId() + "' is already used by a different task");
        }
        int priority = spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority();
        try {
            lanes.checkTakesNew(priority);
        } catch (TaskConflictException e) {
            counters.rejected++;
            throw e;
        }
        int tokens = outputTokens > 0 ? outputTokens : spec.maxTokens() != null ? spec.maxTokens() : DEFAULT_OUTPUT_TOKENS;
        // The executor checks the spec as it will run: a task without max_tokens still reserves
        // its default output, and a trace replay its traced output. A task that can never be
        // placed must be refused here, or it would sit at the head of its queue forever.
        int reserved = Math.max(spec.maxTokens() == null ? 0 : spec.maxTokens(), tokens);
        TaskSpec asRun = spec.maxTokens() != null && spec.maxTokens() == reserved ? spec : spec.withMaxTokens(reserved);
        Optional<String> refusal = executor.admissionError(asRun);
        if (refusal.isPresent()) {
            counters.rejected++;
            boolean model = refusal.get().startsWith("model");
            throw new InvalidTaskException(model ? "model" : "max_tokens", refusal.get()
                    + (model || spec.maxTokens() != null ? "" : " (max_tokens not given: " + tokens + " assumed)"));
        }
        long now = clock.nanos();
        Task task = new Task(spec, sequence++, tokens, now);
        task.setRank(placement.takeRank());
        if (spec.deadline() != null) {
            task.setDeadlineAt(clock.toNanos(spec.deadline()));
        }
        tasks.activate(task);
        counters.submitted++;
        if (events.active()) {
            events.publish(new EngineEvent.TaskTransitioned(now, task.id(), null, TaskState.QUEUED, task.priority(), -1));
        }
        ModelQueue queue = queues.get(task.model());
        queue.policy.admit(task, now);
        enqueue(queue, task, now);
        dispatch();
        return new SubmitResult(task.view(now), true);
    }

    /** Counts a submission refused before it reached the loop (invalid fields). */
    void countRejected() {
        counters.rejected++;
    }

    TaskView cancel(String id) {
        Task task = tasks.require(id);
        long now = clock.nanos();
        switch (task.state()) {
            case QUEUED, PREEMPTED -> {
                leaveQueue(task);
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
        counters.cancelled++;
        retire(task, now);
        return task.view(now);
    }

    /** Queues a dead-lettered task again (an operator's replay), with a fresh set of attempts. */
    TaskView retryDeadLetter(String id) {
        Task task = tasks.require(id);
        if (task.state() != TaskState.DEAD_LETTERED) {
            throw new TaskConflictException("task '" + id + "' is " + task.state()
                    + "; only dead-lettered tasks can be retried");
        }
        long now = clock.nanos();
        tasks.activate(task);
        counters.deadLetters--;
        task.resetAttempts();
        task.discardOutput();
        task.setRank(placement.takeRank()); // replayed as a new arrival: its old rank may have been given away
        move(task, TaskState.QUEUED, now);
        enqueue(queues.get(task.model()), task, now);
        dispatch();
        return task.view(now);
    }

    /** Gives a task a new priority; a waiting task takes its new place at once. */
    TaskView reprioritize(String id, int priority) {
        checkPriority(priority);
        Task task = tasks.require(id);
        if (task.state().isFinal() || task.state() == TaskState.FAILED) {
            throw new TaskConflictException("task '" + id + "' is already " + task.state() + " and cannot be reprioritized");
        }
        if (task.priority() != priority) {
            if (task.state().isWaiting()) {
                leaveQueue(task);
                rejoinQueue(task, priority);
            } else {
                int old = task.priority();
                task.setPriority(priority);
                publishReprioritized(task, old);
            }
        }
        return task.view(clock.nanos());
    }

    static void checkPriority(int priority) {
        if (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY) {
            throw new InvalidTaskException("priority", "priority must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + ", got " + priority);
        }
    }

    // ---------------------------------------------------------------- operator controls

    /** Stops (or restarts) handing waiting tasks to instances; running tasks go on. */
    void setPaused(boolean pause) {
        if (paused != pause) {
            paused = pause;
            if (events.active()) {
                events.publish(new EngineEvent.DispatchToggled(clock.nanos(), pause));
            }
            dispatch();
        }
    }

    /** Hands the parked tasks of every lane that may run again back to their policy. */
    void unparkResumed() {
        long now = clock.nanos();
        lanes.unparkResumed(task -> queues.get(task.model()).policy.enqueue(task, now));
        dispatch();
    }

    /**
     * Replaces the live policy. Waiting tasks move to the new policy in rank order (submission
     * order as operators left it) and keep their accumulated wait; running tasks are not touched.
     */
    void switchPolicy(String name, PolicyConfig config) {
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
        lanes.forEachParked(task -> queues.get(task.model()).policy.admit(task, now));
        for (Task task : resources.blockedTasks()) {
            queues.get(task.model()).policy.admit(task, now);
        }
        scheduleTicks();
        if (events.active()) {
            events.publish(new EngineEvent.PolicyChanged(now, old, name));
        }
        dispatch();
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
        counters.succeeded++;
        counters.tokensCompleted += task.generatedTokens();
        queues.get(task.model()).policy.onCompleted(task, now);
        latency.recordCompletion(resources.ownPriority(task), task.waitedNanos(now), now - task.arrivedAt());
        retire(task, now);
    }

    @Override
    public void failed(Task task, String reason, boolean retryable) {
        long now = clock.nanos();
        running--;
        releaseResources(task);
        task.setError(reason);
        move(task, TaskState.FAILED, now);
        counters.failed++;
        if (retryable && task.attempts() < retry.maxAttempts()) {
            counters.retried++;
            task.discardOutput(); // a failed instance takes the KV cache with it: the next attempt starts over
            move(task, TaskState.RETRY_WAIT, now);
            clock.scheduleAfter(retry.backoffNanos(task.attempts()), () -> requeueAfterBackoff(task));
        } else {
            // Out of attempts, or a failure that retrying cannot cure: FAILED is not an end
            // state, so the task goes where an operator can see and replay it.
            move(task, TaskState.DEAD_LETTERED, now);
            counters.deadLettered++;
            counters.deadLetters++;
            retire(task, now);
        }
        dispatch();
    }

    @Override
    public void handedBack(Task task) {
        long now = clock.nanos();
        running--;
        move(task, TaskState.PREEMPTED, now);
        counters.preemptions++;
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
            counters.preemptions++;
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

    // ---------------------------------------------------------------- the dispatch cycle

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
        long interval = livePolicy().tickIntervalNanos();
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

    /**
     * Hands waiting tasks to instances with room, until no instance can take its model's next
     * task, or the completion outbox is full (its consumer's drain calls this again).
     */
    void dispatch() {
        if (dispatching) {
            dispatchAgain = true; // an executor reported back from inside dispatch(): go round again
            return;
        }
        dispatching = true;
        try {
            do {
                dispatchAgain = false;
                if (!paused && !outbox.full()) {
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
            if (lanes.paused(head.priority())) {
                queue.policy.remove(head);
                lanes.park(head); // still counted as waiting, in waitingByPriority
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
            ModelQueue queue = leaveQueue(task);
            task.setPriority(priority);
            enqueueKeepingWait(queue, task);
        } else {
            task.setPriority(priority);
        }
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

    /** Takes a waiting task out of wherever it waits (its policy, a resource's wait, a parked lane). */
    ModelQueue leaveQueue(Task task) {
        ModelQueue queue = queues.get(task.model());
        if (!queue.policy.remove(task) && !resources.unblock(task) && !lanes.unpark(task)) {
            throw new IllegalStateException("waiting task " + task.id() + " is not in its queue");
        }
        leaveWaiting(task);
        return queue;
    }

    /** Puts a task {@link #leaveQueue} took out back in, at {@code priority}, keeping its wait; then dispatches. */
    void rejoinQueue(Task task, int priority) {
        int old = task.priority();
        task.setPriority(priority);
        enqueueKeepingWait(queues.get(task.model()), task);
        publishReprioritized(task, old);
        dispatch();
    }

    private void publishReprioritized(Task task, int old) {
        if (old != task.priority() && events.active()) {
            events.publish(new EngineEvent.TaskReprioritized(clock.nanos(), task.id(), old, task.priority()));
        }
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

    /** A task reached a final state: it leaves the active set, and its final view goes to the outbox. */
    private void retire(Task task, long now) {
        releaseResources(task);
        tasks.retire(task);
        outbox.add(task.view(now));
    }

    private void publishSnapshot() {
        snapshotSink.accept(snapshots.take(true));
        clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
    }

    // ---------------------------------------------------------------- reads for the other parts

    /** The policy of the first model's queue: every model runs the same policy. */
    SchedulingPolicy livePolicy() {
        return queues.values().iterator().next().policy;
    }

    SchedulingPolicy policyOf(Task task) {
        return queues.get(task.model()).policy;
    }

    String policyName() {
        return policyName;
    }

    Executor executor() {
        return executor;
    }

    EventSink events() {
        return events;
    }

    LaneModes lanes() {
        return lanes;
    }

    LanePlacement placement() {
        return placement;
    }

    TaskTable tasks() {
        return tasks;
    }

    SnapshotAssembler snapshots() {
        return snapshots;
    }

    boolean dispatchPaused() {
        return paused;
    }

    int runningCount() {
        return running;
    }

    int[] waitingByPriority() {
        return waitingByPriority;
    }

    /** Waiting tasks: in a policy, blocked on a resource, or parked in a paused lane. */
    int waitingCount() {
        int waiting = 0;
        for (ModelQueue queue : queues.values()) {
            waiting += queue.policy.size();
        }
        return waiting + resources.blockedCount() + lanes.parkedCount();
    }

    List<Integer> waitingByLevel() {
        int[] levels = new int[livePolicy().levels()];
        for (ModelQueue queue : queues.values()) {
            int[] depth = queue.policy.depthByLevel();
            for (int i = 0; i < depth.length && i < levels.length; i++) {
                levels[i] += depth[i];
            }
        }
        return java.util.Arrays.stream(levels).boxed().toList();
    }

    long oldestEnqueue() {
        return waitOrder.oldest();
    }

    List<InstanceStatus> instanceStatus() {
        return executor.status();
    }

    long eventsDropped() {
        return events.dropped();
    }
}
