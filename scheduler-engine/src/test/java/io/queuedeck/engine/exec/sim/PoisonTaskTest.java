package io.queuedeck.engine.exec.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import org.junit.jupiter.api.Test;
import java.util.Map;
import java.util.concurrent.CompletionException;

class PoisonTaskTest {
    private final VirtualClock clock = new VirtualClock();
    private final Engine engine = Engine.builder()
            .clock(clock)
            .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
            .build();

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    @Test
    void poisonTask_failsEveryAttempt_thenIsDeadLettered_whileOthersSucceed() {
        engine.start();
        engine.send(new Command.Submit(new TaskSpec("bad", "m", "x", 5, null, null, null, null, 10, null, Map.of("poison", "true")))).join();
        engine.send(new Command.Submit(new TaskSpec("good", "m", "x", 5, null, null, null, null, 10, null, null))).join();

        clock.runUntilIdle();

        assertThat(task("good").state()).isEqualTo(TaskState.SUCCEEDED);
        TaskView bad = task("bad");
        assertThat(bad.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(bad.attempts()).isEqualTo(3); // the default retry rule's attempts
        assertThat(bad.error()).contains("poison task");
        assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByTier()).containsEntry(Tier.DEAD_LETTER, 1);
    }

    @Test
    void retry_deadLetteredTask_queuesItAgainWithFreshAttempts() {
        engine.start();
        engine.send(new Command.Submit(new TaskSpec("bad", "m", "x", 5, null, null, null, null, 10, null, Map.of("poison", "true")))).join();
        clock.runUntilIdle();

        TaskView retried = engine.send(new Command.RetryDeadLetter("bad")).join();

        assertThat(retried.state()).isIn(TaskState.QUEUED, TaskState.RUNNING);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByTier()).containsEntry(Tier.DEAD_LETTER, 0);
        clock.runUntilIdle();
        assertThat(task("bad").state()).isEqualTo(TaskState.DEAD_LETTERED); // still poison
        assertThat(task("bad").attempts()).isEqualTo(3);
    }

    @Test
    void retry_taskThatIsNotDeadLettered_refused() {
        engine.start();
        engine.send(new Command.Submit(new TaskSpec("ok", "m", "x", 5, null, null, null, null, 10, null, null))).join();

        assertThatThrownBy(() -> engine.send(new Command.RetryDeadLetter("ok")).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TaskConflictException.class).hasMessageContaining("only dead-lettered tasks");
    }
}
