package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.TaskState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strict priority on one instance that runs one task at a time. */
class PriorityPolicyTest {

    @Test
    void dispatch_mixedPriorities_smallestNumberFirstThenSubmissionOrder() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.pause(true);
            sim.submit("a", 5, 10, 2);
            sim.submit("b", 0, 10, 2);
            sim.submit("c", 9, 10, 2);
            sim.submit("d", 0, 10, 2);
            sim.submit("e", 5, 10, 2);
            sim.pause(false);

            sim.runUntilAllFinished();

            // All five wait together when dispatch resumes: priority 0 (b, d) before 5 (a, e)
            // before 9 (c), and within one priority the earlier submission first.
            assertThat(sim.dispatchOrder()).containsExactly("b", "d", "a", "e", "c");
        }
    }

    @Test
    void dispatch_urgentArrivalWhileBusy_jumpsTheQueueButDoesNotPreempt() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.submit("long", 9, 10, 20); // starts at once
            sim.submit("low", 7, 10, 2);
            sim.runUntil(SimHarness.millis(30)); // "long" is mid-way (about 5.6 ms a token)
            sim.submit("urgent", 0, 10, 2);

            sim.runUntilAllFinished();

            // Non-preemptive by default: "long" keeps its slot to the end; then "urgent" goes
            // before "low", which arrived earlier but is less urgent.
            assertThat(sim.dispatchOrder()).containsExactly("long", "urgent", "low");
            assertThat(sim.task("long").preemptions()).isZero();
            assertThat(sim.task("urgent").firstDispatchAt()).isEqualTo(sim.task("long").finishedAt());
        }
    }

    @Test
    void dispatch_preemptiveAndUrgentArrival_takesTheSlotAtTheNextStep() {
        try (SimHarness sim = SimHarness.of("priority", PolicyConfig.of(Map.of("preemptive", "true")), 1,
                SimHarness.ONE_AT_A_TIME)) {
            sim.submit("long", 9, 10, 20);
            sim.runUntil(SimHarness.millis(30));
            sim.submit("urgent", 0, 10, 2);

            sim.runUntilAllFinished();

            // With preemptive=true the running priority-9 task gives up its slot at the first
            // step boundary after the priority-0 arrival, and resumes once "urgent" is done.
            assertThat(sim.runOrder()).containsExactly("long", "urgent", "long");
            assertThat(sim.task("long").preemptions()).isEqualTo(1);
            assertThat(sim.task("urgent").finishedAt()).isLessThan(sim.task("long").finishedAt());
            assertThat(sim.task("long").generatedTokens()).isEqualTo(20);
        }
    }

    @Test
    void reprioritize_queuedTask_movesAheadAtOnce() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.pause(true);
            sim.submit("a", 5, 10, 2);
            sim.submit("b", 5, 10, 2);
            sim.submit("c", 5, 10, 2);

            sim.engine().send(new Command.Reprioritize("c", 0)).join();

            // Visible before anything runs: the snapshot counts c under its new priority.
            assertThat(sim.snapshot().queuedByPriority().get(0)).isEqualTo(1);
            assertThat(sim.snapshot().queuedByPriority().get(5)).isEqualTo(2);
            sim.pause(false);
            sim.runUntilAllFinished();

            // c now has the smallest priority number of the three waiting tasks.
            assertThat(sim.dispatchOrder()).containsExactly("c", "a", "b");
            assertThat(sim.events()).contains(new EngineEvent.TaskReprioritized(0, "c", 5, 0));
        }
    }

    @Test
    void reprioritize_queuedTaskDownwards_movesBehindAtOnce() {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            sim.pause(true);
            sim.submit("a", 2, 10, 2);
            sim.submit("b", 2, 10, 2);
            sim.submit("c", 3, 10, 2);

            sim.engine().send(new Command.Reprioritize("a", 8)).join();
            sim.pause(false);
            sim.runUntilAllFinished();

            // a drops from 2 to 8: behind b (2) and c (3).
            assertThat(sim.dispatchOrder()).containsExactly("b", "c", "a");
            assertThat(sim.task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    /**
     * Why: with one level per second, "old" (priority 5) has waited 4.5 s when "urgent" (priority 1)
     * arrives: 5 − 4.5 is more urgent than 1 − 0, so it goes first; "mid" (priority 5, 0.5 s of
     * wait: 4.5) does not. Strict priority (the default) runs "urgent" first.
     */
    @Test
    void dispatch_agingSeconds_aLongWaitOutranksAFreshUrgentTask() {
        for (boolean aging : new boolean[] {false, true}) {
            PolicyConfig config = aging ? PolicyConfig.of(Map.of("aging_seconds", "1")) : PolicyConfig.empty();
            try (SimHarness sim = SimHarness.of("priority", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
                sim.submit("old", 5, 10, 2);
                sim.runUntil(SimHarness.millis(4_000));
                sim.submit("mid", 5, 10, 2);
                sim.runUntil(SimHarness.millis(4_500));
                sim.submit("urgent", 1, 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).containsExactly(aging
                        ? new String[] {"long", "old", "urgent", "mid"}
                        : new String[] {"long", "urgent", "old", "mid"});
            }
        }
    }
}
