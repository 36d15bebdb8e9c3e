package io.queuedeck.engine.task;

/** No task with this id is known (never submitted, or finished long enough ago to be forgotten). */
public final class TaskNotFoundException extends RuntimeException {
    /** Characters of an id the message quotes: more than any id may hold, so a real one is quoted whole. */
    private static final int QUOTED = 160;

    public TaskNotFoundException(String taskId) {
        super("no task with id '" + quoted(taskId) + "'");
    }

    /** A path may carry 8 KB of id, and the answer quoted all of it back. */
    private static String quoted(String taskId) {
        if (taskId == null || taskId.length() <= QUOTED) {
            return taskId;
        }
        int end = Character.isHighSurrogate(taskId.charAt(QUOTED - 1)) ? QUOTED - 1 : QUOTED;
        return taskId.substring(0, end) + "…";
    }
}
