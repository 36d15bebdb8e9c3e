package io.queuedeck.engine.task;

/** A command that contradicts the task's current state (finished already, id taken by another body). */
public final class TaskConflictException extends RuntimeException {
    public TaskConflictException(String message) {
        super(message);
    }
}
