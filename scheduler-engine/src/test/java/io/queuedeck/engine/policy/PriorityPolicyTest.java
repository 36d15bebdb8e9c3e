package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.TaskState;
import java.util.List;
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
    void dispatch_preemptive_onlyTheUrgentClassesEvict_unlessPreemptThroughSaysOtherwise() {
        for (String through : new String[] {null, "9"}) {
            Map<String, String> params = through == null ? Map.of("preemptive", "true")
                    : Map.of("preemptive", "true", "preempt_through", through);
            try (SimHarness sim = SimHarness.of("priority", PolicyConfig.of(params), 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("batch", 9, 10, 20);
                sim.runUntil(SimHarness.millis(30));
                sim.submit("normal", 5, 10, 2);

                sim.runUntilAllFinished();

                // by default (preempt_through 2) a priority-5 arrival waits for the slot; with 9 it evicts
                assertThat(sim.runOrder()).as("preempt_through %s", through)
                        .containsExactlyElementsOf(through == null ? List.of("batch", "normal") : List.of("batch", "normal", "batch"));
                assertThat(sim.task("batch").preemptions()).isEqualTo(through == null ? 0 : 1);
            }
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
            PolicyConfig config = PolicyConfig.of(aging
                    ? Map.of("aging_seconds", "1", "strict_through", "-1", "give_up_seconds", "0")
                    : Map.of("give_up_seconds", "0")); // giving up is another test's
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

    /**
     * Why: aging may reorder the bulk classes, never the urgent ones (decision 0074). With one
     * level per second and priorities 0-2 strict, "old" (priority 5, 4.5 s of wait) still goes
     * after "urgent" (priority 1, just arrived) but before "fresh3" (priority 3, just arrived:
     * 3 > 5 − 4.5); strict priority would run "fresh3" before "old".
     */
    @Test
    void dispatch_agingWithStrictUrgentBand_agesOnlyTheBulkClasses() {
        for (boolean aging : new boolean[] {false, true}) {
            PolicyConfig config = PolicyConfig.of(aging
                    ? Map.of("aging_seconds", "1", "give_up_seconds", "0") : Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("priority", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
                sim.submit("old", 5, 10, 2);
                sim.runUntil(SimHarness.millis(4_500));
                sim.submit("fresh3", 3, 10, 2);
                sim.submit("urgent", 1, 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).containsExactly(aging
                        ? new String[] {"long", "urgent", "old", "fresh3"}
                        : new String[] {"long", "urgent", "fresh3", "old"});
            }
        }
    }

    @Test
    void config_strictThroughOutOfRange_namesTheParameter() {
        assertThatThrownBy(() -> PolicyRegistry.create("priority", PolicyConfig.of(Map.of("strict_through", "12"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strict_through");
    }

    /**
     * Why: a bulk task that has waited past its 5 s objective goes behind bulk tasks that can
     * still meet theirs (decision 0074). When the slot frees at about 5.6 s, "late" (priority 3,
     * 5.6 s of wait) has lost its objective and "fresh" (priority 5, 1.1 s) has not: "fresh" goes
     * first, while "urgentOld" (priority 1, as old as "late") keeps its strict place ahead of both.
     * With {@code give_up_seconds=0} the order is strict priority's.
     */
    @Test
    void dispatch_giveUpSeconds_aBulkTaskPastItsObjectiveGoesBehindOnesThatCanMeetIt() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty() : PolicyConfig.of(Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("priority", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
                sim.submit("late", 3, 10, 2);
                sim.submit("urgentOld", 1, 10, 2);
                sim.runUntil(SimHarness.millis(4_500));
                sim.submit("fresh", 5, 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).containsExactly(giveUp
                        ? new String[] {"long", "urgentOld", "fresh", "late"}
                        : new String[] {"long", "urgentOld", "late", "fresh"});
            }
        }
    }

    /**
     * A late task an operator moves to a more urgent lane runs there: given up on again at once, it
     * waited behind every newer task of every lane while its client gave up (decision 0125).
     */
    @Test
    void dispatch_aTaskGivenAPriorityByHand_isNotGivenUpOn() {
        try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, SimHarness.ONE_AT_A_TIME)) {
            sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
            sim.submit("late", 6, 10, 2);
            sim.runUntil(SimHarness.millis(4_500));
            sim.submit("fresh", 5, 10, 2);
            sim.engine().send(new io.queuedeck.engine.command.Command.Reprioritize("late", 4)).join();
            sim.runUntilAllFinished();
            assertThat(sim.dispatchOrder()).containsExactly("long", "late", "fresh");
        }
    }
}
