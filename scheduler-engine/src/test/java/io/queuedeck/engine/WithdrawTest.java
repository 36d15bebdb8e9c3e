package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node hands back the tasks it cannot run (decision 0116): withdrawn, a waiting task leaves
 * the engine as if never submitted (no outcome, no record kept, its id free), a running one stays.
 */
class WithdrawTest {
    @TempDir
    Path dir;

    private static TaskSpec spec(String id) {
        return TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "hi", 5, 40).withTaskId(id);
    }

    @Test
    void waitingTasks_leaveWithoutAnOutcome_orARecord_andTheirIdsAreFreeAgain() {
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            for (String id : List.of("a", "b", "c")) {
                engine.send(new Command.Submit(spec(id))).join();
            }

            List<String> withdrawn = engine.send(new Command.Withdraw(List.of("a", "b", "unknown"))).join();

            assertThat(withdrawn).containsExactly("a", "b");
            assertThat(engine.send(new Command.FindTask("a")).join()).isEmpty();
            assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isEqualTo(1);
            assertThat(engine.send(new Command.Submit(spec("a"))).join().created()).as("a's id is free again").isTrue();
        }
        try (Engine restarted = Engine.builder().store(TaskStore.embedded(dir)).build()) {
            restarted.start();
            // b's record went with it; a came back as submitted again, c as it was
            assertThat(restarted.send(new Command.FindTask("b")).join()).isEmpty();
            assertThat(restarted.send(new Command.FindTask("a")).join()).map(TaskView::state).contains(TaskState.QUEUED);
            assertThat(restarted.send(new Command.FindTask("c")).join()).map(TaskView::state).contains(TaskState.QUEUED);
        }
    }

    @Test
    void aRunningTask_isNotWithdrawn_andFinishes() {
        try (Engine engine = Engine.builder().build()) {
            engine.start();
            engine.send(new Command.Submit(spec("running"))).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.send(new Command.FindTask("running")).join()
                    .map(TaskView::state).filter(s -> s != TaskState.QUEUED).isPresent());

            assertThat(engine.send(new Command.Withdraw(List.of("running"))).join()).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.send(new Command.FindTask("running")).join()
                    .map(TaskView::state).filter(TaskState.SUCCEEDED::equals).isPresent());
        }
    }
}
