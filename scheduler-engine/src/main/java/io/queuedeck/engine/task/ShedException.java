package io.queuedeck.engine.task;

/**
 * A submission that flow control refused (docs/flow-control.md): its tier's queue is full
 * ({@link Reason#QUOTA}, answered 429 {@code queue_full}), or every slot is busy and its tier's
 * {@code degrade: reject_lowest} sheds the tier's least urgent new work ({@link Reason#SATURATED},
 * answered 503 {@code saturated}).
 * Nothing was queued; the same submission may succeed after {@link #retryAfterSeconds()}.
 */
public final class ShedException extends RuntimeException {
    private final Reason reason;
    private final String limit;
    private final long retryAfterSeconds;

    /** Why a submission was shed. */
    public enum Reason {
        /** Over a limit of the tier (its {@code max_queue}). */
        QUOTA,
        /** Shed while every slot is busy. */
        SATURATED
    }

    /**
     * @param limit the config key that refused it ({@code tiers.batch.max_queue.tasks}, {@code tiers.batch.degrade})
     */
    public ShedException(Reason reason, String limit, long retryAfterSeconds, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.limit = limit;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public Reason reason() {
        return reason;
    }

    public String limit() {
        return limit;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
