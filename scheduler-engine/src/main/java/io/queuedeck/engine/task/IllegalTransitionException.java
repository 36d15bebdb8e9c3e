package io.queuedeck.engine.task;

/** A lifecycle move that {@link TaskState#isAllowed} forbids. */
public final class IllegalTransitionException extends IllegalStateException {
    public IllegalTransitionException(String taskId, TaskState from, TaskState to) {
        super("task " + taskId + " cannot move from " + from + " to " + to);
    }
}
