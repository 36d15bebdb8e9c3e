package io.queuedeck.engine.task;

/** No task with this id is known (never submitted, or finished long enough ago to be forgotten). */
public final class TaskNotFoundException extends RuntimeException {
    public TaskNotFoundException(String taskId) {
        super("no task with id '" + taskId + "'");
    }
}
