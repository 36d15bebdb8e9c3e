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

    /** A waiting task the live policy has given up on as late. */
    public static TaskView givenUp(String id, int priority, long waitedMillis) {
        TaskView v = waiting(id, priority, waitedMillis);
        return new TaskView(v.id(), v.spec(), v.state(), v.priority(), v.level(), v.instance(), v.sequence(), v.arrivedAt(),
                v.firstDispatchAt(), v.firstTokenAt(), v.finishedAt(), v.waitedNanos(), v.generatedTokens(), v.outputTokens(),
                v.attempts(), v.preemptions(), v.error(), v.output(), v.history(), null, true);
    }

    public static TaskView deadLettered(String id, int priority) {
        TaskSpec spec = new TaskSpec(id, "llama-2-7b", "", priority, null, "acme", null, null, 100, 900, null);
        return new TaskView(id, spec, TaskState.DEAD_LETTERED, priority, 0, -1, 0, 0, -1, -1, -1, 0, 0, 100,
                3, 0, "always fails", null, List.of());
    }
}
