package io.queuedeck.engine.callback;

import java.time.Instant;
import java.util.List;

/**
 * Where callback delivery state lives, so a restart resumes what was pending and keeps the
 * dead letters. The dispatcher writes through it on every change; {@link CallbackDispatcher#resume()}
 * reads it back. The default keeps it in memory (lost with the process); the durable task store
 * is meant to implement it beside the tasks.
 *
 * <p>Implementations must be thread-safe: the dispatcher calls them from OkHttp's threads.
 */
public interface DeliveryStore {

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

    /** Forgets the task's delivery: it was accepted, or the dead letter was dropped. */
    void remove(String taskId);

    /** Everything recorded, pending and dead, in the order first put. */
    List<Delivery> all();

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
