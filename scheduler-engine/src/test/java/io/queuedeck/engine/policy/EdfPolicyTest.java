package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Earliest deadline first on one instance that runs one task at a time. Deadlines are wall
 * times; the harness's virtual clock reads {@link VirtualClock#DEFAULT_ORIGIN} at zero.
 */
class EdfPolicyTest {

    @Test
    void dispatch_mixedDeadlinesAndNone_deadlinesEarliestFirstThenTheRestByPriority() {
        try (SimHarness sim = SimHarness.oneAtATime("edf")) {
            sim.pause(true);
            submit(sim, "none-p5", 5, null);
            submit(sim, "due-30s-p9", 9, at(30));
            submit(sim, "none-p0", 0, null);
            submit(sim, "due-10s-p9", 9, at(10));
            submit(sim, "due-20s-p0", 0, at(20));
            submit(sim, "none-p0-later", 0, null);
            sim.pause(false);

            sim.runUntilAllFinished();

            // Every task with a deadline beats every task without one, whatever the priorities:
            // 10 s, 20 s, 30 s. Then the tasks without a deadline by priority (0, 0, 5), and
            // within priority 0 by submission.
            assertThat(sim.dispatchOrder()).containsExactly(
                    "due-10s-p9", "due-20s-p0", "due-30s-p9", "none-p0", "none-p0-later", "none-p5");
        }
    }

    @Test
    void dispatch_sameDeadline_priorityThenSubmission() {
        try (SimHarness sim = SimHarness.oneAtATime("edf")) {
            sim.pause(true);
            submit(sim, "p7", 7, at(5));
            submit(sim, "p2", 2, at(5));
            submit(sim, "p7-later", 7, at(5));
            submit(sim, "earlier-p9", 9, at(4.999));
            sim.pause(false);

            sim.runUntilAllFinished();

            // One millisecond earlier beats any priority; equal deadlines fall back to priority,
            // then to submission order.
            assertThat(sim.dispatchOrder()).containsExactly("earlier-p9", "p2", "p7", "p7-later");
        }
    }

    @Test
    void dispatch_urgentDeadlineArrivesWhileBusy_jumpsTheQueueWithoutPreempting() {
        try (SimHarness sim = SimHarness.oneAtATime("edf")) {
            submit(sim, "running", 5, at(60));     // starts at once: 20 tokens, about 112 ms
            submit(sim, "due-late", 5, at(50));
            sim.runUntil(SimHarness.millis(30));
            submit(sim, "due-soon", 5, at(1));     // submitted at 30 ms, due at 1 s

            sim.runUntilAllFinished();

            // Non-preemptive: "running" keeps its slot; then the earlier deadline goes first
            // although it arrived later.
            assertThat(sim.runOrder()).containsExactly("running", "due-soon", "due-late");
            assertThat(sim.snapshot().counters().preemptions()).isZero();
        }
    }

    @Test
    void dispatch_deadlinesCenturiesAwayOrAgo_acceptedAndOrderedAsDeadlines() {
        // the order of the deadlines themselves: with giving up, the missed one would go last
        PolicyConfig noGiveUp = PolicyConfig.of(Map.of("give_up_seconds", "0", "late_give_up_seconds", "0"));
        try (SimHarness sim = SimHarness.of("edf", noGiveUp, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            submit(sim, "none", 0, null);
            submit(sim, "year-9999", 9, Instant.parse("9999-12-31T23:59:59Z"));
            submit(sim, "in-1-hour", 9, at(3_600));
            submit(sim, "year-1000", 9, Instant.parse("1000-01-01T00:00:00Z"));
            sim.pause(false);

            sim.runUntilAllFinished();

            // Beyond the ±292 years that nanoseconds cover a deadline still counts as one: the
            // long-missed one first, "some day" after every nearer deadline but before "none".
            assertThat(sim.dispatchOrder()).containsExactly("year-1000", "in-1-hour", "year-9999", "none");
        }
    }

    /**
     * Why: a task whose deadline (or, without one, its class's TTFT objective) is already lost goes
     * behind every task that can still meet its own (decision 0079). "long" holds the slot until
     * about 5.6 s; by then "missed" (due at 3 s) has lost its deadline and "none-p3" (no deadline,
     * 5.6 s of wait) its 5 s objective; "due" (due at 20 s) and "none-p1" (priority 1, never given
     * up) have not. Earliest deadline first still holds among those: "due" before "none-p1", and
     * among the late ones: "missed" before "none-p3". Without giving up "missed" would go first.
     */
    @Test
    void dispatch_lostDeadlineOrObjective_goesBehindTasksThatCanStillMeetTheirs() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty()
                    : PolicyConfig.of(Map.of("give_up_seconds", "0", "late_give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("edf", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // no deadline; starts at once and holds the slot about 5.6 s
                submit(sim, "none-p3", 3, null);
                submit(sim, "missed", 5, at(3));
                submit(sim, "none-p1", 1, null);
                submit(sim, "due", 9, at(20));
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).as("giving up: %s", giveUp).containsExactly(giveUp
                        ? new String[] {"long", "due", "none-p1", "missed", "none-p3"}
                        : new String[] {"long", "missed", "due", "none-p1", "none-p3"});
            }
        }
    }

    private static void submit(SimHarness sim, String id, int priority, Instant deadline) {
        sim.submit(new TaskSpec(id, SimHarness.MODEL, "x", priority, null, null, null, deadline, 20, 10, null), 20);
    }

    private static Instant at(double seconds) {
        return VirtualClock.DEFAULT_ORIGIN.plus(Duration.ofNanos(Math.round(seconds * 1e9)));
    }
}
