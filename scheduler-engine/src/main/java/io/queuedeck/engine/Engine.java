package io.queuedeck.engine;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;

import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.loop.EventSink;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.loop.LoopDriver;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.loop.SchedulerLoop;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scheduler engine: the one entry point for everything outside it (API, console, CLI,
 * simulator). Every command is sent to the scheduler loop and answered with a future; reads
 * come from immutable {@link EngineSnapshot}s and {@link EventSubscription}s. No method blocks.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().policy("mlfq").build()) {
 *     engine.start();
 *     engine.submit(TaskSpec.of("llama-2-7b", "Hello", 1, 64)).join();
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {
    private final LoopDriver driver;
    private final EngineClock clock;
    private final Supplier<String> idSupplier;
    private final AtomicReference<EngineSnapshot> latest = new AtomicReference<>();
    private final CopyOnWriteArrayList<Consumer<EngineSnapshot>> snapshotListeners = new CopyOnWriteArrayList<>();
    private final EventBus events = new EventBus();
    private volatile boolean started;

    private Engine(Builder builder) {
        this.clock = builder.clock;
        this.idSupplier = builder.idSupplier;
        this.driver = new LoopDriver(new LoopDriver.Settings(builder.clock, builder.executor, builder.policy,
                builder.policyConfig, builder.retry, events, builder.finishedRetention,
                builder.snapshotInterval.toNanos(), this::publish, builder.threadFactory, builder.inversion));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the scheduler loop (on a system clock, its thread). */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        driver.start();
    }

    /**
     * Validates and queues a task. The future fails with
     * {@link io.queuedeck.engine.task.InvalidTaskException} (with every field error) when the
     * spec is invalid or cannot run here, and with
     * {@link io.queuedeck.engine.task.TaskConflictException} when its id is taken by a different task.
     */
    public CompletableFuture<SubmitResult> submit(TaskSpec spec) {
        return submit(spec, -1);
    }

    /**
     * Queues a task from a trace replay: on simulated GPUs it generates exactly
     * {@code outputTokens} tokens, whatever its {@code max_tokens} says.
     */
    public CompletableFuture<SubmitResult> submit(TaskSpec spec, int outputTokens) {
        TaskSpec complete;
        try {
            complete = TaskSpecValidator.validate(spec, idSupplier);
        } catch (RuntimeException e) {
            driver.execute(() -> driver.loopForDriverThread().countRejected());
            return CompletableFuture.failedFuture(e);
        }
        return driver.call(loop -> loop.submit(complete, outputTokens));
    }

    /** Cancels a task that has not finished. */
    public CompletableFuture<TaskView> cancel(String taskId) {
        return driver.call(loop -> loop.cancel(taskId));
    }

    /** Queues a dead-lettered task again, with a fresh set of attempts. */
    public CompletableFuture<TaskView> retry(String taskId) {
        return driver.call(loop -> loop.retry(taskId));
    }

    /** Moves a task to another priority; a waiting task takes its new place at once. */
    public CompletableFuture<TaskView> reprioritize(String taskId, int priority) {
        return driver.call(loop -> loop.reprioritize(taskId, priority));
    }

    /**
     * Moves a waiting task to {@code priority}'s lane at {@code placement} (ahead of or behind a
     * neighbour, or at either end), atomically. Refused under policies that order a lane by a
     * score of their own; there, {@link #reprioritize} still moves a task between lanes.
     */
    public CompletableFuture<TaskView> place(String taskId, int priority, io.queuedeck.engine.task.Placement placement) {
        java.util.Objects.requireNonNull(placement, "placement");
        return driver.call(loop -> loop.place(taskId, priority, placement));
    }

    /**
     * Like {@link #place(String, int, io.queuedeck.engine.task.Placement)}, in the lane the place
     * names: the anchor's for before and after, the task's own for front and back (read on the
     * loop, so a concurrent move cannot be undone).
     */
    public CompletableFuture<TaskView> place(String taskId, io.queuedeck.engine.task.Placement placement) {
        java.util.Objects.requireNonNull(placement, "placement");
        return driver.call(loop -> loop.place(taskId, placement));
    }

    /** The task with this id, if known. */
    public CompletableFuture<Optional<TaskView>> task(String taskId) {
        return driver.call(loop -> loop.find(taskId));
    }

    /** A waiting task's score, factor by factor, under a scoring policy (weighted); empty otherwise. */
    public CompletableFuture<Optional<io.queuedeck.engine.policy.ScoreBreakdown>> explain(String taskId) {
        return driver.call(loop -> loop.explain(taskId));
    }

    /** A page of known tasks (active and retained finished ones) in submission order, filtered by {@code query}. */
    public CompletableFuture<TaskPage> tasks(TaskQuery query) {
        return driver.call(loop -> loop.tasks(query));
    }

    /**
     * Waiting tasks (queued or preempted), at most {@code limitPerPriority} per priority, the
     * earliest arrivals first, grouped by priority 0..9: what the console's lanes show. Read-only.
     */
    public CompletableFuture<List<TaskView>> waitingTasks(int limitPerPriority) {
        if (limitPerPriority < 0) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("limit must not be negative, got " + limitPerPriority));
        }
        return driver.call(loop -> loop.waitingTasks(limitPerPriority));
    }

    /** Pauses (true) or resumes (false) dispatch; running tasks go on. */
    public CompletableFuture<Void> pauseDispatch(boolean pause) {
        return driver.call(loop -> {
            loop.setPaused(pause);
            return null;
        });
    }

    /**
     * Pauses one tier (its waiting tasks stay queued, none is dispatched), drains it (no new
     * submissions; what it holds is dispatched), or makes it active again.
     */
    public CompletableFuture<Void> setTierMode(io.queuedeck.engine.tier.Tier tier, io.queuedeck.engine.tier.TierMode mode) {
        return driver.call(loop -> {
            loop.setTierMode(tier, mode);
            return null;
        });
    }

    /**
     * Pauses one priority lane, drains it or makes it active again, as {@link #setTierMode} does
     * for a tier; a lane dispatches only when neither it nor its tier is paused.
     */
    public CompletableFuture<Void> setLaneMode(int priority, io.queuedeck.engine.tier.TierMode mode) {
        java.util.Objects.requireNonNull(mode, "mode");
        return driver.call(loop -> {
            loop.setLaneMode(priority, mode);
            return null;
        });
    }

    /** Switches the live policy without losing or reordering running tasks. */
    public CompletableFuture<Void> switchPolicy(String name, PolicyConfig config) {
        return driver.call(loop -> {
            loop.switchPolicy(name, config);
            return null;
        });
    }

    /** Fault injection: crash an instance; its tasks fail back and are retried. */
    public CompletableFuture<Void> crashInstance(int instance) {
        return driver.call(loop -> {
            loop.crashInstance(instance);
            return null;
        });
    }

    /** Fault injection: slow an instance down ({@code factor} 1 restores it). */
    public CompletableFuture<Void> slowInstance(int instance, double factor) {
        return driver.call(loop -> {
            loop.slowInstance(instance, factor);
            return null;
        });
    }

    /** Fault injection: take an instance offline (its tasks go back to the queue) or bring it back. */
    public CompletableFuture<Void> setInstanceOnline(int instance, boolean online) {
        return driver.call(loop -> {
            loop.setInstanceOnline(instance, online);
            return null;
        });
    }

    /** A fresh snapshot, taken by the loop now (rather than the last published one). */
    public CompletableFuture<EngineSnapshot> snapshotNow() {
        return driver.call(SchedulerLoop::snapshot);
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
     * The loop, for code that runs on the loop thread: the simulator driving a virtual clock.
     *
     * @throws IllegalStateException on a system clock, where only the loop's own thread may touch it
     */
    public SchedulerLoop loopOnVirtualClock() {
        if (!(clock instanceof VirtualClock)) {
            throw new IllegalStateException("the loop may be touched directly only on a virtual clock");
        }
        return driver.loopForDriverThread();
    }

    /** Stops the loop after the commands already sent; waits up to 5 s for its thread. */
    @Override
    public void close() {
        driver.stop();
        try {
            driver.join(5_000);
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
    public static final class Builder {
        private EngineClock clock;
        private Executor executor;
        private String policy;
        private PolicyConfig policyConfig;
        private RetryRule retry;
        private Integer finishedRetention;
        private Duration snapshotInterval;
        private ThreadFactory threadFactory;
        private Supplier<String> idSupplier;
        private InversionProtocol inversion;

        private Builder() {}

        /**
         * What to do when an urgent task waits for an exclusive resource (metadata
         * {@code exclusive_resource}) that a less urgent task holds; default
         * {@link InversionProtocol#INHERITANCE}.
         */
        public Builder inversionProtocol(InversionProtocol value) {
            inversion = once(inversion, value, "inversion protocol");
            return this;
        }

        /** The clock; default a {@link SystemClock}. A {@link VirtualClock} makes a simulator. */
        public Builder clock(EngineClock value) {
            clock = once(clock, value, "clock");
            return this;
        }

        /** The executor; default 4 simulated H100s serving {@value #DEFAULT_MODEL}. */
        public Builder executor(Executor value) {
            executor = once(executor, value, "executor");
            return this;
        }

        /** The scheduling policy by registry name; default {@code priority}. */
        public Builder policy(String name) {
            if (!PolicyRegistry.names().contains(name)) {
                throw new IllegalArgumentException("unknown policy '" + name + "'; known policies: "
                        + String.join(", ", PolicyRegistry.names()));
            }
            policy = once(policy, name, "policy");
            return this;
        }

        /** The policy's parameters; default none. */
        public Builder policyConfig(PolicyConfig value) {
            policyConfig = once(policyConfig, value, "policy config");
            return this;
        }

        /** How failed attempts are retried; default {@link RetryRule#DEFAULT}. */
        public Builder retry(RetryRule value) {
            retry = once(retry, value, "retry rule");
            return this;
        }

        /** How many finished tasks stay queryable; default 100,000. */
        public Builder finishedRetention(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("finished retention must not be negative, got " + count);
            }
            finishedRetention = once(finishedRetention, count, "finished retention");
            return this;
        }

        /** How often snapshots are published; default 100 ms (10 Hz); zero turns them off. */
        public Builder snapshotInterval(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("snapshot interval must not be negative, got " + value);
            }
            snapshotInterval = once(snapshotInterval, value, "snapshot interval");
            return this;
        }

        /** Makes the loop thread; default platform threads. */
        public Builder threadFactory(ThreadFactory value) {
            threadFactory = once(threadFactory, value, "thread factory");
            return this;
        }

        /** Makes ids for tasks submitted without one; default random UUIDs. */
        public Builder idSupplier(Supplier<String> value) {
            idSupplier = once(idSupplier, value, "id supplier");
            return this;
        }

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
            PolicyRegistry.create(policy, policyConfig); // fail here, not on the loop thread
            if (!(clock instanceof VirtualClock) && PolicyRegistry.isSimulationOnly(policy)) {
                throw new IllegalArgumentException("policy '" + policy
                        + "' needs the true output lengths that only a simulation knows; it cannot run live");
            }
            return new Engine(this);
        }

        /** The model the default simulated GPUs serve. */
        public static final String DEFAULT_MODEL = "llama-2-7b";

        private static <T> T once(T current, T value, String what) {
            if (value == null) {
                throw new NullPointerException(what + " must not be null");
            }
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
            return value;
        }
    }
}
