package io.queuedeck.engine.task;

import java.util.List;

/**
 * One page of a {@link TaskSearch}.
 *
 * @param tasks  the tasks, in the order asked for
 * @param total  how many tasks matched the filter in all
 * @param offset where this page starts among them
 */
public record SearchPage(List<TaskView> tasks, int total, int offset) {
    /** Whether matches follow this page. */
    public boolean hasMore() {
        return offset + tasks.size() < total;
    }
}
