package io.queuedeck.engine.loop;

import io.queuedeck.engine.store.StoreStats;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.TaskStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Takes the loop's store writes off the loop thread and makes them durable in batches (group
 * commit): it drains everything queued, hands it to {@link TaskStore#write} as one batch (one
 * commit and sync), and only then runs the acknowledgements queued behind those writes. Writes
 * and acknowledgements keep the order the loop queued them in, so an acknowledgement runs only
 * once every write before it is durable. The loop never waits for it. A command's writes may
 * land in one batch and its acknowledgement in the next: a failure of the earlier batch is carried
 * to that acknowledgement (conservatively, to every acknowledgement of the next drain that has any), so
 * a failed write is never acknowledged. The writes of a failed batch are written again before the
 * next batch's (and, with nothing new, once a second and at a stop), so the store catches up once it
 * can write; those of a submission answered with the failure are dropped (decision 0112), and its
 * record removed, since a failure may be a batch applied late (decision 0144).
 *
 * <p>On a virtual clock ({@code threadFactory} null) there is no thread: each write is applied at
 * once, on the caller.
 */
final class StoreWriter {
    private static final System.Logger LOG = System.getLogger(StoreWriter.class.getName());
    private static final long MAX_PARK_NANOS = 50_000_000L;
    /** While writes keep failing, one log line per this interval. */
    private static final long FAILURE_REPORT_NANOS = 10_000_000_000L;

    private final TaskStore store;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile boolean stopping;
    /** Loop thread only: something was queued since the last {@link #wake}. */
    private boolean owed;
    private final LongSupplier nanos;
    private volatile long batches, batchedWrites, commitNanos;
    /** Writes and acknowledgements queued and not yet taken into a batch. */
    private final AtomicLong pending = new AtomicLong();
    /** On a virtual clock: a failed write no acknowledgement has followed yet (loop thread only). */
    private RuntimeException unacknowledged;
    /** Failed writes, logged without flooding (the writer's thread, or the loop's on a virtual clock). */
    private final FailureRun failureRun;
    /**
     * Writes of failed batches, oldest first, tried again before the next batch's: their commands were
     * answered with the failure, but the store must still catch up with the loop once it can write
     * (a full disk freed), or a restart would bring back states long past (a finished task queued
     * again). At most {@value #MAX_RETRIED} kept (the writer's thread, or the loop's on a virtual clock).
     */
    private final List<StoreWrite> retried = new ArrayList<>();
    private static final int MAX_RETRIED = 1 << 20;
    /**
     * Tasks whose submission was answered 503 because its write failed: "not accepted" must hold after
     * a restart too, so none of their writes is retried or written later, though they may run here.
     * The oldest are forgotten past {@value #MAX_RETRIED} (same thread as {@link #retried}).
     */
    private final java.util.SequencedSet<Long> refused = new java.util.LinkedHashSet<>();
    /**
     * A removal of each refused task's record, written ahead of the next batch: a failure need not
     * mean the batch was not applied (Redis runs a script that timed out on its way once it wakes),
     * and a record left there would come back at a restart as accepted (same thread as {@link #retried}).
     */
    private final List<StoreWrite> unwrite = new ArrayList<>();
    /** Whether the last batch failed: readiness fails while the store cannot write. */
    private volatile boolean failing;
    /** While writes are owed and nothing new arrives, the writer tries again this often (and once at a stop). */
    private static final long RETRY_NANOS = 1_000_000_000L;
    /** When the writer last tried to write (the writer's thread). */
    private long lastTry;

    /** @param nanos the engine clock, to time commits */
    StoreWriter(TaskStore store, ThreadFactory threadFactory, LongSupplier nanos) {
        this.store = store;
        this.nanos = nanos;
        this.failureRun = new FailureRun(LOG, "task store write", nanos, FAILURE_REPORT_NANOS);
        if (threadFactory == null) {
            thread = null;
        } else {
            thread = threadFactory.newThread(this::run);
            thread.setName("queuedeck-store-writer");
        }
    }

    /** Starts the writer thread (none on a virtual clock); writes queued before wait for it. */
    void start() {
        if (thread != null) {
            thread.start();
        }
    }

    /**
     * Queues a write from the loop thread; durable with the next batch. The writer is woken by the
     * loop's next {@link #wake}, once for all it queued in a pass over its commands, rather than
     * once per write: fewer context switches on a small machine, and fuller batches.
     */
    void write(StoreWrite write) {
        if (thread == null) {
            // as on the writer thread: the next acknowledgement fails, unless a later write carried the failed ones in
            unacknowledged = apply(List.of(write));
            return;
        }
        offer(write);
    }

    /** Like {@link #write}, from any thread, waking the writer at once. */
    void writeAndWake(StoreWrite write) {
        if (thread == null) {
            write(write);
            return;
        }
        pending.incrementAndGet();
        queue.offer(write);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Loop thread, after each pass over its commands and timers: wakes the writer if the pass
     * queued anything for it.
     */
    void wake() {
        if (owed) {
            owed = false;
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Runs {@code ack} once every write queued before it is durable, with null, or with the
     * failure that kept them from being so. Loop thread, like {@link #write}.
     */
    void afterDurable(Consumer<RuntimeException> ack) {
        if (thread == null) {
            RuntimeException failure = unacknowledged;
            unacknowledged = null;
            ack.accept(failure);
            return;
        }
        offer(ack);
    }

    /**
     * Runs {@code work} with the store on the writer's thread, after every write queued before it
     * has been applied (at once, on the caller, on a virtual clock): reads and sweeps that must not
     * run on the loop. What {@code work} throws is logged, so it should answer its own failures.
     */
    void withStore(Consumer<TaskStore> work) {
        afterDurable(ignored -> work.accept(store));
    }

    /** Whether the store looks finished tasks up by id ({@link TaskStore#findsFinished}). */
    boolean findsFinished() {
        return store.findsFinished();
    }

    /** Loop thread: queued, and the writer woken at the loop's next {@link #wake}. */
    private void offer(Object item) {
        pending.incrementAndGet();
        queue.offer(item);
        owed = true;
    }

    @SuppressWarnings("unchecked")
    private void run() {
        List<StoreWrite> batch = new ArrayList<>();
        List<Consumer<RuntimeException>> acks = new ArrayList<>();
        // A failed batch whose last writes no acknowledgement had followed yet: the command that made
        // them queues its acknowledgement later, and it must fail too, even alone in a drain.
        RuntimeException carried = null;
        while (true) {
            Object item;
            long taken = 0;
            int acksBeforeWrites = -1; // acknowledgements taken before this drain's first write
            boolean writeAfterLastAck = false;
            while ((item = queue.poll()) != null) {
                taken++;
                if (item instanceof StoreWrite write) {
                    if (acksBeforeWrites < 0) {
                        acksBeforeWrites = acks.size();
                    }
                    batch.add(write);
                    writeAfterLastAck = true;
                } else {
                    acks.add((Consumer<RuntimeException>) item);
                    writeAfterLastAck = false;
                }
            }
            if (acksBeforeWrites < 0) {
                acksBeforeWrites = acks.size();
            }
            pending.addAndGet(-taken);
            if (batch.isEmpty() && acks.isEmpty()) {
                if ((!retried.isEmpty() || !unwrite.isEmpty()) && (stopping || nanos.getAsLong() - lastTry >= RETRY_NANOS)) {
                    // nothing new comes to carry them: a disk freed while idle, or a stop, still gets what is owed
                    if (apply(List.of()) == null) {
                        carried = null;
                    }
                    if (!stopping) {
                        continue;
                    }
                }
                if (stopping) {
                    return;
                }
                sleeping = true;
                if (queue.isEmpty() && !stopping) {
                    LockSupport.parkNanos(this, MAX_PARK_NANOS);
                }
                sleeping = false;
                continue;
            }
            boolean owed = !retried.isEmpty() || !unwrite.isEmpty();
            RuntimeException failure = batch.isEmpty() && !owed ? null : apply(batch);
            if (failure == null && (owed || !batch.isEmpty())) {
                carried = null; // every write before is durable now, the failed ones carried in: no stale failure to answer with
            }
            for (int i = 0; i < acks.size(); i++) {
                // before this batch's writes an acknowledgement waits only on earlier batches; after them, on this one too
                RuntimeException outcome = i < acksBeforeWrites ? carried : failure != null ? failure : carried;
                try {
                    acks.get(i).accept(outcome);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "acknowledgement failed", e);
                }
            }
            if (!acks.isEmpty()) {
                carried = writeAfterLastAck ? failure : null;
            } else if (failure != null) {
                carried = failure;
            }
            batch.clear();
            acks.clear();
        }
    }

    /**
     * Writes {@code batch} after what earlier failures left owed, as one transaction; answers the
     * failure, if any, after keeping the writes for the next try. Logged without flooding.
     */
    private RuntimeException apply(List<StoreWrite> batch) {
        lastTry = nanos.getAsLong();
        List<StoreWrite> all = batch;
        if (!retried.isEmpty() || !refused.isEmpty()) {
            all = new ArrayList<>(unwrite.size() + retried.size() + batch.size());
            all.addAll(retried);
            all.addAll(batch);
            all.removeIf(write -> refused.contains(sequenceOf(write)));
            all.addAll(0, unwrite); // first: nothing written since is about a refused task
        }
        try {
            long began = nanos.getAsLong();
            store.write(all);
            commitNanos += nanos.getAsLong() - began;
            batches++;
            batchedWrites += all.size();
            retried.clear();
            unwrite.clear();
            failing = false;
            failureRun.succeeded();
            return null;
        } catch (RuntimeException e) {
            failing = true;
            failureRun.failed(e.getMessage(), e);
            retried.addAll(batch);
            if (retried.size() > MAX_RETRIED) { // the oldest go: their tasks may come back in an earlier state after a restart
                retried.subList(0, retried.size() - MAX_RETRIED).clear();
            }
            return e;
        }
    }

    /**
     * The task with {@code sequence} was refused (its submission's write failed): its writes are
     * dropped, now and later. Run by the submission's acknowledgement, on the writer's thread (the
     * loop's on a virtual clock).
     */
    void refuse(String id, long sequence) {
        refused.add(sequence);
        if (refused.size() > MAX_RETRIED) {
            refused.removeFirst();
        }
        retried.removeIf(write -> sequenceOf(write) == sequence);
        if (unwrite.size() < MAX_RETRIED) {
            unwrite.add(new StoreWrite.RemoveTask(id, sequence));
        }
    }

    /** The task a write is about, or -1 for a mode. */
    private static long sequenceOf(StoreWrite write) {
        return switch (write) {
            case StoreWrite.PutTask w -> w.task().sequence();
            case StoreWrite.RemoveTask w -> w.sequence();
            case StoreWrite.HandedOn w -> w.sequence();
            default -> -1;
        };
    }

    /** Whether the last write failed (a full disk, a failing device); false again after one succeeds. */
    boolean failing() {
        return failing;
    }

    /** Writes what is queued, then ends the thread; waits up to {@code millis} for it. */
    void stop(long millis) throws InterruptedException {
        stopping = true;
        if (thread != null && thread.isAlive()) {
            LockSupport.unpark(thread);
            thread.join(millis);
        }
    }

    /** What the writer has done so far, and the store's size now. */
    StoreStats stats() {
        return new StoreStats(batches, batchedWrites, commitNanos, store.sizeBytes(), store.taskCount());
    }

    /** Writes and acknowledgements waiting for the writer (0 on a virtual clock). */
    long pending() {
        return pending.get();
    }

    /** Batches written so far. */
    long batches() {
        return batches;
    }

    /** Writes in those batches. */
    long batchedWrites() {
        return batchedWrites;
    }
}
