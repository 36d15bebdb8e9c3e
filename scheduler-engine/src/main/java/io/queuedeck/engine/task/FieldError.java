package io.queuedeck.engine.task;

/**
 * One rejected field of a submission.
 *
 * @param field   the snake_case name of the field, as the client sent it
 * @param message what is wrong, in words a client can act on
 */
public record FieldError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
