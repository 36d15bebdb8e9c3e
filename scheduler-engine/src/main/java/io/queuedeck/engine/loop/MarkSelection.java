package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskMark;
import java.util.ArrayList;
import java.util.List;

/** Where every task that passes a filter stands, in submission order, up to a bound; walked in slices. Loop thread only. */
final class MarkSelection implements Sliced {
    private final FilterWalk walk;
    private final int max;
    private final List<TaskMark> marks = new ArrayList<>();

    MarkSelection(TaskTable tasks, TaskFilter filter, int max, long now) {
        this.walk = new FilterWalk(tasks, filter, now);
        this.max = max;
    }

    @Override
    public boolean step() {
        boolean done = walk.step(task -> {
            if (marks.size() < max) {
                marks.add(new TaskMark(task.id(), task.priority(), task.rank()));
            }
        });
        return done || marks.size() >= max;
    }

    @Override
    public Object result(long now) {
        return List.copyOf(marks);
    }
}
