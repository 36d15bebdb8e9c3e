package io.queuedeck.engine.cluster;

import io.queuedeck.engine.store.StoreUnavailableException;

/**
 * Why the shared queue's Redis refused a step, in words a client and an operator can act on. Given the
 * Redis client's message, not its exception: Lettuce stays in {@link RedisSharedQueue}.
 */
final class RedisRefusals {
    private RedisRefusals() {}

    /**
     * Redis did not answer, or refused to write: said in words a client (and an operator reading the
     * log) can act on, not the Redis client's ("Currently not connected", "OOM command not allowed").
     * Not logged here, once per refused call: the node logs when writes start and stop being refused.
     */
    static StoreUnavailableException unreachable(String message, boolean timedOut, RuntimeException e) {
        String why = String.valueOf(message);
        if (why.startsWith("OOM") || why.contains(" OOM ")) {
            return new StoreUnavailableException("the shared queue's Redis is full (its maxmemory) and takes no new"
                    + " tasks; retry later", e, true);
        }
        if (why.startsWith("READONLY") || why.startsWith("MISCONF")) {
            return new StoreUnavailableException("the shared queue's Redis refuses writes (" + why.split(" ")[0]
                    + "); retry later", e, true);
        }
        if (timedOut) {
            // sent, not answered: a stalled Redis runs it when it wakes, so it may be done
            // said for reads too, so the hint names what it is for: a read has nothing to resubmit
            return new StoreUnavailableException("the shared queue's Redis did not answer within "
                    + RedisSharedQueue.COMMAND_TIMEOUT.toSeconds() + " s; retry later. A change asked for may still be made when it"
                    + " answers: a submission may be queued (one sent with a task_id: resubmit it with the same task_id, 200 if it was)", e);
        }
        return new StoreUnavailableException("the shared queue's Redis is unreachable; retry later", e);
    }
}
