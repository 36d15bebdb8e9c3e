package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;

/** Pages of tasks in submission order, for the loop. Loop thread only. (The heads of the lanes: {@link WaitingListing}.) */
final class TaskQueries {
    private final TaskTable tasks;

    TaskQueries(TaskTable tasks) {
        this.tasks = tasks;
    }

    /**
     * A page of tasks in submission order, read from the table's index (see {@link TaskIndex}):
     * no scan of every task, so operators and dashboards listing a large queue do not hold up the loop.
     */
    TaskPage page(TaskQuery query, long now) {
        List<TaskView> views = new ArrayList<>(Math.min(query.limit(), 64));
        boolean more = false;
        // one more than the limit tells whether a next page exists
        for (Task task = tasks.next(query, query.afterSequence()); task != null; task = tasks.next(query, task.sequence())) {
            if (views.size() == query.limit()) {
                more = true;
                break;
            }
            views.add(task.view(now));
        }
        return new TaskPage(List.copyOf(views), more ? views.getLast().sequence() : -1);
    }
}
