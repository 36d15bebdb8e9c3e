package io.queuedeck.engine.task;

/**
 * A submission refused because its tier or lane is draining (an operator's choice, until it is
 * resumed). Nothing was queued; the same submission is taken once the drain ends, so it is worth
 * retrying later, unlike a task id conflict.
 */
public final class DrainingException extends RuntimeException {
    /** How long a client is told to wait before it tries again. */
    public static final long RETRY_AFTER_SECONDS = 10;

    public DrainingException(String message) {
        super(message);
    }
}
