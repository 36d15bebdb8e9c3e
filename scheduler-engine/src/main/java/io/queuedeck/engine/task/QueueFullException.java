package io.queuedeck.engine.task;

/**
 * A submission refused because the queue holds as much as it may: the queued task bodies would
 * pass the engine's byte budget. Nothing was queued; the same submission may succeed later.
 */
public final class QueueFullException extends RuntimeException {
    private final String field;
    private final long limit;

    /**
     * @param field the task field that weighs most (usually {@code input})
     * @param limit the budget, in counted bytes
     */
    public QueueFullException(String field, long limit, String message) {
        super(message, null, false, false);
        this.field = field;
        this.limit = limit;
    }

    public String field() {
        return field;
    }

    public long limit() {
        return limit;
    }
}
