package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
 * and a refusal goes to the failure sink (a notification, named by the command's
 * {@link Command#describe()}) before the caller sees it.
 */
public final class EngineGateway implements EngineCommands, OperatorDesk, Consumer<EngineSnapshot> {
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

    /** Whether fault commands may be sent (the kill switch's state); volatile: set once, read on the FX thread. */
    private volatile java.util.function.BooleanSupplier faultsArmed = () -> true;
    private static final String DISARMED = "fault injection is disarmed by the kill switch; re-arm it on the Drills screen";

    @Override
    public <R> CompletableFuture<R> send(Command<R> command) {
        return send(command.describe(), () -> audited(command));
    }

    @Override
    public <R> CompletableFuture<R> sendBuilt(String action, Supplier<Command<R>> build) {
        return send(action, () -> audited(build.get()));
    }

    @Override
    public <R> CompletableFuture<R> sendUnreported(Command<R> command) {
        CompletableFuture<R> sent;
        try {
            sent = audited(command);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<R> onFx = new CompletableFuture<>();
        sent.whenComplete((value, error) -> fxThread.execute(() -> {
            if (error != null) {
                onFx.completeExceptionally(error);
            } else {
                onFx.complete(value);
            }
        }));
        return onFx;
    }

    /**
     * The console's fault commands (crash, slow, offline, hang, KV cut, OOM, poison) are refused
     * while {@code armed} says no: the kill switch disarms them with the catalogue (docs/faults.md).
     */
    public void gateFaults(java.util.function.BooleanSupplier armed) {
        faultsArmed = java.util.Objects.requireNonNull(armed, "armed");
    }

    /** Asked before each instance the operator brings online or takes offline; answers when it is done; must not block. */
    private volatile java.util.function.IntFunction<CompletableFuture<?>> takeOver = instance -> CompletableFuture.completedFuture(null);

    /**
     * {@code takeOver} runs before each GPU command of the operator's (online, offline) is sent, so a
     * crash fault lets the GPU go first: its end cannot undo the operator's choice.
     */
    public void beforeInstanceTakenOver(java.util.function.IntFunction<CompletableFuture<?>> takeOver) {
        this.takeOver = java.util.Objects.requireNonNull(takeOver, "takeOver");
    }

    @Override
    public boolean mayInjectFault(String action) {
        if (faultsArmed.getAsBoolean()) {
            return true;
        }
        IllegalStateException refused = new IllegalStateException(DISARMED);
        fxThread.execute(() -> failures.accept(CommandFailure.of(action, refused)));
        return false;
    }

    /** Also sets a tier's mode on every node of the shared queue (distributed mode); null: alone. */
    private volatile java.util.function.BiFunction<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode,
            CompletableFuture<String>> clusterTierModes;

    /** In distributed mode: a tier paused, drained or resumed here is so on every node ({@code modes} applies it there). */
    public void clusterTierModes(java.util.function.BiFunction<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode,
            CompletableFuture<String>> modes) {
        clusterTierModes = modes;
    }

    @Override
    public void audited(String action, String target) {
        engine.audit().record(ConsoleAudit.actor(), "console", action, target, 0, null);
    }

    /** Tells the operator that {@code action} failed, as a refused command is told; any thread. */
    public void reportFailure(String action, Throwable error) {
        fxThread.execute(() -> failures.accept(CommandFailure.of(action, error)));
    }

    private static boolean injectsFault(Command<?> command) {
        return switch (command) {
            case Command.CrashInstance c -> true;
            case Command.HangInstance h -> h.hung();
            case Command.SlowInstance s -> s.factor() != 1.0;
            case Command.SetInstanceOnline o -> !o.online();
            case Command.LimitKvCache k -> k.fraction() < 1.0;
            case Command.FailPromptsAbove f -> f.promptTokens() > 0;
            case Command.Submit s -> s.spec().metadata() != null
                    && s.spec().metadata().containsKey(io.queuedeck.engine.exec.sim.SimulatedGpuExecutor.POISON_KEY);
            default -> false;
        };
    }

    /** Sends; a change the engine accepted goes into the audit trail (decision 0041). */
    private <R> CompletableFuture<R> audited(Command<R> command) {
        if (!faultsArmed.getAsBoolean() && injectsFault(command)) {
            throw new IllegalStateException(DISARMED);
        }
        CompletableFuture<R> sent = command instanceof Command.SetInstanceOnline online
                // sent whatever the take-over answered: the operator's command is what counts
                ? takeOver.apply(online.instance()).handle((done, error) -> done).thenCompose(done -> engine.send(command))
                : engine.send(command);
        if (clusterTierModes != null && command instanceof Command.SetTierMode mode) {
            sent = sent.thenCompose(value -> clusterTierModes.apply(mode.tier(), mode.mode()).thenApply(done -> value));
        }
        ConsoleAudit.Fields fields = command instanceof Command.Change<R> change ? ConsoleAudit.of(change, engine.latestSnapshot()) : null;
        if (fields == null) {
            return sent;
        }
        return sent.whenComplete((value, error) -> {
            if (error == null) {
                engine.audit().record(ConsoleAudit.actor(), "console", fields.action(), fields.target(), fields.tasks(), null);
            }
        });
    }

    // ---------------------------------------------------------------- bulk operations and the audit trail

    @Override
    public io.queuedeck.engine.bulk.OperationStatus startBulk(io.queuedeck.engine.bulk.BulkRequest request) {
        return engine.operations().start(request, ConsoleAudit.actor(), "console", null);
    }

    @Override
    public java.util.Optional<io.queuedeck.engine.bulk.OperationStatus> operation(String id) {
        return engine.operations().status(id, null);
    }

    @Override
    public io.queuedeck.engine.bulk.OperationStatus undo(String id) {
        return engine.operations().undo(id, ConsoleAudit.actor(), "console", null);
    }

    @Override
    public io.queuedeck.engine.audit.AuditPage audit(io.queuedeck.engine.audit.AuditQuery query) {
        return engine.audit().find(query);
    }

    @Override
    public void onAudit(Consumer<io.queuedeck.engine.audit.AuditEntry> listener) {
        engine.audit().onEntry(entry -> fxThread.execute(() -> listener.accept(entry)));
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
