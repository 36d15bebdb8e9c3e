package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A live drill's accounting when it ends before the events of its last tasks have been read. */
class LiveTasksTest {
    private final VirtualClock clock = new VirtualClock();
    private final Engine engine = Engine.builder().clock(clock)
            .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100)).build();

    @Test
    void aTaskThatFinishedUnseen_isFinished_notLost() {
        engine.start();
        LiveTasks tasks = new LiveTasks(engine, 0, "drill-");
        String done = tasks.id("w", 1), waiting = tasks.id("w", 2), gone = tasks.id("w", 3);
        engine.send(new Command.Submit(new TaskSpec(done, "m", "x", 5, null, null, null, null, 4, null, null))).join();
        clock.runUntilIdle();
        engine.send(new Command.PauseDispatch(true)).join();
        engine.send(new Command.Submit(new TaskSpec(waiting, "m", "x", 5, null, null, null, null, 4, null, null))).join();
        tasks.accepted(done);
        tasks.accepted(waiting);
        tasks.accepted(gone); // the engine knows nothing of it: lost

        List<TaskView> finished = new ArrayList<>();
        long stillIn = tasks.finishUnseen(finished);

        // counted as lost (accepted, not settled, not still in the engine) before
        assertThat(finished).singleElement().satisfies(v -> {
            assertThat(v.id()).isEqualTo(done);
            assertThat(v.state()).isEqualTo(TaskState.SUCCEEDED);
        });
        assertThat(tasks.unsettled()).isEqualTo(2);
        assertThat(stillIn).as("the waiting one; the unknown one is lost").isEqualTo(1);
        engine.close();
    }
}
