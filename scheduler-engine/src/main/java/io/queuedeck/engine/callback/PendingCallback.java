package io.queuedeck.engine.callback;

import io.queuedeck.engine.clock.EngineClock;
import java.time.Instant;

/**
 * One callback on its way: the body is fixed once, so every attempt and replay sends the same bytes.
 *
 * @param finishedAt when the task finished, on the engine clock (callback latency counts from it)
 * @param failedAt   when it was dead-lettered; null while it is still on its way
 * @param tenant     the task's tenant (for receiver faults by tenant); null after a restart, it is not kept
 */
record PendingCallback(String taskId, String url, byte[] body, long finishedAt, int attempts, String lastError,
                       Instant failedAt, String tenant) {
    PendingCallback next(String error) {
        return new PendingCallback(taskId, url, body, finishedAt, attempts + 1, error, failedAt, tenant);
    }

    /** The same attempts so far, failed with {@code error} (and dead at {@code deadAt}, or still pending when null). */
    PendingCallback failed(String error, Instant deadAt) {
        return new PendingCallback(taskId, url, body, finishedAt, attempts, error, deadAt, tenant);
    }

    DeliveryStore.Delivery stored(EngineClock clock) {
        return new DeliveryStore.Delivery(taskId, url, body, clock.toInstant(finishedAt), attempts, lastError, failedAt);
    }
}
