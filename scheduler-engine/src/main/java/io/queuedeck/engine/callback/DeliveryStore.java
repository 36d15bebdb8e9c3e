package io.queuedeck.engine.callback;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Where callback delivery state lives, so a restart resumes what was pending and keeps the
 * dead letters. The dispatcher writes through it on every change; {@link CallbackDispatcher#resume()}
 * reads it back. {@link #inMemory()} keeps it for the life of the process; {@link #durable(Path)}
 * keeps it in a data directory, so pending callbacks and dead letters survive a restart.
 *
 * <p>Implementations must be thread-safe: the dispatcher calls them from OkHttp's threads. Writes
 * after {@link #close()} are dropped (a callback answered during shutdown), never thrown.
 */
public interface DeliveryStore extends AutoCloseable {

    /**
     * One callback: the exact bytes to post, and where it stands.
     *
     * @param taskId     the task (and the idempotency key)
     * @param url        where it goes
     * @param body       the result JSON, fixed once so every attempt sends the same bytes
     * @param finishedAt when the task finished (callback latency counts from here)
     * @param attempts   attempts made so far
     * @param lastError  what the last attempt got, or null
     * @param deadAt     when it was dead-lettered, or null while it is pending
     */
    record Delivery(String taskId, String url, byte[] body, Instant finishedAt, int attempts, String lastError,
                    Instant deadAt) {
        public boolean dead() {
            return deadAt != null;
        }
    }

    /** Records a delivery (new, after an attempt, or dead-lettered), replacing any for the same task. */
    void put(Delivery delivery);

    /**
     * Makes every put so far durable; answers whether it is (false: the store is closed, or its
     * write failed and the next flush tries again). A store that keeps nothing on disk answers true.
     */
    default boolean flush() {
        return true;
    }

    /** Forgets the task's delivery: it was accepted, or the dead letter was dropped. */
    void remove(String taskId);

    /** Everything recorded, pending and dead, in the order first put. */
    List<Delivery> all();

    /** Writes out what is buffered and releases the store; later writes are dropped. */
    @Override
    default void close() {}

    /**
     * A store in {@code dir} (created if missing) that survives restarts, even a kill: a SQLite
     * database, {@code callbacks.db}, locked while open so that one process at a time uses it. What
     * {@link #flush()} answered true for is on the device; other changes are committed within 200 ms
     * (a crash may lose that much of them), and all of them on {@link #close()}.
     *
     * @throws IllegalArgumentException when the directory cannot be created or written, or another
     *                                  process (or store) holds it
     */
    static DeliveryStore durable(Path dir) {
        return SqliteDeliveryStore.open(dir);
    }

    /** A store in memory: nothing survives the process. */
    static DeliveryStore inMemory() {
        return new DeliveryStore() {
            private final java.util.Map<String, Delivery> deliveries = new java.util.LinkedHashMap<>();

            @Override
            public synchronized void put(Delivery delivery) {
                deliveries.put(delivery.taskId(), delivery);
            }

            @Override
            public synchronized void remove(String taskId) {
                deliveries.remove(taskId);
            }

            @Override
            public synchronized List<Delivery> all() {
                return List.copyOf(deliveries.values());
            }
        };
    }
}
