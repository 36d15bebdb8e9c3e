package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.time.Instant;
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
        try (SimHarness sim = SimHarness.oneAtATime("edf")) {
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

    private static void submit(SimHarness sim, String id, int priority, Instant deadline) {
        sim.submit(new TaskSpec(id, SimHarness.MODEL, "x", priority, null, null, null, deadline, 20, 10, null), 20);
    }

    private static Instant at(double seconds) {
        return VirtualClock.DEFAULT_ORIGIN.plus(Duration.ofNanos(Math.round(seconds * 1e9)));
    }
}
