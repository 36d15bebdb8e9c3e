package io.queuedeck.console.gateway;

/**
 * A command the engine refused or that failed, as the operator should read it.
 *
 * @param action what was asked, e.g. "Move task t42 to priority 3"
 * @param reason the engine's reason, e.g. "task 't42' is already SUCCEEDED and cannot be reprioritized"
 */
public record CommandFailure(String action, String reason) {

    /** The reason of {@code error}, unwrapped from the future's CompletionException. */
    public static CommandFailure of(String action, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return new CommandFailure(action, message == null || message.isBlank() ? cause.getClass().getSimpleName() : message);
    }
}
