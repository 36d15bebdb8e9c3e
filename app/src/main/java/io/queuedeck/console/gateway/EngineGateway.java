package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;

/**
 * The console's only door to the engine.
 *
 * <p>Snapshots: the engine calls {@link #accept} on its loop thread; that only swaps the
 * snapshot into an {@link AtomicReference} (the loop never waits for the UI). A pulse on the
 * FX thread takes the latest one at most every {@value #MIN_APPLY_MILLIS} ms and hands it to
 * every screen in one coalesced update; snapshots that arrive faster than that are skipped,
 * never queued. Every snapshot also feeds a small lock-free latency buffer, so charts miss
 * no interval even when frames are skipped.
 *
 * <p>Commands: forwarded to the engine as they are; their futures complete on the FX thread,
 * and a refusal goes to the failure sink (a notification) before the caller sees it.
 */
public final class EngineGateway implements EngineCommands, Consumer<EngineSnapshot> {
    /** 20 Hz at most: faster than the engine's default 10 Hz, slower than any display. */
    static final long MIN_APPLY_MILLIS = 50;
    private static final System.Logger LOG = System.getLogger(EngineGateway.class.getName());

    private final Engine engine;
    private final Executor fxThread;
    private final Consumer<CommandFailure> failures;
    private final AtomicReference<EngineSnapshot> pending = new AtomicReference<>();
    private final LatencyBuffer latencyBuffer = new LatencyBuffer(4096);
    /** Touched on the engine's loop thread only (in accept). */
    private java.time.Instant lastSecondOffered;
    private final CopyOnWriteArrayList<Consumer<EngineSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong applied = new AtomicLong();
    private final java.util.Set<Consumer<EngineSnapshot>> brokenListeners = new java.util.HashSet<>();
    private AnimationTimer pulse;
    private long lastApplyNanos = Long.MIN_VALUE;
    private EngineSnapshot current;

    /**
     * @param fxThread where command completions run: {@code Platform::runLater} in the console
     * @param failures told about every refused command, on the FX thread
     */
    public EngineGateway(Engine engine, Executor fxThread, Consumer<CommandFailure> failures) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.fxThread = Objects.requireNonNull(fxThread, "fxThread");
        this.failures = Objects.requireNonNull(failures, "failures");
    }

    /** The console's gateway: completions on the FX thread. */
    public static EngineGateway forFx(Engine engine, Consumer<CommandFailure> failures) {
        return new EngineGateway(engine, Platform::runLater, failures);
    }

    /** Subscribes to the engine and starts applying snapshots. FX thread. */
    public void start() {
        engine.onSnapshot(this);
        EngineSnapshot first = engine.latestSnapshot();
        if (first != null) {
            pending.compareAndSet(null, first);
        }
        // made here, not in the constructor: an AnimationTimer needs the FX toolkit
        pulse = new AnimationTimer() {
            @Override
            public void handle(long now) {
                applyIfDue(now);
            }
        };
        pulse.start();
    }

    /** Stops applying snapshots (the engine is closed by its owner). FX thread. */
    public void stop() {
        if (pulse != null) {
            pulse.stop();
        }
    }

    /** Called by the engine on its loop thread: must return at once. */
    @Override
    public void accept(EngineSnapshot snapshot) {
        pending.set(snapshot);
        EngineSnapshot.SecondLatency second = snapshot.lastSecond();
        if (second.second() != null && !second.second().equals(lastSecondOffered)) {
            lastSecondOffered = second.second();
            latencyBuffer.offer(new LatencySample(second.second(), second.overall(), second.byPriority()));
        }
    }

    /** Adds a screen's snapshot consumer; called on the FX thread with each coalesced update. */
    public void addListener(Consumer<EngineSnapshot> listener) {
        listeners.add(listener);
        if (current != null) {
            listener.accept(current);
        }
    }

    /** Latency samples since the last call, oldest first; every engine interval, none skipped. */
    public List<LatencySample> drainLatency() {
        return latencyBuffer.drain();
    }

    /** The last snapshot applied to the screens, or null before the first. FX thread. */
    public EngineSnapshot current() {
        return current;
    }

    /** How many coalesced updates were applied (for the UI benchmark). */
    public long appliedCount() {
        return applied.get();
    }

    void applyIfDue(long nowNanos) {
        if (lastApplyNanos != Long.MIN_VALUE && nowNanos - lastApplyNanos < MIN_APPLY_MILLIS * 1_000_000L) {
            return;
        }
        EngineSnapshot snapshot = pending.getAndSet(null);
        if (snapshot == null) {
            return;
        }
        lastApplyNanos = nowNanos;
        current = snapshot;
        applied.incrementAndGet();
        for (Consumer<EngineSnapshot> listener : listeners) {
            try {
                listener.accept(snapshot);
            } catch (RuntimeException e) {
                // one broken screen must not freeze the others; the operator hears of it once
                LOG.log(System.Logger.Level.ERROR, "screen update failed", e);
                if (brokenListeners.add(listener)) {
                    failures.accept(CommandFailure.of("Screen update", e));
                }
            }
        }
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CompletableFuture<Void> crashInstance(int instance) {
        return send("Crash GPU " + instance, () -> engine.crashInstance(instance));
    }

    @Override
    public CompletableFuture<Void> slowInstance(int instance, double factor) {
        String action = factor == 1.0 ? "Restore speed of GPU " + instance : "Slow GPU " + instance + " ×" + factor;
        return send(action, () -> engine.slowInstance(instance, factor));
    }

    @Override
    public CompletableFuture<Void> setInstanceOnline(int instance, boolean online) {
        return send((online ? "Bring GPU " : "Take offline GPU ") + instance, () -> engine.setInstanceOnline(instance, online));
    }

    @Override
    public CompletableFuture<Void> pauseDispatch(boolean pause) {
        return send(pause ? "Pause dispatch" : "Resume dispatch", () -> engine.pauseDispatch(pause));
    }

    @Override
    public CompletableFuture<Void> setTierMode(io.queuedeck.engine.tier.Tier tier, io.queuedeck.engine.tier.TierMode mode) {
        return send("Set the " + tier.name().toLowerCase(java.util.Locale.ROOT) + " tier to "
                + mode.name().toLowerCase(java.util.Locale.ROOT), () -> engine.setTierMode(tier, mode));
    }

    @Override
    public CompletableFuture<Void> setLaneMode(int priority, io.queuedeck.engine.tier.TierMode mode) {
        return send("Set lane P" + priority + " to " + mode.name().toLowerCase(java.util.Locale.ROOT),
                () -> engine.setLaneMode(priority, mode));
    }

    @Override
    public CompletableFuture<Void> switchPolicy(String name) {
        return switchPolicy(name, "");
    }

    @Override
    public CompletableFuture<Void> switchPolicy(String name, String parameters) {
        String action = "Switch policy to " + name + (parameters == null || parameters.isBlank() ? "" : " (" + parameters + ")");
        return send(action, () -> engine.switchPolicy(name, PolicyConfig.parse(parameters)));
    }

    @Override
    public CompletableFuture<TaskView> reprioritize(String taskId, int priority) {
        return send("Move task " + taskId + " to priority " + priority, () -> engine.reprioritize(taskId, priority));
    }

    @Override
    public CompletableFuture<TaskView> place(String taskId, int priority, io.queuedeck.engine.task.Placement placement) {
        return send("Move task " + taskId + " within lane P" + priority, () -> engine.place(taskId, priority, placement));
    }

    @Override
    public CompletableFuture<TaskView> cancel(String taskId) {
        return send("Cancel task " + taskId, () -> engine.cancel(taskId));
    }

    @Override
    public CompletableFuture<TaskView> retry(String taskId) {
        return send("Retry task " + taskId, () -> engine.retry(taskId));
    }

    @Override
    public CompletableFuture<TaskView> submitPoisonTask() {
        io.queuedeck.engine.task.TaskSpec poison = new io.queuedeck.engine.task.TaskSpec(null,
                io.queuedeck.engine.Engine.Builder.DEFAULT_MODEL, "poison drill", io.queuedeck.engine.task.TaskSpec.DEFAULT_PRIORITY,
                null, null, "drill", null, 64, null,
                java.util.Map.of(io.queuedeck.engine.exec.sim.SimulatedGpuExecutor.POISON_KEY, "true"));
        return send("Poison task", () -> engine.submit(poison).thenApply(io.queuedeck.engine.task.SubmitResult::task));
    }

    @Override
    public CompletableFuture<java.util.Optional<TaskView>> task(String taskId) {
        return send("Look up task " + taskId, () -> engine.task(taskId));
    }

    @Override
    public CompletableFuture<java.util.Optional<io.queuedeck.engine.policy.ScoreBreakdown>> explain(String taskId) {
        return send("Explain the score of task " + taskId, () -> engine.explain(taskId));
    }

    @Override
    public CompletableFuture<List<TaskView>> runningTasks(int limit) {
        return send("List running tasks", () -> engine.tasks(
                new io.queuedeck.engine.task.TaskQuery(io.queuedeck.engine.task.TaskState.RUNNING, null, -1, limit))
                .thenApply(io.queuedeck.engine.task.TaskPage::tasks));
    }

    @Override
    public CompletableFuture<List<TaskView>> deadLettered(int limit) {
        return send("List dead-lettered tasks", () -> engine.tasks(
                new io.queuedeck.engine.task.TaskQuery(io.queuedeck.engine.task.TaskState.DEAD_LETTERED, null, -1, limit))
                .thenApply(io.queuedeck.engine.task.TaskPage::tasks));
    }

    @Override
    public CompletableFuture<List<TaskView>> waitingTasks(int limitPerPriority) {
        return send("List waiting tasks", () -> engine.waitingTasks(limitPerPriority));
    }

    private <T> CompletableFuture<T> send(String action, Supplier<CompletableFuture<T>> command) {
        CompletableFuture<T> sent;
        try {
            sent = command.get();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> onFx = new CompletableFuture<>();
        sent.whenComplete((value, error) -> fxThread.execute(() -> {
            if (error != null) {
                failures.accept(CommandFailure.of(action, error));
                onFx.completeExceptionally(error);
            } else {
                onFx.complete(value);
            }
        }));
        return onFx;
    }
}
