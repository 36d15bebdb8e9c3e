package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.Test;
import java.util.concurrent.CompletionException;

class TierModeTest {
    private final VirtualClock clock = new VirtualClock();
    private final Engine engine = Engine.builder()
            .clock(clock)
            .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(4)))
            .policy("priority")
            .build();

    private void submit(String id, int priority) {
        engine.send(new Command.Submit(new TaskSpec(id, "m", "", priority, null, null, null, null, 20, 10, null))).join();
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    @Test
    void pausedTier_keepsItsTasksWaitingWhileOthersRun_andResumeDispatchesThem() {
        engine.start();
        engine.send(new Command.SetTierMode(Tier.BATCH, TierMode.PAUSED)).join();
        submit("bulk", 8);
        submit("chat", 1);

        assertThat(task("chat").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("bulk").state()).isEqualTo(TaskState.QUEUED); // a slot is free: the pause holds it
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isEqualTo(1);
        assertThat(engine.send(new Command.TakeSnapshot()).join().tierModes()).containsEntry(Tier.BATCH, TierMode.PAUSED);

        engine.send(new Command.SetTierMode(Tier.BATCH, TierMode.ACTIVE)).join();
        assertThat(task("bulk").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void pausedTier_taskMovedToAnActiveTier_runsAtOnce_andACancelledOneIsGone() {
        engine.start();
        engine.send(new Command.SetTierMode(Tier.BATCH, TierMode.PAUSED)).join();
        submit("moved", 8);
        submit("dropped", 9);

        engine.send(new Command.Reprioritize("moved", 2)).join();
        engine.send(new Command.Cancel("dropped")).join();

        assertThat(task("moved").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("dropped").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isZero();
        clock.runUntilIdle();
        engine.send(new Command.SetTierMode(Tier.BATCH, TierMode.ACTIVE)).join();
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isZero();
    }

    @Test
    void drainingTier_refusesNewTasks_butRunsWhatItHolds() {
        engine.start();
        engine.send(new Command.SetTierMode(Tier.NORMAL, TierMode.PAUSED)).join();
        submit("held", 5);
        engine.send(new Command.SetTierMode(Tier.NORMAL, TierMode.DRAINING)).join();

        assertThatThrownBy(() -> submit("late", 4)).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(io.queuedeck.engine.task.DrainingException.class).hasMessageContaining("normal tier is draining");
        assertThat(task("held").state()).isEqualTo(TaskState.RUNNING);
        assertThat(engine.send(new Command.FindTask("late")).join()).isEmpty();
    }

    @Test
    void pausedLane_holdsOnlyItsPriority_andItsTiersOtherLanesRun() {
        engine.start();
        engine.send(new Command.SetLaneMode(3, TierMode.PAUSED)).join();
        submit("held", 3);
        submit("sibling", 4); // same tier (normal), its own lane

        assertThat(task("sibling").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("held").state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().laneModes().get(3)).isEqualTo(TierMode.PAUSED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().laneRuns(3)).isFalse();

        engine.send(new Command.SetLaneMode(3, TierMode.ACTIVE)).join();
        assertThat(task("held").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void laneResumedWhileItsTierIsPaused_staysHeld_untilTheTierResumes() {
        engine.start();
        engine.send(new Command.SetLaneMode(5, TierMode.PAUSED)).join();
        engine.send(new Command.SetTierMode(Tier.NORMAL, TierMode.PAUSED)).join();
        submit("p5", 5);

        engine.send(new Command.SetLaneMode(5, TierMode.ACTIVE)).join();
        assertThat(task("p5").state()).isEqualTo(TaskState.QUEUED);
        engine.send(new Command.SetTierMode(Tier.NORMAL, TierMode.ACTIVE)).join();
        assertThat(task("p5").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void drainingLane_refusesNewTasksOfItsPriorityOnly() {
        engine.start();
        engine.send(new Command.SetLaneMode(6, TierMode.DRAINING)).join();

        assertThatThrownBy(() -> submit("late", 6)).hasCauseInstanceOf(io.queuedeck.engine.task.DrainingException.class)
                .hasMessageContaining("priority 6 lane is draining");
        submit("neighbour", 7);
        assertThat(engine.send(new Command.FindTask("late")).join()).isEmpty();
        assertThat(task("neighbour").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void taskMovedIntoAPausedLane_waitsThere() {
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        engine.send(new Command.SetLaneMode(2, TierMode.PAUSED)).join();
        submit("mover", 8);
        engine.send(new Command.Reprioritize("mover", 2)).join();
        engine.send(new Command.PauseDispatch(false)).join();

        assertThat(task("mover").state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByPriority().get(2)).isEqualTo(1);
        engine.send(new Command.SetLaneMode(2, TierMode.ACTIVE)).join();
        assertThat(task("mover").state()).isEqualTo(TaskState.RUNNING);
    }
}
