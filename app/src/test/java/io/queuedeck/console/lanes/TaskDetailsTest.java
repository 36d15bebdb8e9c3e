package io.queuedeck.console.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskDetailsTest {
    private static final TaskSpec SPEC = new TaskSpec("t", "llama-2-7b", "", 5, null, null, null, null, 100, 900, null);

    @Test
    void aTaskFinishedBeforeARestart_hasNoKnownWait_notAWaitOfZero() {
        // what a restart brings back of a finished task: its arrival and end, one transition, no dispatch
        TaskView restored = new TaskView("t", SPEC, TaskState.SUCCEEDED, 5, 0, -1, 0, 1_000, -1, -1, 195_000_000_000L, 0, 0, 100,
                1, 0, null, null, List.of(new Task.Transition(TaskState.QUEUED, TaskState.SUCCEEDED, 195_000_000_000L)));

        assertThat(TaskDetails.of(restored).waitMs()).isNaN(); // shown "–"; it said "waited 0 ms"
    }

    @Test
    void aTaskCancelledWhileWaiting_keepsItsWait() {
        TaskView cancelled = new TaskView("t", SPEC, TaskState.CANCELLED, 5, 0, -1, 0, 1_000, -1, -1, 3_000_000_000L,
                2_000_000_000L, 0, 100, 0, 0, null, null, List.of(new Task.Transition(TaskState.QUEUED, TaskState.CANCELLED, 3_000_000_000L)));

        assertThat(TaskDetails.of(cancelled).waitMs()).isEqualTo(2_000);
    }

    /** A drag from P5 to P0 showed only "queued" in the timeline. */
    @Test
    void movesByHand_showInTheTimeline_amongTheStateChanges() {
        TaskView moved = new TaskView("t", SPEC, TaskState.RUNNING, 0, 0, 1, 0, 1_000_000_000L, 9_000_000_000L, -1, -1,
                8_000_000_000L, 0, 100, 1, 0, null, null,
                List.of(new Task.Transition(null, TaskState.QUEUED, 1_000_000_000L),
                        new Task.Transition(TaskState.QUEUED, TaskState.RUNNING, 9_000_000_000L)),
                null, false, List.of(new Task.Moved(3_000_000_000L, 5, 0, null), new Task.Moved(4_000_000_000L, 0, 0, "front")));

        assertThat(TaskDetails.of(moved).timeline()).containsExactly(
                "+   0.000 s  queued",
                "+   2.000 s  moved P5 → P0 by hand",
                "+   3.000 s  placed in P0, front by hand",
                "+   8.000 s  running");
    }
}
