package io.queuedeck.console.testing;

import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.List;

/** Hand-built task views. */
public final class Tasks {
    private Tasks() {}

    public static TaskView waiting(String id, int priority, long waitedMillis) {
        TaskSpec spec = new TaskSpec(id, "llama-2-7b", "", priority, null, "acme", null, null, 100, 900, null);
        return new TaskView(id, spec, TaskState.QUEUED, priority, 0, -1, 0, 0, -1, -1, -1, waitedMillis * 1_000_000L, 0, 100,
                0, 0, null, null, List.of());
    }

    public static TaskView deadLettered(String id, int priority) {
        TaskSpec spec = new TaskSpec(id, "llama-2-7b", "", priority, null, "acme", null, null, 100, 900, null);
        return new TaskView(id, spec, TaskState.DEAD_LETTERED, priority, 0, -1, 0, 0, -1, -1, -1, 0, 0, 100,
                3, 0, "always fails", null, List.of());
    }
}
