package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.loop.ModelQueues.ModelQueue;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tiers;
import java.util.List;
import java.util.function.Consumer;

/**
 * The scheduler: the one owner of all queue state, and of the dispatch cycle that hands waiting
 * tasks to instances. Commands arrive through {@link CommandHandler}; lane ranks and places,
 * the dispatch cycle ({@link DispatchCycle}), waiting-task bookkeeping ({@link WaitingTasks}),
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
    // the parts read each other's (package-private, final): one loop, one package, one thread
    final EngineClock clock;
    final Executor executor;
    private final RetryRule retry;
    final EventSink events;
    private final CompletionOutbox outbox;
    private final long snapshotIntervalNanos;
    private final Consumer<EngineSnapshot> snapshotSink;
    private final Consumer<Runnable> poster;

    final ModelQueues queues;
    final TaskTable tasks;
    /** Budget of counted body bytes of active tasks ({@link TaskTable#bodyBytes(io.queuedeck.engine.task.TaskSpec)}). */
    final long maxQueuedBytes;
    /** Bytes held outside the loop for finished tasks (callbacks in flight), counted with the queued bodies. */
    volatile java.util.function.LongSupplier heldElsewhere = () -> 0;
    /** The same for one tenant (null: tasks without one). */
    volatile java.util.function.ToLongFunction<String> heldElsewhereBy = tenant -> 0;
    /** How much of {@link #maxQueuedBytes} one tenant may hold. */
    final io.queuedeck.engine.task.TenantByteShares tenantShares;
    final LaneModes lanes;
    /** The tier table; fixed for the engine's life (a change needs a restart, decision 0061). */
    final Tiers tiers;
    final LanePlacement placement;
    private final LatencyMetrics latency = new LatencyMetrics();
    private final LoopCounters counters = new LoopCounters();
    final SnapshotAssembler snapshots;
    final ExclusiveResources resources;
    final WaitingTasks waiting = new WaitingTasks(this);
    private final DispatchCycle cycle;

    final TaskCommands commands;
    final Durability durable;
    final DeadlineTimers deadlines;
    final FlowControl flow;
    private boolean paused;
    /** Set for good by a stopping server: nothing starts any more (not stored, unlike paused). */
    private boolean draining;
    private int running;

    /**
     * @param poster how {@link #post} reaches the loop thread (the driver's report queue, or a
     *               direct call on a virtual clock)
     */
    SchedulerLoop(LoopDriver.Settings settings, Consumer<Runnable> poster, StoreWriter writer) {
        this.clock = settings.clock();
        this.executor = settings.executor();
        this.retry = settings.retry();
        this.events = settings.events();
        this.outbox = settings.outbox();
        this.snapshotIntervalNanos = settings.snapshotIntervalNanos();
        this.snapshotSink = settings.snapshotSink();
        this.poster = poster;
        this.tenantShares = settings.tenantShares();
        this.tasks = new TaskTable(settings.finishedRetention(), settings.maxQueuedBytes(), tenantShares.capsAny());
        this.maxQueuedBytes = settings.maxQueuedBytes();
        this.tiers = settings.flow().table();
        this.lanes = new LaneModes(tiers);
        this.placement = new LanePlacement(this, tasks);
        this.snapshots = new SnapshotAssembler(this, latency, counters);
        this.resources = new ExclusiveResources(settings.inversion(), TaskSpec.MIN_PRIORITY);
        this.flow = new FlowControl(this, settings.flow(), counters);
        tasks.onDeadLetterEvicted(task -> { // a letter the table lets go is neither held by its tier nor counted
            flow.unparked(task);
            counters.deadLetters--;
        });
        this.queues = new ModelQueues(executor, clock instanceof VirtualClock, settings.policy(), settings.policyConfig(), flow);
        this.commands = new TaskCommands(this, tasks, counters);
        this.durable = new Durability(this, writer, settings.idempotencyWindowNanos(), settings.rememberedFinished(),
                settings.maxQueuedBytes());
        this.deadlines = new DeadlineTimers(this, counters, settings.enforceDeadlines());
        this.cycle = new DispatchCycle(this);
        outbox.onRoom(() -> poster.accept(this::dispatch));
    }

    /** Binds the executor and starts the periodic timers. Loop thread. */
    void start() {
        executor.bind(this);
        if (snapshotIntervalNanos > 0) {
            clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
        }
        cycle.scheduleTicks();
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

    /** Starts nothing more, for good: running tasks finish, waiting ones stay (and stay stored). */
    void drain() {
        draining = true;
    }

    /** Hands the parked tasks of every lane that may run again back to their policy. */
    void unparkResumed() {
        long now = clock.nanos();
        lanes.unparkResumed(task -> queues.policyOf(task).enqueue(task, now));
        dispatch();
    }

    /**
     * Replaces the live policy. Waiting tasks move to the new policy in rank order (submission
     * order as operators left it) and keep their accumulated wait; running tasks are not touched.
     */
    void switchPolicy(String name, PolicyConfig config) {
        String old = queues.policyName();
        long now = clock.nanos();
        reinstall(name, config, now);
        if (events.active()) {
            events.publish(new EngineEvent.PolicyChanged(now, old, name));
        }
        dispatch();
    }

    /**
     * New tier limits and tenant weights (a reloaded config, decision 0050): they apply to the next
     * admission and dispatch; when the split by tier or tenant changed, the waiting tasks move to
     * queues of the new shape as in a policy switch, in rank order, keeping their wait.
     */
    void reconfigureFlow(FlowSettings next) {
        if (flow.reconfigure(next)) {
            reinstall(queues.policyName(), queues.policyConfig(), clock.nanos());
        }
        dispatch();
    }

    /**
     * Gives a canary's tasks their own queue ordered by {@code name}, or (null) puts them back with
     * the others (decision 0051); waiting tasks move as in a policy switch.
     */
    void setCanaryPolicy(String name, PolicyConfig config) {
        long now = clock.nanos();
        queues.setCanary(name, config, now); // throws before touching anything on a bad name or parameter
        readmitOutsidePolicy(now);
        dispatch();
    }

    private void reinstall(String name, PolicyConfig config, long now) {
        queues.switchTo(name, config, now); // throws before touching anything on a bad name or parameter
        readmitOutsidePolicy(now);
    }

    /** Waiting tasks outside the policy (parked in a paused lane, blocked on a resource) join a new one too. */
    private void readmitOutsidePolicy(long now) {
        lanes.forEachParked(task -> queues.policyOf(task).admit(task, now));
        for (Task task : resources.blockedTasks()) {
            queues.policyOf(task).admit(task, now);
        }
        cycle.scheduleTicks();
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
    public void tokensGenerated(int count) {
        counters.tokensGenerated += count;
    }

    @Override
    public void succeeded(Task task, String output) {
        long now = clock.nanos();
        stoppedRunning(task);
        task.setOutput(output);
        task.setError(null); // an earlier attempt's failure is not this task's outcome (attempts says it retried)
        move(task, TaskState.SUCCEEDED, now);
        counters.succeeded++;
        queues.policyOf(task).onCompleted(task, now);
        latency.recordCompletion(resources.ownPriority(task), task.waitedNanos(now), now - task.arrivedAt(),
                task.firstTokenAt() >= 0 ? task.firstTokenAt() - task.arrivedAt() : -1);
        retire(task, now);
    }

    @Override
    public void failed(Task task, String reason, boolean retryable) {
        long now = clock.nanos();
        leftUnfinished(task, reason);
        move(task, TaskState.FAILED, now);
        counters.failed++;
        if (retryable && task.attempts() < flow.maxAttempts(task, retry)) {
            counters.retried++;
            task.discardOutput(); // a failed instance takes the KV cache with it: the next attempt starts over
            move(task, TaskState.RETRY_WAIT, now);
            clock.scheduleAfter(flow.backoffNanos(task, retry), () -> requeueAfterBackoff(task));
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
    public void abandoned(Task task, String reason) {
        long now = clock.nanos();
        leftUnfinished(task, reason);
        move(task, TaskState.CANCELLED, now);
        counters.cancelled++;
        retire(task, now);
        dispatch();
    }

    /** A task left its instance without an answer: its slot and resources go, its error says why. */
    private void leftUnfinished(Task task, String reason) {
        stoppedRunning(task);
        releaseResources(task);
        task.setError(reason);
    }

    @Override
    public void handedBack(Task task) {
        long now = clock.nanos();
        preempted(task, now);
        waiting.enqueue(queues.of(task.model()), task, now);
        dispatch();
    }

    @Override
    public void stepFinished(int instance, List<Task> batch) {
        long now = clock.nanos();
        ModelQueue queue = queues.of(executor.model(instance));
        SchedulingPolicy policy = queue.policy();
        for (int i = 0; i < batch.size(); i++) {
            policy.onStep(batch.get(i), now);
        }
        dispatch();
        if (!paused && !draining && policy.preemptive()) {
            cycle.preemptAfterStep(queue, instance, batch, now);
        }
    }

    @Override
    public int compareUrgency(Task a, Task b) {
        return queues.of(a.model()).policy().compare(a, b);
    }

    @Override
    public void instanceChanged(int instance) {
        flow.saturation.instanceChanged();
        dispatch();
    }

    @Override
    public void post(Runnable action) {
        poster.accept(action);
    }

    // ---------------------------------------------------------------- the dispatch cycle

    /** Hands waiting tasks to instances with room ({@link DispatchCycle#dispatch}). */
    void dispatch() {
        cycle.dispatch();
    }

    /** Whether a task may start now: not paused, not draining, and the completion outbox has room. */
    boolean mayStart() {
        return !paused && !draining && !outbox.full();
    }

    /** Frees what {@code task} held; the tasks that waited for it queue again. */
    private void releaseResources(Task task) {
        List<Task> freed = resources.release(task);
        long now = clock.nanos();
        for (Task waiter : freed) {
            queues.policyOf(waiter).enqueue(waiter, now);
        }
        if (!freed.isEmpty()) {
            dispatch();
        }
    }

    /** Starts a task that has left the waiting tasks on {@code instance}. */
    void run(Task task, int instance, long now) {
        flow.started(task);
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
        waiting.enqueue(queues.of(task.model()), task, now);
        dispatch();
    }

    /** Puts a task that has just (re)joined the waiting tasks in its queue, then dispatches. */
    void enqueueAndDispatch(Task task, long now) {
        waiting.enqueue(queues.of(task.model()), task, now);
        dispatch();
    }

    /** Takes a running task off its instance at once (a cancel). */
    void stopRunning(Task task) {
        executor.evict(task);
        stoppedRunning(task);
    }

    private void stoppedRunning(Task task) {
        running--;
        flow.stopped(task);
    }

    /** A running task was taken off its instance to wait again (it joins its queue next). */
    void preempted(Task task, long now) {
        stoppedRunning(task);
        move(task, TaskState.PREEMPTED, now);
        counters.preemptions++;
    }


    /** Gives a task that is not waiting (running, waiting to retry) another priority. */
    void setPriorityOutsideQueue(Task task, int priority) {
        int old = task.priority();
        task.setPriority(priority);
        publishReprioritized(task, old);
    }

    /** Takes a waiting task out of wherever it waits ({@link WaitingTasks#leaveQueue}). */
    ModelQueue leaveQueue(Task task) {
        return waiting.leaveQueue(task);
    }

    /** Puts a task {@link #leaveQueue} took out back in, at {@code priority}, keeping its wait; then dispatches. */
    void rejoinQueue(Task task, int priority) {
        int old = task.priority();
        task.setPriority(priority);
        waiting.enqueueKeepingWait(queues.of(task.model()), task);
        publishReprioritized(task, old);
        dispatch();
    }

    private void publishReprioritized(Task task, int old) {
        if (old != task.priority() && events.active()) {
            events.publish(new EngineEvent.TaskReprioritized(clock.nanos(), task.id(), old, task.priority()));
        }
    }

    void move(Task task, TaskState to, long now) {
        TaskState from = task.state();
        task.transitionTo(to, now);
        tasks.moved(task, from);
        if (!to.isFinal()) {
            durable.saved(task); // a final state is written by retire, with its expiry
        }
        if (events.active()) {
            events.publish(new EngineEvent.TaskTransitioned(now, task.id(), from, to, task.priority(), task.instance()));
        }
    }

    /** A task reached a final state: it leaves the active set, and its final view goes to the outbox. */
    void retire(Task task, long now) {
        deadlines.disarm(task);
        flow.disarmTtl(task);
        releaseResources(task);
        tasks.retire(task);
        durable.finished(task, now);
        if (outbox.isOpen()) { // a view is not free: only when someone reads them
            outbox.add(task.view(now));
        }
    }

    /** A waiting task that left its queue goes as if never submitted: no outcome, no record, its id free. */
    void withdraw(Task task) {
        deadlines.disarm(task);
        flow.disarmTtl(task);
        releaseResources(task); // a preempted holder keeps its resource while it waits
        tasks.retire(task);
        tasks.forget(task); // out of the index under the state it had
        durable.withdrawn(task);
        task.transitionTo(TaskState.CANCELLED, clock.nanos()); // no longer waiting: the wait order drops it
    }

    // ---------------------------------------------------------------- recovery (before any command)

    void restorePaused(boolean pause) {
        paused = pause;
    }

    /**
     * Takes an instance out of service again as an operator left it before a restart, if the same
     * instance (model and server) is still at that index; another one there (the config changed) is
     * left in service.
     */
    void restoreInstance(int index, StoreContents.InstanceHold hold) {
        List<InstanceStatus> now = executor.status();
        if (index >= now.size()) {
            return;
        }
        InstanceStatus status = now.get(index);
        if (!status.model().equals(hold.model()) || !(status.backend() == null ? "" : status.backend().url()).equals(hold.url())) {
            return;
        }
        if (hold.offline()) {
            executor.setOnline(index, false);
        }
        if (hold.draining()) {
            executor.setDraining(index, true);
        }
    }

    void restoreDeadLetter(Task task) {
        tasks.activate(task);
        tasks.retire(task);
        counters.deadLetters++;
        flow.restoredDeadLetter(task);
    }

    void restoreWaiting(Task task, long now) {
        tasks.activate(task);
        queues.policyOf(task).admit(task, now);
        // one that waited since it arrived has waited that long, for the oldest wait and for aging
        waiting.enqueue(queues.of(task.model()), task, task.queuedSince());
        flow.armTtl(task);
    }

    boolean outboxOpen() {
        return outbox.isOpen();
    }

    /** Recovery: a finished task's final view goes to the outbox again (its callback may never have been recorded). */
    void handOnAgain(TaskView view) {
        if (outbox.isOpen()) {
            outbox.add(view);
        }
    }

    int maxAttempts() {
        return retry.maxAttempts();
    }

    /** The task's own priority, not one it borrowed for a resource: what a store keeps. */
    int ownPriority(Task task) {
        return resources.ownPriority(task);
    }

    private void publishSnapshot() {
        snapshotSink.accept(snapshots.take(true));
        clock.scheduleAfter(snapshotIntervalNanos, this::publishSnapshot);
    }

    // ---------------------------------------------------------------- what the snapshot reads

    boolean dispatchPaused() {
        return paused;
    }

    int runningCount() {
        return running;
    }

    int[] waitingByPriority() {
        return waiting.byPriority();
    }

    /** Waiting tasks: in a policy, blocked on a resource, or parked in a paused lane. */
    int waitingCount() {
        return queues.size() + resources.blockedCount() + lanes.parkedCount();
    }

    long oldestEnqueue() {
        return waiting.oldestEnqueue();
    }
}
