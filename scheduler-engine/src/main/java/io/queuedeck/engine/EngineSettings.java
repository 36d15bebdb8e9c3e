package io.queuedeck.engine;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskClassifier;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.FlowSettings;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.ThreadFactory;

/**
 * The settings of an {@link Engine.Builder}, each checked as it is given and given at most once;
 * null until given, so that {@link Engine.Builder#build()} fills in the defaults (they live there
 * only). Its setters are {@link Engine.Builder}'s public API (as {@code StringBuilder}'s are
 * declared in a package-private superclass); the engine reads the fields.
 */
abstract sealed class EngineSettings permits Engine.Builder {
    EngineClock clock;
    Executor executor;
    String policy;
    PolicyConfig policyConfig;
    RetryRule retry;
    Integer finishedRetention;
    Duration snapshotInterval;
    ThreadFactory threadFactory;
    Supplier<String> idSupplier;
    InversionProtocol inversion;
    Integer outboxCapacity;
    TaskStore store;
    Duration idempotencyWindow;
    Integer rememberedFinished;
    Long maxQueuedBytes;
    Long undoRecords;
    io.queuedeck.engine.task.TenantByteShares tenantByteShares;
    Consumer<Throwable> onLoopFailure;
    Duration loopStallTimeout;
    Boolean enforceDeadlines;
    FlowSettings flow;
    TaskClassifier classifier;

    /**
     * Flow control: tier limits, shares, queue TTLs, degrade actions and tenant weights
     * (docs/flow-control.md); default {@link FlowSettings#NONE}, no limit at all.
     */
    public Engine.Builder flow(FlowSettings value) {
        flow = once(flow, value, "flow settings");
        return self();
    }

    /**
     * Gives each submitted task its priority by rules and records which rule did
     * ({@link TaskSpec#classification()}); default none (a task keeps the priority it was sent with).
     */
    public Engine.Builder classifier(TaskClassifier value) {
        classifier = once(classifier, value, "classifier");
        return self();
    }

    /**
     * Whether a task still waiting at its {@code deadline} leaves the queue as TIMED_OUT (its
     * callback and completion like any final state); default true. A running task is always
     * left to finish (decision 0023). The simulator turns this off to measure how late each
     * policy finishes deadline work.
     */
    public Engine.Builder enforceDeadlines(boolean value) {
        enforceDeadlines = once(enforceDeadlines, value, "deadline enforcement");
        return self();
    }

    /**
     * Where queue state is kept; default none (everything lives and dies with the process).
     * With a store, {@link Engine#start()} restores what it holds, and a change is acknowledged (its
     * future completes) only once it is durable there. The engine closes it.
     */
    public Engine.Builder store(TaskStore value) {
        store = once(store, value, "store");
        return self();
    }

    /**
     * With a {@link #store}, how long a finished task answers an identical resubmission of its
     * task_id (instead of running again), across restarts; default 24 hours.
     */
    public Engine.Builder idempotencyWindow(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("idempotency window must not be negative, got " + value);
        }
        idempotencyWindow = once(idempotencyWindow, value, "idempotency window");
        return self();
    }

    /**
     * With a store that looks finished tasks up by id (the embedded one), how many of the
     * idempotency window's are kept whole in memory; older ones are read from the store, off the
     * scheduler thread. Default 10,000 (docs/durability.md, "Memory").
     */
    public Engine.Builder rememberedFinished(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("remembered finished tasks must not be negative, got " + count);
        }
        rememberedFinished = once(rememberedFinished, count, "remembered finished tasks");
        return self();
    }

    /**
     * The byte budget of the active tasks' bodies (waiting, running, waiting to retry): each
     * counts two bytes per character of its input and metadata plus 1,024 bytes of overhead. A
     * submission that would pass it is refused with
     * {@link io.queuedeck.engine.task.QueueFullException}; the bytes come back when a task
     * finishes. Default a quarter of the JVM's maximum heap ({@code Runtime.maxMemory()}), so
     * no flood of submissions can exhaust the heap (docs/api/README.md, "Limits").
     */
    public Engine.Builder maxQueuedBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("max queued bytes must be at least 1, got " + bytes);
        }
        maxQueuedBytes = once(maxQueuedBytes, bytes, "max queued bytes");
        return self();
    }

    /**
     * How many undo records the remembered bulk operations keep in all, one per task a
     * reprioritize or move changed (about {@value io.queuedeck.engine.bulk.BulkOperations#RECORD_BYTES}
     * bytes each; a cancel or retry keeps none). Past it the oldest operation of the tenant holding
     * the most records loses its undo, never the newest operation (decision 0132). Default a
     * sixteenth of the JVM's maximum heap at that size, and at least one operation's worth
     * ({@value io.queuedeck.engine.bulk.BulkOperations#MAX_TASKS}).
     */
    public Engine.Builder undoRecords(long count) {
        if (count < 1) {
            throw new IllegalArgumentException("undo records must be at least 1, got " + count);
        }
        undoRecords = once(undoRecords, count, "undo records");
        return self();
    }

    /**
     * How much of {@link #maxQueuedBytes the byte budget} one tenant may hold with its active
     * tasks' bodies (and what {@code Engine.countInByteBudget} says it holds elsewhere): past its
     * share a submission of that tenant is refused with
     * {@link io.queuedeck.engine.task.QueueFullException} naming the field {@code tenant}, while
     * other tenants' are still taken. Default {@link io.queuedeck.engine.task.TenantByteShares#NONE}.
     */
    public Engine.Builder tenantByteShares(io.queuedeck.engine.task.TenantByteShares shares) {
        tenantByteShares = once(tenantByteShares, java.util.Objects.requireNonNull(shares, "shares"), "tenant byte shares");
        return self();
    }

    /**
     * Called on the loop thread when an {@link Error} (such as {@link OutOfMemoryError}) ends the
     * scheduler loop; default: end the process with exit code 70 at once, so that a supervisor
     * restarts it rather than leaving a process that answers nothing. An embedding that
     * restarts engines itself may pass its own.
     */
    public Engine.Builder onLoopFailure(Consumer<Throwable> value) {
        onLoopFailure = once(onLoopFailure, value, "loop failure handler");
        return self();
    }

    /**
     * How long one pass of the scheduler loop may take before the loop counts as stuck (a command
     * that never returns, a policy or executor that spins): then, as for an {@link Error}, the
     * engine stops answering, {@code /healthz} fails and {@link #onLoopFailure} is called, with
     * where the loop is stuck. Default 30 s; a real clock only.
     */
    public Engine.Builder loopStallTimeout(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("loop stall timeout must be positive, got " + value);
        }
        loopStallTimeout = once(loopStallTimeout, value, "loop stall timeout");
        return self();
    }

    /**
     * How many final task views the completion outbox holds before the loop stops starting
     * tasks until its consumer catches up; default {@value CompletionOutbox#DEFAULT_CAPACITY}.
     * Unbounded on a virtual clock, where the caller drains between steps.
     */
    public Engine.Builder outboxCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("outbox capacity must be at least 1, got " + capacity);
        }
        outboxCapacity = once(outboxCapacity, capacity, "outbox capacity");
        return self();
    }

    /**
     * What to do when an urgent task waits for an exclusive resource (metadata
     * {@code exclusive_resource}) that a less urgent task holds; default
     * {@link InversionProtocol#INHERITANCE}.
     */
    public Engine.Builder inversionProtocol(InversionProtocol value) {
        inversion = once(inversion, value, "inversion protocol");
        return self();
    }

    /** The clock; default a {@link SystemClock}. A {@link VirtualClock} makes a simulator. */
    public Engine.Builder clock(EngineClock value) {
        clock = once(clock, value, "clock");
        return self();
    }

    /** The executor; default 4 simulated H100s serving {@value Engine.Builder#DEFAULT_MODEL}. */
    public Engine.Builder executor(Executor value) {
        executor = once(executor, value, "executor");
        return self();
    }

    /** The scheduling policy by registry name; default {@code priority}. */
    public Engine.Builder policy(String name) {
        if (!PolicyRegistry.names().contains(name)) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; known policies: "
                    + String.join(", ", PolicyRegistry.names()));
        }
        policy = once(policy, name, "policy");
        return self();
    }

    /** The policy's parameters; default none. */
    public Engine.Builder policyConfig(PolicyConfig value) {
        policyConfig = once(policyConfig, value, "policy config");
        return self();
    }

    /** How failed attempts are retried; default {@link RetryRule#DEFAULT}. */
    public Engine.Builder retry(RetryRule value) {
        retry = once(retry, value, "retry rule");
        return self();
    }

    /** How many finished tasks stay queryable; default 100,000. */
    public Engine.Builder finishedRetention(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("finished retention must not be negative, got " + count);
        }
        finishedRetention = once(finishedRetention, count, "finished retention");
        return self();
    }

    /** How often snapshots are published; default 100 ms (10 Hz); zero turns them off. */
    public Engine.Builder snapshotInterval(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("snapshot interval must not be negative, got " + value);
        }
        snapshotInterval = once(snapshotInterval, value, "snapshot interval");
        return self();
    }

    /** Makes the loop thread; default platform threads. */
    public Engine.Builder threadFactory(ThreadFactory value) {
        threadFactory = once(threadFactory, value, "thread factory");
        return self();
    }

    /** Makes ids for tasks submitted without one; default random UUIDs. */
    public Engine.Builder idSupplier(Supplier<String> value) {
        idSupplier = once(idSupplier, value, "id supplier");
        return self();
    }

    private Engine.Builder self() {
        return (Engine.Builder) this; // the only subclass (sealed)
    }

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
