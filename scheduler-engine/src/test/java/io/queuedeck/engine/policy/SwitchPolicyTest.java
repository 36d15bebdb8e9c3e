package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.TaskState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Switching the live policy: waiting tasks move over, running ones are not touched. */
class SwitchPolicyTest {

    @Test
    void switchPolicy_priorityToFifoWithTasksWaiting_newPolicyOrdersThem() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.submit("running", 9, 10, 5); // starts at once
            sim.submit("a", 7, 10, 2);
            sim.submit("b", 0, 10, 2);
            sim.submit("c", 3, 10, 2);

            sim.engine().send(new Command.SwitchPolicy("fifo", PolicyConfig.empty())).join();
            sim.runUntilAllFinished();

            // Under priority b, c, a would follow; FIFO takes them in submission order. The
            // running task finishes undisturbed first.
            assertThat(sim.dispatchOrder()).containsExactly("running", "a", "b", "c");
            assertThat(sim.task("running").preemptions()).isZero();
            assertThat(sim.snapshot().policy()).isEqualTo("fifo");
            assertThat(sim.events()).contains(new EngineEvent.PolicyChanged(0, "priority", "fifo"));
        }
    }

    @Test
    void switchPolicy_toMlfq_waitingTasksAdmittedToTheirEntryLevels() {
        try (SimHarness sim = SimHarness.oneAtATime("fifo")) {
            sim.pause(true);
            sim.submit("low", 9, 10, 2);
            sim.submit("high", 0, 10, 2);

            sim.engine().send(new Command.SwitchPolicy("mlfq", PolicyConfig.empty())).join();

            assertThat(sim.task("low").level()).isEqualTo(5);
            assertThat(sim.task("high").level()).isZero();
            assertThat(sim.snapshot().queuedByLevel()).containsExactly(1, 0, 0, 0, 0, 1);
            sim.pause(false);
            sim.runUntilAllFinished();
            assertThat(sim.dispatchOrder()).containsExactly("high", "low");
        }
    }

    @Test
    void switchPolicy_badParameter_refusedAndNothingChanges() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.pause(true);
            sim.submit("a", 5, 10, 2);
            sim.submit("b", 1, 10, 2);

            assertThatThrownBy(() -> sim.engine().send(new Command.SwitchPolicy("mlfq", PolicyConfig.of(Map.of("levels", "0")))).join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("levels must be between 1 and 30, got 0");
            assertThatThrownBy(() -> sim.engine().send(new Command.SwitchPolicy("fifo", PolicyConfig.of(Map.of("q0_ms", "5")))).join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown parameter [q0_ms] for policy fifo");
            // every problem at once: a bad value does not hide an unknown key, nor one bad value another
            assertThatThrownBy(() -> sim.engine().send(new Command.SwitchPolicy("mlfq", PolicyConfig.of(Map.of("q0_ms", "-5",
                    "levels", "x", "bogus", "1")))).join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("levels must be a whole number, got 'x'")
                    .hasMessageContaining("q0_ms must be between 1 and 60000, got -5")
                    .hasMessageContaining("unknown parameter [bogus] for policy mlfq");
            assertThatThrownBy(() -> sim.engine().send(new Command.SwitchPolicy("priority", PolicyConfig.of(Map.of("aging_seconds",
                    "1e-320")))).join()) // on, and small enough to make priority FIFO
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("aging_seconds must be 0 (off) or between 0.001 and 86400.0, got 1.0E-320");
            assertThatThrownBy(() -> sim.engine().send(new Command.SwitchPolicy("lottery", PolicyConfig.empty())).join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("known policies: fifo, priority, mlfq");

            assertThat(sim.snapshot().policy()).isEqualTo("priority");
            assertThat(sim.snapshot().queued()).isEqualTo(2);
            sim.pause(false);
            sim.runUntilAllFinished();
            assertThat(sim.dispatchOrder()).containsExactly("b", "a");
            assertThat(sim.task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }
}
