package io.queuedeck.engine.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where queue state lives so that a restart brings it back: one record per task the loop
 * accepted (rewritten on every change recovery needs), the modes of tiers and lanes, and the
 * records of finished tasks kept as idempotency records until they expire.
 *
 * <p>The engine calls {@link #write} from one thread, its store writer, with everything the loop
 * queued since the last call (group commit); {@link #load} once, before the loop starts. A write
 * that returns is durable: the engine acknowledges a submission only after it. The engine closes
 * the store it was given.
 *
 * <p>A task's sequence never changes and no two tasks share one, so a store may key its records by
 * sequence (the embedded store does: new tasks then land together at the end of its index).
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Everything stored that has not expired at {@code now}; expired idempotency records are
     * deleted on the way.
     */
    StoreContents load(Instant now);

    /**
     * As {@link #load(Instant)}, but a store that can look finished tasks up by id may give back
     * the finished ones already handed on only as {@link StoreContents.FinishedId ids}, beyond the
     * newest whose records add up to {@code wholeFinishedBytes}: a restart then needs no more heap
     * for them than the running engine kept (decision 0058).
     */
    default StoreContents load(Instant now, long wholeFinishedBytes) {
        return load(now);
    }

    /**
     * Applies {@code batch} in order and makes it durable before returning.
     *
     * @throws RuntimeException when the batch could not be made durable (a full disk, a closed store)
     */
    void write(List<StoreWrite> batch);

    /**
     * Whether {@link #findFinished} and {@link #forgetExpired} work: the engine then keeps only the
     * most recent finished tasks in memory and asks the store about older ones (decision 0058). A
     * store that cannot (the default) leaves the engine to remember every finished task of the
     * idempotency window in memory.
     */
    default boolean findsFinished() {
        return false;
    }

    /**
     * The record of the task with this id that finished (succeeded, cancelled, timed out) and has
     * not expired at {@code now}, or null. Called from the engine's store writer thread, after every
     * write queued before it has been applied.
     */
    default StoredTask findFinished(String id, Instant now) {
        throw new UnsupportedOperationException("this task store cannot look finished tasks up by id");
    }

    /**
     * Deletes the idempotency records expired at {@code now} (from the store writer thread), without
     * reading the others; returns how many went.
     */
    default int forgetExpired(Instant now) {
        return 0;
    }

    /**
     * Keeps one audit record (JSON) under its number, beside the tasks (decision 0041), and drops
     * the records numbered in {@code dropped}, which the trail let go to stay within its bounds. A
     * store that keeps none (the default) leaves the audit trail in memory only.
     */
    default void appendAudit(long number, byte[] record, List<Long> dropped) {}

    /** The audit records kept, oldest first; empty for a store that keeps none. */
    default List<byte[]> auditRecords() {
        return List.of();
    }

    /** Stored task records, idempotency records included (for metrics and tests). */
    int taskCount();

    /** Bytes the store takes on disk; 0 when it keeps nothing there. */
    default long sizeBytes() {
        return 0;
    }

    @Override
    void close();

    /** A store that lives as long as its object: for tests and for an engine restarted in-process. */
    static TaskStore inMemory() {
        return new InMemoryTaskStore();
    }

    /**
     * {@code tasks}, with the instance holds kept apart in {@code holds} (a node of a shared queue:
     * its tasks in memory, its holds in Redis under its name; decision 0122).
     */
    static TaskStore holdsIn(TaskStore tasks, ModePairs holds) {
        return new HoldsKeptApart(tasks, holds);
    }

    /** Text pairs kept somewhere durable, as the stores keep modes. */
    interface ModePairs {
        /** Every pair kept. */
        Map<String, String> read();

        /**
         * Keeps {@code pairs} (replacing those of the same keys) before it returns.
         *
         * @throws StoreUnavailableException when they could not be kept
         */
        void write(Map<String, String> pairs);
    }

    /**
     * The embedded durable store in {@code dir} (created if missing; SQLite in WAL mode, decision
     * 0045), locked to this process.
     *
     * @throws IllegalArgumentException when the directory is unusable or in use by another process
     */
    static TaskStore embedded(Path dir) {
        return SqliteTaskStore.open(dir);
    }

    /**
     * The Redis store at {@code uri} ({@code redis://[:password@]HOST[:PORT][/DB]}, or
     * {@code rediss://} for TLS), holding the default queue's records (decision 0024). A write
     * returns once Redis answered it; how durable that is depends on the server's {@code appendonly}
     * and {@code appendfsync} (docs/durability.md, "Redis").
     *
     * @throws IllegalArgumentException when the URI is malformed or Redis cannot be reached
     */
    static TaskStore redis(String uri) {
        return RedisTaskStore.open(uri, RedisTaskStore.DEFAULT_QUEUE);
    }
}
