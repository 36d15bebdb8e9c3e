package io.queuedeck.engine;

import io.queuedeck.engine.snapshot.EngineEvent;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tasks that reached their final state (succeeded, cancelled, timed out, dead-lettered, or failed
 * for good), each with its final {@link TaskView}, handed to listeners on the feed's own thread.
 *
 * <p>It subscribes to the engine's events and drains them on {@code executor}, so the scheduler
 * loop never waits for it: a final transition costs the loop one event and one lookup command.
 * Result callbacks and latency histograms both hang off it.
 */
public final class CompletionFeed implements AutoCloseable {
    private static final int DRAIN_BATCH = 16_384;

    private final Engine engine;
    private final ScheduledExecutorService executor;
    private final EventSubscription subscription;
    private final List<Consumer<TaskView>> listeners = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> drainer;
    private long droppedSeen;

    /**
     * @param capacity events buffered between drains; beyond it events are dropped (and counted)
     * @param executor the feed's thread: listeners run there, one at a time
     */
    public CompletionFeed(Engine engine, int capacity, ScheduledExecutorService executor) {
        this.engine = engine;
        this.executor = executor;
        this.subscription = engine.subscribe(capacity);
    }

    /** Adds a listener; it must return quickly (it runs on the feed's single thread). */
    public CompletionFeed onFinished(Consumer<TaskView> listener) {
        listeners.add(listener);
        return this;
    }

    /** Starts draining every {@code periodMillis}. */
    public CompletionFeed start(long periodMillis) {
        if (drainer != null) {
            throw new IllegalStateException("completion feed already started");
        }
        drainer = executor.scheduleWithFixedDelay(this::drain, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Events lost because the feed fell behind. */
    public long dropped() {
        return subscription.dropped();
    }

    private void drain() {
        try {
            long dropped = subscription.dropped();
            if (dropped > droppedSeen) {
                // Lost events may include ends: their callbacks and histogram samples are lost too.
                System.getLogger(CompletionFeed.class.getName()).log(System.Logger.Level.WARNING,
                        "completion feed fell behind: " + (dropped - droppedSeen) + " engine events dropped ("
                                + dropped + " in all); raise its capacity");
                droppedSeen = dropped;
            }
            subscription.drain(DRAIN_BATCH, this::onEvent);
        } catch (RuntimeException e) {
            System.getLogger(CompletionFeed.class.getName()).log(System.Logger.Level.ERROR, "completion feed error", e);
        }
    }

    private void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.TaskTransitioned t && ends(t.to())) {
            engine.task(t.taskId()).thenAcceptAsync(view -> deliver(view, t.to()), executor);
        }
    }

    private static boolean ends(TaskState to) {
        return to.isFinal() || to == TaskState.FAILED;
    }

    private void deliver(Optional<TaskView> found, TaskState reached) {
        if (found.isEmpty()) {
            return;
        }
        TaskView view = found.get();
        // A FAILED task usually moves on at once (retry or dead letter); only one left FAILED failed for good.
        if (view.state() != reached) {
            return;
        }
        for (Consumer<TaskView> listener : listeners) {
            try {
                listener.accept(view);
            } catch (RuntimeException e) {
                System.getLogger(CompletionFeed.class.getName()).log(System.Logger.Level.ERROR,
                        "completion listener failed for task " + view.id(), e);
            }
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> current = drainer;
        if (current != null) {
            current.cancel(false);
        }
        subscription.close();
    }
}
