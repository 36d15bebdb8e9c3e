package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class TierModeTest {
    private final VirtualClock clock = new VirtualClock();
    private final Engine engine = Engine.builder()
            .clock(clock)
            .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(4)))
            .policy("priority")
            .build();

    private void submit(String id, int priority) {
        engine.submit(new TaskSpec(id, "m", "", priority, null, null, null, null, 20, 10, null)).join();
    }

    private TaskView task(String id) {
        return engine.task(id).join().orElseThrow();
    }

    @Test
    void pausedTier_keepsItsTasksWaitingWhileOthersRun_andResumeDispatchesThem() {
        engine.start();
        engine.setTierMode(Tier.BATCH, TierMode.PAUSED).join();
        submit("bulk", 8);
        submit("chat", 1);

        assertThat(task("chat").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("bulk").state()).isEqualTo(TaskState.QUEUED); // a slot is free: the pause holds it
        assertThat(engine.snapshotNow().join().queued()).isEqualTo(1);
        assertThat(engine.snapshotNow().join().tierModes()).containsEntry(Tier.BATCH, TierMode.PAUSED);

        engine.setTierMode(Tier.BATCH, TierMode.ACTIVE).join();
        assertThat(task("bulk").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void pausedTier_taskMovedToAnActiveTier_runsAtOnce_andACancelledOneIsGone() {
        engine.start();
        engine.setTierMode(Tier.BATCH, TierMode.PAUSED).join();
        submit("moved", 8);
        submit("dropped", 9);

        engine.reprioritize("moved", 2).join();
        engine.cancel("dropped").join();

        assertThat(task("moved").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("dropped").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(engine.snapshotNow().join().queued()).isZero();
        clock.runUntilIdle();
        engine.setTierMode(Tier.BATCH, TierMode.ACTIVE).join();
        assertThat(engine.snapshotNow().join().queued()).isZero();
    }

    @Test
    void drainingTier_refusesNewTasks_butRunsWhatItHolds() {
        engine.start();
        engine.setTierMode(Tier.NORMAL, TierMode.PAUSED).join();
        submit("held", 5);
        engine.setTierMode(Tier.NORMAL, TierMode.DRAINING).join();

        assertThatThrownBy(() -> submit("late", 4)).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TaskConflictException.class).hasMessageContaining("normal tier is draining");
        assertThat(task("held").state()).isEqualTo(TaskState.RUNNING);
        assertThat(engine.task("late").join()).isEmpty();
    }
}
