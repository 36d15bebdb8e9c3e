package io.queuedeck.engine.task;

/**
 * A filter and a page over the tasks the engine knows (active, and finished ones still retained),
 * in submission order.
 *
 * @param state          only tasks in this state; null for any
 * @param tenant         only this tenant's tasks; null for any
 * @param afterSequence  only tasks submitted after the one with this sequence (the cursor); -1 from the start
 * @param limit          most tasks in the page, 1 to {@value #MAX_LIMIT}
 */
public record TaskQuery(TaskState state, String tenant, long afterSequence, int limit) {
    /** Largest page. */
    public static final int MAX_LIMIT = 1_000;

    public TaskQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    /** Whether {@code task} passes the filters (not the cursor). */
    public boolean matches(TaskState taskState, String taskTenant) {
        return (state == null || state == taskState) && (tenant == null || tenant.equals(taskTenant));
    }
}
