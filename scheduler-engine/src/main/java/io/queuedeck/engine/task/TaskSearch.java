package io.queuedeck.engine.task;

import java.util.Objects;

/**
 * A search over every task the engine knows: a filter, an order and a page of it.
 *
 * @param offset     matches to skip, in the order asked for
 * @param limit      most tasks in the page, 1 to {@link TaskQuery#MAX_LIMIT}
 * @param descending reverses the order
 */
public record TaskSearch(TaskFilter filter, TaskSort sort, boolean descending, int offset, int limit) {
    /** Deepest a page may reach: a search keeps offset + limit matches while it walks. */
    public static final int MAX_DEPTH = 10_000;

    public TaskSearch {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(sort, "sort");
        if (limit < 1 || limit > TaskQuery.MAX_LIMIT) {
            throw new InvalidTaskException("limit", "limit must be between 1 and " + TaskQuery.MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new InvalidTaskException("offset", "offset must be 0 or more, got " + offset);
        }
        if (offset + limit > MAX_DEPTH) {
            throw new InvalidTaskException("offset", "offset + limit must stay within " + MAX_DEPTH
                    + " (narrow the filter to reach further), got " + offset + " + " + limit);
        }
    }
}
