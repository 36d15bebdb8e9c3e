package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskState;

/**
 * Walks the tasks a {@link TaskFilter} can match, in submission order, from the index: the set of
 * its one state and its tenant when it names them (so a tenant's tasks cost what the tenant holds,
 * not what the engine holds), every known task otherwise. Each step visits at most
 * {@link Sliced#SLICE} tasks. Loop thread only.
 */
final class FilterWalk {
    private final TaskTable tasks;
    private final TaskFilter filter;
    private final TaskState state;
    private final long now;
    private long after = -1;
    private boolean done;

    FilterWalk(TaskTable tasks, TaskFilter filter, long now) {
        this.tasks = tasks;
        this.filter = filter;
        this.state = filter.singleState();
        this.now = now;
    }

    /** Hands every matching task of the next slice to {@code found}; true once the walk is done. */
    boolean step(java.util.function.Consumer<Task> found) {
        for (int visited = 0; !done && visited < Sliced.SLICE; visited++) {
            Task task = tasks.next(state, filter.tenant(), after);
            if (task == null) {
                done = true;
                break;
            }
            after = task.sequence();
            if (matches(task)) {
                found.accept(task);
            }
        }
        return done;
    }

    /** Whether {@code task} passes the filter now. */
    boolean matches(Task task) {
        return matches(filter, task, now);
    }

    static boolean matches(TaskFilter filter, Task task, long now) {
        return filter.matches(task.id(), task.spec(), task.state(), task.priority(), now - task.arrivedAt());
    }
}
