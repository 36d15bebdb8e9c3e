package io.queuedeck.engine.cluster;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The result callbacks of tasks that end in the shared queue itself, not on a node that ran them:
 * cancelled while waiting, cancelled or dead-lettered by the reaper, refused by the node that
 * claimed them (decision 0117). The script that ends such a task lists it in Redis in the same
 * step; a node with callbacks takes a batch into a list of its own, hands each task to its
 * callback dispatcher (which keeps it in its durable store and delivers it like any other), makes
 * the batch durable there and only then forgets it in Redis. A node that stops in between sends
 * the batch again when it starts under the same name, or another node sends it once that node has
 * gone silent: at least once, the task id as the callback's {@code webhook-id}, as for tasks that ran.
 *
 * <p>Runs on the node's scheduler thread.
 */
final class EndedCallbacks {
    private static final System.Logger LOG = System.getLogger(EndedCallbacks.class.getName());
    /** Tasks taken from Redis at a time. */
    private static final int BATCH = 100;
    /** How long one run may take batches: the node's thread also announces, beats and claims. */
    private static final long RUN_NANOS = 200_000_000;

    private final SharedQueue queue;
    private final EngineClock clock;
    private final Consumer<TaskView> deliver;
    private final BooleanSupplier flush;
    private volatile long handedOn; // written on the node's thread, read by /metrics
    /** This node's callback store refused the last batch (logged once, not at every try). */
    private boolean refused;

    /**
     * @param deliver starts a task's callback (a callback dispatcher's {@code deliver})
     * @param flush   makes what {@code deliver} was given durable (its {@code flush}), answering whether it is
     */
    EndedCallbacks(SharedQueue queue, EngineClock clock, Consumer<TaskView> deliver, BooleanSupplier flush) {
        this.queue = queue;
        this.clock = clock;
        this.deliver = deliver;
        this.flush = flush;
    }

    /**
     * Hands on the callbacks owed, a batch at a time for up to 200 ms (a backlog goes on at the next
     * run), each durable here before Redis forgets it. Redis's own failures go to the caller (the
     * node backs off); a batch this node's callback store does not save (closed, or its write
     * failed) stays in Redis for the next try.
     */
    void drain() {
        long until = clock.nanos() + RUN_NANOS;
        try {
            while (pass() == BATCH && clock.nanos() - until < 0) {
                // a backlog: the next batch
            }
            if (refused) {
                refused = false;
                LOG.log(System.Logger.Level.INFO, "callbacks of tasks ended in the shared queue go out again");
            }
        } catch (io.queuedeck.engine.store.StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!refused) {
                refused = true;
                LOG.log(System.Logger.Level.WARNING, "callbacks of tasks ended in the shared queue wait in Redis: " + e.getMessage());
            }
        }
    }

    /** Takes one batch of owed callbacks and hands it on; answers how many tasks it took. */
    private int pass() {
        List<SharedQueue.Ended> owed = queue.owed(BATCH);
        if (owed.isEmpty()) {
            return 0;
        }
        for (SharedQueue.Ended ended : owed) {
            TaskView task = view(ended);
            if (task != null) {
                deliver.accept(task);
                handedOn++;
            }
        }
        if (!flush.getAsBoolean()) {
            throw new IllegalStateException("this node's callback store did not save them (closed, or its write failed)");
        }
        queue.settleOwed();
        return owed.size();
    }

    /** Callbacks handed to the dispatcher so far (tasks without a callback URL included). */
    long handedOn() {
        return handedOn;
    }

    /**
     * The task as its callback reports it; null when it no longer ended in the queue (retried since,
     * which clears its end; a node may have run it) or its record expired.
     */
    private TaskView view(SharedQueue.Ended ended) {
        TaskState state = SharedQueue.stateOf(ended.state());
        if (state == null || !(state.isFinal() || state == TaskState.FAILED) || ended.spec().isEmpty()
                || ended.endedAtMillis() <= 0) {
            return null;
        }
        TaskSpec spec;
        try {
            spec = SharedSpecs.decode(ended.spec());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no callback for task " + ended.id() + ": its spec does not read: " + e.getMessage());
            return null;
        }
        long finished = clock.toNanos(Instant.ofEpochMilli(ended.endedAtMillis()));
        long arrived = ended.queuedAtMillis() > 0
                ? Math.min(finished, clock.toNanos(Instant.ofEpochMilli(ended.queuedAtMillis()))) : finished;
        return new TaskView(ended.id(), spec, state, ended.priority(), 0, -1, ended.sequence(), arrived, -1, -1, finished,
                finished - arrived, 0, 0, ended.attempts(), 0, ended.detail().isEmpty() ? null : ended.detail(), null,
                List.of());
    }
}
