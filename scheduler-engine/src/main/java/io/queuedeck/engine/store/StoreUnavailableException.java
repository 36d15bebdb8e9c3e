package io.queuedeck.engine.store;

/**
 * A change the loop made could not be made durable (a full disk, a failing device), or the shared
 * queue's Redis did not answer: nothing was acknowledged, and a change may not survive a restart.
 */
public final class StoreUnavailableException extends RuntimeException {
    private final boolean refusesWrites;

    public StoreUnavailableException(Throwable cause) {
        super("the task store could not make the change durable: " + cause.getMessage(), cause);
        this.refusesWrites = false;
    }

    public StoreUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param refusesWrites the store answered but refused to write (a full Redis, a read-only replica) */
    public StoreUnavailableException(String message, Throwable cause, boolean refusesWrites) {
        super(message, cause);
        this.refusesWrites = refusesWrites;
    }

    /** Whether the store answered and refused to write, rather than not answering: reads may still succeed. */
    public boolean refusesWrites() {
        return refusesWrites;
    }
}
