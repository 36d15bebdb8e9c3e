package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.List;

class WaitingTasksTest {

    private static TaskSpec spec(String id, int priority) {
        return new TaskSpec(id, Engine.Builder.DEFAULT_MODEL, "hello", priority, null, null, null, null, 16, 100, null);
    }

    @Test
    void waitingTasks_pausedEngine_earliestArrivalsPerPriorityInOrder() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            // arrivals interleave priorities; each lane must come back in arrival order, capped at 2
            for (String id : List.of("a5", "b1", "c5", "d5", "e1", "f9")) {
                engine.send(new Command.Submit(spec(id, id.charAt(1) - '0'))).join();
            }

            List<TaskView> waiting = engine.send(new Command.WaitingTasks(2)).join();

            assertThat(waiting).extracting(TaskView::id).containsExactly("b1", "e1", "a5", "c5", "f9");
            assertThat(waiting).allMatch(t -> t.state() == TaskState.QUEUED);
        }
    }

    @Test
    void waitingTasks_afterReprioritize_taskMovesToItsNewLane() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            engine.send(new Command.Submit(spec("x", 5))).join();

            engine.send(new Command.Reprioritize("x", 0)).join();

            assertThat(engine.send(new Command.WaitingTasks(10)).join()).singleElement()
                    .satisfies(t -> assertThat(t.priority()).isZero());
        }
    }

    @Test
    void waitingTasks_runningTasksAndZeroLimit_notListed() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.send(new Command.Submit(spec("runs", 5))).join(); // dispatch is on: it goes straight to a GPU

            assertThat(engine.send(new Command.WaitingTasks(10)).join()).isEmpty();
            assertThat(engine.send(new Command.WaitingTasks(0)).join()).isEmpty();
            assertThatThrownBy(() -> new Command.WaitingTasks(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void waitingTasks_largeQueue_listedInSlices_aCommandSentMeanwhileRunsBeforeTheListingEnds() {
        try (Engine engine = Engine.builder().build()) { // the system clock: the loop thread runs on its own
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            List<java.util.concurrent.CompletableFuture<?>> submitted = new java.util.ArrayList<>();
            for (int i = 0; i < 200_000; i++) { // a dozen slices of the listing
                submitted.add(engine.send(new Command.Submit(spec("q" + i, i % 10))));
            }
            java.util.concurrent.CompletableFuture.allOf(submitted.toArray(java.util.concurrent.CompletableFuture[]::new)).join();

            java.util.concurrent.CompletableFuture<List<TaskView>> listing = engine.send(new Command.WaitingTasks(3));
            engine.send(new Command.Cancel("q0")).join(); // the head of lane 0, cancelled while the listing walks

            // had the listing held the loop to its end, it would show q0 (it was waiting then)
            assertThat(listing.join()).extracting(TaskView::id).startsWith("q10", "q20", "q1", "q11", "q21").doesNotContain("q0")
                    .hasSize(29);
        }
    }
}
