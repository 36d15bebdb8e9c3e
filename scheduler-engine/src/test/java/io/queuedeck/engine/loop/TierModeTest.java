package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.VirtualClock;

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

    @Test
    void pausedLane_holdsOnlyItsPriority_andItsTiersOtherLanesRun() {
        engine.start();
        engine.setLaneMode(3, TierMode.PAUSED).join();
        submit("held", 3);
        submit("sibling", 4); // same tier (normal), its own lane

        assertThat(task("sibling").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("held").state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.snapshotNow().join().laneModes().get(3)).isEqualTo(TierMode.PAUSED);
        assertThat(engine.snapshotNow().join().laneRuns(3)).isFalse();

        engine.setLaneMode(3, TierMode.ACTIVE).join();
        assertThat(task("held").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void laneResumedWhileItsTierIsPaused_staysHeld_untilTheTierResumes() {
        engine.start();
        engine.setLaneMode(5, TierMode.PAUSED).join();
        engine.setTierMode(Tier.NORMAL, TierMode.PAUSED).join();
        submit("p5", 5);

        engine.setLaneMode(5, TierMode.ACTIVE).join();
        assertThat(task("p5").state()).isEqualTo(TaskState.QUEUED);
        engine.setTierMode(Tier.NORMAL, TierMode.ACTIVE).join();
        assertThat(task("p5").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void drainingLane_refusesNewTasksOfItsPriorityOnly() {
        engine.start();
        engine.setLaneMode(6, TierMode.DRAINING).join();

        assertThatThrownBy(() -> submit("late", 6)).hasCauseInstanceOf(TaskConflictException.class)
                .hasMessageContaining("priority 6 lane is draining");
        submit("neighbour", 7);
        assertThat(engine.task("late").join()).isEmpty();
        assertThat(task("neighbour").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void taskMovedIntoAPausedLane_waitsThere() {
        engine.start();
        engine.pauseDispatch(true).join();
        engine.setLaneMode(2, TierMode.PAUSED).join();
        submit("mover", 8);
        engine.reprioritize("mover", 2).join();
        engine.pauseDispatch(false).join();

        assertThat(task("mover").state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.snapshotNow().join().queuedByPriority().get(2)).isEqualTo(1);
        engine.setLaneMode(2, TierMode.ACTIVE).join();
        assertThat(task("mover").state()).isEqualTo(TaskState.RUNNING);
    }
}
