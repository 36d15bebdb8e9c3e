package io.queuedeck.engine.store;

/**
 * A change the loop made could not be made durable (a full disk, a failing device), or the shared
 * queue's Redis did not answer: nothing was acknowledged, and a change may not survive a restart.
 */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(Throwable cause) {
        super("the task store could not make the change durable: " + cause.getMessage(), cause);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
