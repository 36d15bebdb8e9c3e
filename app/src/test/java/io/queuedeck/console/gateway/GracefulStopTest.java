package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the console: running tasks finish, nothing new starts, and the queue is back at the next start. */
class GracefulStopTest {
    @TempDir
    Path dir;

    private static TaskSpec spec(String id, int maxTokens) {
        return new TaskSpec(id, io.queuedeck.engine.Engine.Builder.DEFAULT_MODEL, "hi", 5, null, "api-client", null, null,
                maxTokens, 16, null);
    }

    private static List<TaskView> inState(EmbeddedEngine system, TaskState state) {
        return system.engine().send(new Command.ListTasks(new TaskQuery(state, null, -1, 1_000))).join().tasks();
    }

    @Test
    void stop_letsRunningTasksFinish_startsNoMore_andTheQueueIsBackAfterARestart() throws Exception {
        EmbeddedEngine system = EmbeddedEngine.start("fifo", 1, 0.5, TaskStore.embedded(dir));
        for (int i = 0; i < 200; i++) { // more than one GPU runs at once: most stay queued
            system.engine().send(new Command.Submit(spec("api-" + i, 64))).join();
        }
        assertThat(inState(system, TaskState.RUNNING)).isNotEmpty();

        boolean finished = new GracefulStop(system, () -> null, Duration.ofSeconds(20)).run();

        assertThat(finished).as("the running tasks finished within the grace period").isTrue();
        assertThat(inState(system, TaskState.RUNNING)).isEmpty();
        assertThat(system.load()).as("the demo load stopped").isZero();
        List<TaskView> queued = inState(system, TaskState.QUEUED);
        assertThat(queued).isNotEmpty();
        system.close();

        EmbeddedEngine again = EmbeddedEngine.start("fifo", 1, 0, TaskStore.embedded(dir));
        try {
            for (TaskView task : queued) {
                Optional<TaskView> back = again.engine().send(new Command.FindTask(task.id())).join();
                assertThat(back).as("queued %s after the restart", task.id()).isPresent();
            }
        } finally {
            again.close();
        }
    }
}
