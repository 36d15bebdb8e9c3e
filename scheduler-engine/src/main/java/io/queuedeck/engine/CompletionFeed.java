package io.queuedeck.engine;

import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands the final view of every task that reached a final state (succeeded, cancelled,
 * dead-lettered) to listeners, on the feed's own thread: result callbacks and latency histograms
 * hang off it.
 *
 * <p>It drains the engine's {@link CompletionOutbox}, which never drops a view: when the feed
 * falls behind, the engine starts no new task until it catches up, so a slow listener slows
 * dispatch instead of losing results. The loop never waits for it.
 */
public final class CompletionFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CompletionFeed.class.getName());
    private static final int DRAIN_BATCH = 4_096;

    private final CompletionOutbox outbox;
    private final ScheduledExecutorService executor;
    private final Engine engine;
    private final List<Consumer<TaskView>> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.BooleanSupplier> flushers = new CopyOnWriteArrayList<>();
    /** The batch being handed on; feed thread only. */
    private final List<TaskView> batch = new ArrayList<>();
    private volatile ScheduledFuture<?> drainer;

    /**
     * Opens the engine's outbox: tasks that finish from now on reach the listeners. Create it
     * before the engine starts to miss none.
     *
     * @param executor the feed's thread: listeners run there, one at a time
     */
    public CompletionFeed(Engine engine, ScheduledExecutorService executor) {
        this.engine = engine;
        this.outbox = engine.completions();
        this.executor = executor;
    }

    /** Adds a listener; it runs on the feed's single thread, and while it runs no other view is handed on. */
    public CompletionFeed onFinished(Consumer<TaskView> listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Adds a step run after each batch is handed to the listeners and before the engine is told
     * the batch was handed on: a listener that keeps views makes them durable here (the callback
     * store commits) and answers whether they are. When one is not, the engine is not told, so a
     * restart hands the batch on again (its answer was dropped: a failed commit marked the batch
     * handed on, and a crash then lost its callbacks). Feed thread.
     */
    public CompletionFeed afterBatch(java.util.function.BooleanSupplier flush) {
        flushers.add(flush);
        return this;
    }

    /** Starts draining: at once, and again {@code periodMillis} after the outbox was last found empty. */
    public CompletionFeed start(long periodMillis) {
        if (drainer != null) {
            throw new IllegalStateException("completion feed already started");
        }
        drainer = executor.scheduleWithFixedDelay(this::drain, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Views waiting to be handed on. */
    public int backlog() {
        return outbox.size();
    }

    private void drain() {
        try {
            // in batches until empty; each batch a chance for a cancelled drainer to stop
            while (drainer == null || !drainer.isCancelled()) {
                int drained = outbox.drain(DRAIN_BATCH, this::deliver);
                if (drained > 0) {
                    handedOn();
                }
                if (drained < DRAIN_BATCH) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "completion feed error", e);
        }
    }

    private void handedOn() {
        try {
            boolean durable = true;
            for (java.util.function.BooleanSupplier flush : flushers) {
                durable &= flush.getAsBoolean();
            }
            if (durable) {
                engine.completionsHandedOn(batch); // else a restart hands the batch on again
            }
        } finally {
            batch.clear();
        }
    }

    private void deliver(TaskView view) {
        batch.add(view);
        for (Consumer<TaskView> listener : listeners) {
            try {
                listener.accept(view);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "completion listener failed for task " + view.id(), e);
            }
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> current = drainer;
        if (current != null) {
            current.cancel(false);
        }
    }
}
