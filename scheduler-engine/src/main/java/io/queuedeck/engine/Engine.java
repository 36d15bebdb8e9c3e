package io.queuedeck.engine;

import io.queuedeck.engine.audit.AuditTrail;
import io.queuedeck.engine.bulk.BulkOperations;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.loop.EventSink;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.loop.LoopDriver;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreStats;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskClassifier;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scheduler engine: the one entry point for everything outside it (API, console, CLI,
 * simulator). Every {@link Command} is sent to the scheduler loop and answered with a future;
 * reads come from immutable {@link EngineSnapshot}s, {@link EventSubscription}s and the
 * {@link #completions() completion outbox}. No method blocks.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().policy("mlfq").build()) {
 *     engine.start();
 *     engine.send(new Command.Submit(TaskSpec.of("llama-2-7b", "Hello", 1, 64))).join();
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {
    /** How often a draining engine checks whether tasks still run. */
    private static final long DRAIN_POLL_NANOS = 20_000_000;

    private final LoopDriver driver;
    private final CompletionOutbox outbox;
    private final EngineClock clock;
    private final Supplier<String> idSupplier;
    private final TaskClassifier classifier;
    private final TaskStore store;
    private final AtomicReference<EngineSnapshot> latest = new AtomicReference<>();
    private volatile long lastChangeNanos = Long.MIN_VALUE;
    private final CopyOnWriteArrayList<Consumer<EngineSnapshot>> snapshotListeners = new CopyOnWriteArrayList<>();
    private final EventBus events = new EventBus();
    private volatile boolean started;
    private final long maxQueuedBytes;
    private final AuditTrail audit;
    private final BulkOperations operations;
    private final Tiers tiers;

    private Engine(Builder builder) {
        this.clock = builder.clock;
        this.idSupplier = builder.idSupplier;
        this.classifier = builder.classifier;
        // one thread drives a virtual clock: nothing could drain a full outbox while the loop waits for it
        this.outbox = new CompletionOutbox(builder.clock instanceof VirtualClock ? Integer.MAX_VALUE : builder.outboxCapacity);
        this.driver = new LoopDriver(new LoopDriver.Settings(builder.clock, builder.executor, builder.policy,
                builder.policyConfig, builder.retry, events, outbox, builder.finishedRetention,
                builder.snapshotInterval.toNanos(), this::publish, builder.threadFactory, builder.inversion,
                builder.store, EngineClock.saturatedNanos(builder.idempotencyWindow), builder.maxQueuedBytes,
                builder.onLoopFailure, builder.loopStallTimeout.toNanos(), builder.enforceDeadlines, builder.flow,
                builder.rememberedFinished, builder.tenantByteShares));
        this.store = builder.store;
        this.tiers = builder.flow.table();
        this.maxQueuedBytes = builder.maxQueuedBytes;
        // a virtual clock's caller writes its own entries; a live engine writes them on a thread of their own, in order
        this.audit = new AuditTrail(builder.clock, builder.store, builder.clock instanceof VirtualClock ? Runnable::run
                : serial(builder.threadFactory, "queuedeck-audit"));
        audit.onEntry(entry -> events.publish(new EngineEvent.OperatorAction(clock.nanos(), entry.actor(), entry.action(),
                entry.summary(), entry.tasks())));
        // a virtual clock's commands must come from the thread that drives it: operations run on the caller there
        ThreadFactory threads = builder.threadFactory;
        java.util.concurrent.Executor runner = builder.clock instanceof VirtualClock ? Runnable::run : work -> {
            Thread thread = threads.newThread(work);
            thread.setName("queuedeck-bulk");
            thread.start();
        };
        this.operations = new BulkOperations(this::send, runner, audit, builder.clock, builder.undoRecords);
    }

    /** Runs tasks one at a time, in order, on a thread that {@code threads} makes when there is work and that ends when there is none. */
    private static java.util.concurrent.Executor serial(ThreadFactory threads, String name) {
        java.util.concurrent.ConcurrentLinkedQueue<Runnable> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
        return new java.util.concurrent.Executor() {
            @Override
            public void execute(Runnable work) {
                queue.add(work);
                startIfIdle();
            }

            private void startIfIdle() {
                if (draining.compareAndSet(false, true)) {
                    Thread thread = threads.newThread(() -> {
                        for (Runnable next; (next = queue.poll()) != null; ) {
                            next.run();
                        }
                        draining.set(false);
                        if (!queue.isEmpty()) {
                            startIfIdle(); // work that arrived as this thread was ending
                        }
                    });
                    thread.setName(name);
                    thread.start();
                }
            }
        };
    }

    /** Who did what to the queue, and when (decision 0041): every operator action and state-changing API call. */
    public AuditTrail audit() {
        return audit;
    }

    /** Bulk actions by filter with progress and undo (decision 0040). */
    public BulkOperations operations() {
        return operations;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the scheduler loop (on a system clock, its thread). With a {@link Builder#store store},
     * first reads it back: its queue is restored before any command runs.
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        // finished tasks beyond what the engine keeps of them whole come back as ids (decision 0058)
        driver.start(store == null ? StoreContents.empty() : store.load(clock.toInstant(clock.nanos()), maxQueuedBytes));
    }

    /**
     * Runs {@code command} on the scheduler loop. The future completes with the command's answer,
     * or fails with the exception that refused it: {@link io.queuedeck.engine.task.InvalidTaskException}
     * (field by field), {@link io.queuedeck.engine.task.TaskNotFoundException},
     * {@link io.queuedeck.engine.task.TaskConflictException} or {@link IllegalArgumentException}.
     * A {@link Command.Submit}'s spec is validated (and given an id) here, before it reaches the
     * loop. On a virtual clock the future is complete when this returns.
     */
    public <R> CompletableFuture<R> send(Command<R> command) {
        Objects.requireNonNull(command, "command");
        if (command instanceof Command.Submit submit) {
            TaskSpec complete;
            try {
                complete = prepare(submit.spec(), submit.mostUrgentAllowed());
            } catch (RuntimeException e) {
                driver.countRejected();
                return CompletableFuture.failedFuture(e);
            }
            if (complete != submit.spec()) {
                @SuppressWarnings("unchecked") // a Submit is a Command<SubmitResult>
                Command<R> validated = (Command<R>) new Command.Submit(complete, submit.outputTokens(), submit.acceptBy(),
                        submit.mostUrgentAllowed());
                command = validated;
            }
        }
        CompletableFuture<R> answer = driver.send(command);
        if (command instanceof Command.Change<?> && !(command instanceof Command.Submit)) {
            answer.whenComplete((r, e) -> lastChangeNanos = clock.nanos());
        }
        return answer;
    }

    /**
     * {@code spec} as {@link #send} queues a submission: validated (an id given when it has none)
     * and given its priority by the priority rules, capped at {@code mostUrgentAllowed} (0 for
     * any). For an intake that queues it elsewhere (a shared queue, decision 0121).
     *
     * @throws io.queuedeck.engine.task.InvalidTaskException field by field
     */
    public TaskSpec prepare(TaskSpec spec, int mostUrgentAllowed) {
        TaskSpec complete = TaskSpecValidator.validate(spec, idSupplier);
        if (classifier != null) {
            return classifier.classify(complete, spec.priority() != null, mostUrgentAllowed, clock.toInstant(clock.nanos()));
        }
        return complete.classification() == null ? complete : complete.withClassification(null); // only a classifier sets it
    }

    /**
     * Queues a task another engine {@linkplain #prepare prepared}: its priority and classification
     * are kept, not chosen again by this engine's rules (a task claimed from a shared queue, whose
     * node of arrival classified it). Answers as {@link #send} does.
     */
    public CompletableFuture<io.queuedeck.engine.task.SubmitResult> sendPrepared(TaskSpec spec) {
        TaskSpec complete;
        try {
            complete = TaskSpecValidator.validate(spec, idSupplier);
        } catch (RuntimeException e) {
            driver.countRejected();
            return CompletableFuture.failedFuture(e);
        }
        return driver.send(new Command.Submit(complete));
    }

    /**
     * The engine clock when the last change other than a submission was answered (a pause, a
     * drain, a cancel, a policy switch...): a snapshot published before it may not show it, so a
     * reader that must show its own change takes a fresh one ({@link Command.TakeSnapshot}).
     */
    public long lastChangeNanos() {
        return lastChangeNanos;
    }

    /**
     * The final view of every task that reaches a final state, for one consumer (result callbacks,
     * latency histograms). Views are kept from the first call on: call it before {@link #start()}.
     */
    public CompletionOutbox completions() {
        return outbox.open();
    }

    /**
     * Tells a {@link Builder#store store} that these finished tasks' final views have been handed
     * on and what their consumer keeps of them (callbacks) is durable, so a restart does not hand
     * them on again. Until then, a restart puts them in the outbox again (at least once). The
     * {@link CompletionFeed} calls it after each batch. Any thread; never blocks.
     */
    public void completionsHandedOn(List<TaskView> views) {
        driver.handedOn(List.copyOf(views));
    }

    /** The tier table (the {@code tiers} config; fixed for the engine's life, decision 0061). */
    public Tiers tiers() {
        return tiers;
    }

    /** The last published snapshot; null before the first one. Never blocks. */
    public EngineSnapshot latestSnapshot() {
        return latest.get();
    }

    /**
     * Calls {@code listener} with every published snapshot, on the loop thread: it must return
     * at once (hand the snapshot to another thread, as the console does).
     */
    public void onSnapshot(Consumer<EngineSnapshot> listener) {
        snapshotListeners.add(listener);
    }

    /** Subscribes to events with a mailbox of {@code capacity}; a full mailbox drops, never blocks. */
    public EventSubscription subscribe(int capacity) {
        return events.subscribe(capacity);
    }

    public EngineClock clock() {
        return clock;
    }

    /**
     * True while the scheduler loop runs and answers: false before {@link #start()}, after
     * {@link #close()}, and for good once an {@link Error} has ended the loop. What {@code /healthz} reports.
     */
    public boolean alive() {
        return started && driver.alive();
    }

    /** Bytes queued task bodies count against {@link #maxQueuedBytes()}, as of the loop's last change. */
    public long queuedBodyBytes() {
        return driver.queuedBodyBytes();
    }

    /**
     * Counts {@code heldBytes} (read on the scheduler loop at each submission, so it must answer
     * at once: an atomic read) against {@link Builder#maxQueuedBytes} with the queued task bodies:
     * what finished tasks still hold elsewhere, their result callbacks in flight, keeps new tasks
     * out once the budget is spent, as queued ones do (429 {@code queue_full}).
     */
    public void countInByteBudget(java.util.function.LongSupplier heldBytes) {
        driver.countInByteBudget(heldBytes, tenant -> 0);
    }

    /**
     * As {@link #countInByteBudget(java.util.function.LongSupplier)}, with what one tenant holds
     * ({@code heldByTenant}, null for tasks without a tenant; as quick to answer) counted against
     * its share of the budget ({@link Builder#tenantByteShares}).
     */
    public void countInByteBudget(java.util.function.LongSupplier heldBytes,
                                  java.util.function.ToLongFunction<String> heldByTenant) {
        driver.countInByteBudget(heldBytes, heldByTenant);
    }

    /** What the task store's writer has done (batches, writes, commit time) and the store's size; empty without a store. */
    public Optional<StoreStats> storeStats() {
        return driver.storeStats();
    }

    /**
     * Whether the store's last write failed (a full disk, a failing device): new work is not durable
     * until a write succeeds again, which the writer tries with every batch.
     */
    public boolean storeFailing() {
        return driver.storeFailing();
    }

    /** Finished tasks kept whole in memory for the idempotency window ({@link Builder#rememberedFinished}). */
    public int rememberedFinished() {
        return driver.rememberedFinished();
    }

    /** The byte budget of queued task bodies ({@link Builder#maxQueuedBytes}). */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /**
     * The engine's half of a graceful stop: starts no waiting task any more ({@link Command.Drain},
     * never stored, so the next start on the same store dispatches what is still queued) and waits
     * until no task runs, {@code grace} has passed, or {@code hurry} is counted down, whether or not the
     * loop answers (a stuck loop holds no stop). Call it from a
     * thread that may wait (never the FX thread); each check is one indexed query on the loop.
     *
     * @return whether no task was running at the end
     */
    public boolean drain(Duration grace, CountDownLatch hurry) throws InterruptedException {
        long deadline = clock.nanos() + grace.toNanos();
        if (!answered(send(new Command.Drain()), deadline, hurry)) {
            return false;
        }
        while (true) {
            CompletableFuture<TaskPage> running = send(new Command.ListTasks(new TaskQuery(TaskState.RUNNING, null, -1, 1)));
            if (!answered(running, deadline, hurry)) {
                return false;
            }
            if (running.join().tasks().isEmpty()) {
                return true;
            }
            long left = deadline - clock.nanos();
            if (left <= 0 || hurry.await(Math.min(DRAIN_POLL_NANOS, left), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
    }

    /**
     * Whether the loop answered before the grace period ended or the stop was hurried: a loop that
     * does not answer (stuck, or far behind) must not hold a stop past either.
     */
    private boolean answered(CompletableFuture<?> answer, long deadline, CountDownLatch hurry) throws InterruptedException {
        while (!answer.isDone()) {
            long left = deadline - clock.nanos();
            if (left <= 0 || hurry.getCount() == 0) {
                return false;
            }
            try {
                answer.get(Math.min(left, DRAIN_POLL_NANOS), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // not yet (look at the deadline and the hurry again), or refused: join() says how
            }
        }
        return true;
    }

    /**
     * Stops the loop after the commands already sent; waits up to 5 s for its thread, then writes
     * out what it queued for the store and closes the store.
     */
    @Override
    public void close() {
        driver.stop();
        try {
            driver.join(5_000);
            audit.awaitWritten(2_000_000_000L); // the last operator actions belong in the store too
            driver.closeStore(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish(EngineSnapshot snapshot) {
        latest.set(snapshot);
        for (Consumer<EngineSnapshot> listener : snapshotListeners) {
            listener.accept(snapshot);
        }
    }

    /** Event fan-out to bounded mailboxes. */
    private static final class EventBus implements EventSink {
        private final CopyOnWriteArrayList<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
        private volatile long droppedByClosed;

        EventSubscription subscribe(int capacity) {
            EventSubscription[] holder = new EventSubscription[1];
            holder[0] = new EventSubscription(capacity, () -> {
                if (subscriptions.remove(holder[0])) {
                    droppedByClosed += holder[0].dropped();
                }
            });
            subscriptions.add(holder[0]);
            return holder[0];
        }

        @Override
        public boolean active() {
            return !subscriptions.isEmpty();
        }

        @Override
        public void publish(EngineEvent event) {
            for (EventSubscription subscription : subscriptions) {
                subscription.offer(event);
            }
        }

        @Override
        public long dropped() {
            long total = droppedByClosed;
            for (EventSubscription subscription : subscriptions) {
                total += subscription.dropped();
            }
            return total;
        }
    }

    /** Builds an {@link Engine}. Each setting may be given once; defaults live here only. */
    public static final class Builder extends EngineSettings {
        private Builder() {}

        public Engine build() {
            if (clock == null) clock = new SystemClock();
            if (executor == null) executor = new SimulatedGpuExecutor(4, DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100);
            if (policy == null) policy = "priority";
            if (policyConfig == null) policyConfig = PolicyConfig.empty();
            if (retry == null) retry = RetryRule.DEFAULT;
            if (finishedRetention == null) finishedRetention = 100_000;
            if (snapshotInterval == null) snapshotInterval = clock instanceof VirtualClock ? Duration.ZERO : Duration.ofMillis(100);
            if (threadFactory == null) threadFactory = Thread.ofPlatform().daemon(true).factory();
            if (idSupplier == null) idSupplier = () -> UUID.randomUUID().toString();
            if (inversion == null) inversion = InversionProtocol.INHERITANCE;
            if (outboxCapacity == null) outboxCapacity = CompletionOutbox.DEFAULT_CAPACITY;
            if (idempotencyWindow == null) idempotencyWindow = Duration.ofHours(24);
            if (rememberedFinished == null) rememberedFinished = 10_000;
            if (enforceDeadlines == null) enforceDeadlines = true;
            if (flow == null) flow = FlowSettings.NONE;
            if (maxQueuedBytes == null) maxQueuedBytes = Runtime.getRuntime().maxMemory() / 4;
            // a sixteenth of the heap, and always one whole operation's
            if (undoRecords == null) undoRecords = Math.max(BulkOperations.MAX_TASKS,
                    Runtime.getRuntime().maxMemory() / 16 / BulkOperations.RECORD_BYTES);
            if (tenantByteShares == null) tenantByteShares = io.queuedeck.engine.task.TenantByteShares.NONE;
            // halt, not exit: shutdown hooks may wait for the loop that just died
            if (onLoopFailure == null) onLoopFailure = e -> Runtime.getRuntime().halt(LOOP_FAILURE_EXIT_CODE);
            if (loopStallTimeout == null) loopStallTimeout = Duration.ofSeconds(30);
            PolicyRegistry.create(policy, policyConfig); // fail here, not on the loop thread
            if (!(clock instanceof VirtualClock) && PolicyRegistry.isSimulationOnly(policy)) {
                throw new IllegalArgumentException("policy '" + policy
                        + "' needs the true output lengths that only a simulation knows; it cannot run live");
            }
            return new Engine(this);
        }

        /** Exit code of a process ended by the default {@link #onLoopFailure} handler (EX_SOFTWARE). */
        public static final int LOOP_FAILURE_EXIT_CODE = 70;

        /** The model the default simulated GPUs serve. */
        public static final String DEFAULT_MODEL = "llama-2-7b";
    }
}
