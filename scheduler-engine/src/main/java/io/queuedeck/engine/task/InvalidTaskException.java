package io.queuedeck.engine.task;

import java.util.List;

/** A submission that was refused before anything was queued; carries every field error found. */
public final class InvalidTaskException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidTaskException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid task" : errors.getFirst().message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    public InvalidTaskException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
