package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class WaitingTasksTest {

    private static TaskSpec spec(String id, int priority) {
        return new TaskSpec(id, Engine.Builder.DEFAULT_MODEL, "hello", priority, null, null, null, null, 16, 100, null);
    }

    @Test
    void waitingTasks_pausedEngine_earliestArrivalsPerPriorityInOrder() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.pauseDispatch(true).join();
            // arrivals interleave priorities; each lane must come back in arrival order, capped at 2
            for (String id : List.of("a5", "b1", "c5", "d5", "e1", "f9")) {
                engine.submit(spec(id, id.charAt(1) - '0')).join();
            }

            List<TaskView> waiting = engine.waitingTasks(2).join();

            assertThat(waiting).extracting(TaskView::id).containsExactly("b1", "e1", "a5", "c5", "f9");
            assertThat(waiting).allMatch(t -> t.state() == TaskState.QUEUED);
        }
    }

    @Test
    void waitingTasks_afterReprioritize_taskMovesToItsNewLane() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.pauseDispatch(true).join();
            engine.submit(spec("x", 5)).join();

            engine.reprioritize("x", 0).join();

            assertThat(engine.waitingTasks(10).join()).singleElement()
                    .satisfies(t -> assertThat(t.priority()).isZero());
        }
    }

    @Test
    void waitingTasks_runningTasksAndZeroLimit_notListed() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.submit(spec("runs", 5)).join(); // dispatch is on: it goes straight to a GPU

            assertThat(engine.waitingTasks(10).join()).isEmpty();
            assertThat(engine.waitingTasks(0).join()).isEmpty();
            assertThatThrownBy(() -> engine.waitingTasks(-1).join())
                    .isInstanceOf(CompletionException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
        }
    }
}
