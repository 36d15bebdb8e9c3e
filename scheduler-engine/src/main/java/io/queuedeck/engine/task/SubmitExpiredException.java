package io.queuedeck.engine.task;

/**
 * A submission reached the loop after the time its sender stopped waiting for it, so the loop did
 * not queue it: the sender may answer "not queued" knowing that nothing was.
 */
public final class SubmitExpiredException extends RuntimeException {
    public SubmitExpiredException(String message) {
        super(message);
    }
}
