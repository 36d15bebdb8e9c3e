package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.Map;

class ExclusiveResourcesTest {
    private final VirtualClock clock = new VirtualClock();
    /** Two slots: a blocked task is kept off a free slot only by its resource. */
    private final Engine engine = Engine.builder()
            .clock(clock)
            .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2)))
            .policy("priority")
            .build();

    private TaskView submit(String id, int priority, String resource) {
        TaskSpec spec = new TaskSpec(id, "m", "", priority, null, null, null, null, 50, 10,
                resource == null ? null : Map.of("exclusive_resource", resource));
        return engine.send(new Command.Submit(spec)).join().task();
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    @Test
    void secondTaskOnHeldResource_waitsWithAFreeSlot_thenRunsWhenReleased() {
        engine.start();
        submit("holder", 5, "adapter");
        submit("waiter", 1, "adapter");

        assertThat(task("holder").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("waiter").state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isEqualTo(1);
        // Inheritance (the default): the holder runs at the waiter's priority.
        assertThat(task("holder").priority()).isEqualTo(1);

        clock.runUntilIdle();
        assertThat(task("waiter").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("waiter").firstDispatchAt()).isEqualTo(task("holder").finishedAt());
        assertThat(task("holder").priority()).isEqualTo(5); // its own priority back once released
    }

    @Test
    void holderRunningAtABorrowedPriority_countsInItsOwnClassLatency() {
        engine.start();
        submit("holder", 5, "adapter");
        submit("waiter", 1, "adapter");
        assertThat(task("holder").priority()).isEqualTo(1); // borrowed while it runs

        clock.runUntilIdle();
        java.util.List<io.queuedeck.engine.snapshot.LatencySummary> byPriority = engine.send(new Command.TakeSnapshot()).join().byPriority();
        assertThat(byPriority.get(5).endToEnd().count()).as("the holder, in P5").isEqualTo(1);
        assertThat(byPriority.get(1).endToEnd().count()).as("the waiter only, in P1").isEqualTo(1);
    }

    @Test
    void otherResourceOrNone_doesNotWait() {
        engine.start();
        submit("a", 5, "adapter-a");
        submit("b", 5, "adapter-b");

        assertThat(task("b").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void blockedTask_cancelled_leavesTheQueueAndTheHolderRunsOn() {
        engine.start();
        submit("holder", 5, "adapter");
        submit("waiter", 1, "adapter");

        engine.send(new Command.Cancel("waiter")).join();

        assertThat(task("waiter").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isZero();
        clock.runUntilIdle();
        assertThat(task("holder").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void blockedTask_reprioritized_staysBlockedAndRunsAfterTheHolder() {
        engine.start();
        submit("holder", 5, "adapter");
        submit("waiter", 1, "adapter");

        engine.send(new Command.Reprioritize("waiter", 3)).join();

        assertThat(task("waiter").state()).isEqualTo(TaskState.QUEUED);
        assertThat(task("waiter").priority()).isEqualTo(3);
        clock.runUntilIdle();
        assertThat(task("waiter").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("waiter").firstDispatchAt()).isEqualTo(task("holder").finishedAt());
    }

    @Test
    void holderCancelled_releasesTheResourceToTheWaiter() {
        engine.start();
        submit("holder", 5, "adapter");
        submit("waiter", 1, "adapter");

        engine.send(new Command.Cancel("holder")).join();

        assertThat(task("waiter").state()).isEqualTo(TaskState.RUNNING);
    }
}
