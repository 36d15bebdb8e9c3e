package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Aging on one instance that runs one task at a time. A waiting task's urgency is
 * {@code (10 - priority) × e^(alpha × wait)}; the most urgent runs next. Tasks are submitted
 * while dispatch is paused, at chosen virtual times, so they all wait together when it resumes.
 */
class AgingPolicyTest {

    @Test
    void dispatch_mixedPrioritiesAndArrivals_followsExponentialUrgency() {
        // alpha = 0.1 per second; b waits 7 s, past its 5 s objective: giving up is another test's
        PolicyConfig noGiveUp = PolicyConfig.of(Map.of("give_up_seconds", "0"));
        try (SimHarness sim = SimHarness.of("aging", noGiveUp, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            sim.submit("a", 9, 10, 2);                  // t = 0 s
            sim.runUntil(seconds(5));
            sim.submit("b", 5, 10, 2);                  // t = 5 s
            sim.runUntil(seconds(10));
            sim.submit("c", 0, 10, 2);                  // t = 10 s
            sim.runUntil(seconds(12));
            sim.submit("e", 4, 10, 2);                  // t = 12 s
            sim.runUntil(seconds(30));
            sim.submit("d", 0, 10, 2);                  // t = 30 s
            sim.pause(false);

            sim.runUntilAllFinished();

            // Comparing urgencies at any moment is comparing ln(10 - p) - 0.1 × arrival:
            //   c: ln 10 - 1.0 = 1.303   b: ln 5 - 0.5 = 1.109   e: ln 6 - 1.2 = 0.592
            //   a: ln 1 - 0 = 0          d: ln 10 - 3.0 = -0.697
            // So c (urgent) beats b (older but less urgent); and a, the oldest and least urgent,
            // has waited 30 s > ln(10) / 0.1 = 23 s longer than d, so even a priority-0 d is behind it.
            assertThat(sim.dispatchOrder()).containsExactly("c", "b", "e", "a", "d");
        }
    }

    /**
     * An old task of priority {@code pOld} and a new one of priority {@code pNew < pOld}: the new
     * one's urgency (10 - pNew) × e^(alpha t') exceeds the old one's (10 - pOld) × e^(alpha (t' + w))
     * exactly when the old one's head start w is below ln((10 - pNew) / (10 - pOld)) / alpha.
     */
    @ParameterizedTest(name = "old p{0}, new p{1}, alpha {2}")
    @CsvSource({"9, 0, 0.1", "7, 2, 0.1", "5, 4, 0.3", "9, 0, 1", "8, 1, 0.25"})
    void dispatch_oldLowPriorityTask_overtakesNewUrgentOneOnlyOnceItsWaitExceedsTheBound(int pOld, int pNew, double alpha) {
        long bound = Math.round(Math.log((10.0 - pNew) / (10.0 - pOld)) / alpha * 1e9);

        // Waited 1 ms less than the bound: the urgent newcomer still goes first.
        assertThat(orderWhenNewArrivesAfter(bound - SimHarness.millis(1), pOld, pNew, alpha)).containsExactly("new", "old");
        // Waited 1 ms more than the bound: the old task has caught up and goes first.
        assertThat(orderWhenNewArrivesAfter(bound + SimHarness.millis(1), pOld, pNew, alpha)).containsExactly("old", "new");
    }

    @Test
    void dispatch_samePriority_olderFirstWhateverTheGap() {
        try (SimHarness sim = SimHarness.oneAtATime("aging")) {
            sim.pause(true);
            sim.submit("old", 3, 10, 2);
            sim.runUntil(1); // 1 ns later
            sim.submit("new", 3, 10, 2);
            sim.pause(false);

            sim.runUntilAllFinished();

            // Equal priorities: the bound ln(1) / alpha is zero, so any head start wins.
            assertThat(sim.dispatchOrder()).containsExactly("old", "new");
        }
    }

    @Test
    void overtakeWindow_defaultAlpha_isLn10OverAlpha() {
        AgingPolicy policy = (AgingPolicy) PolicyRegistry.create("aging");
        AgingPolicy fast = (AgingPolicy) PolicyRegistry.create("aging", PolicyConfig.of(Map.of("alpha", "0.3")));

        // The longest a priority-9 task can be overtaken by a priority-0 newcomer.
        assertThat(policy.overtakeWindowSeconds()).isCloseTo(23.0259, Offset.offset(1e-4));
        assertThat(fast.overtakeWindowSeconds()).isCloseTo(7.6753, Offset.offset(1e-4));
    }

    private static List<String> orderWhenNewArrivesAfter(long gapNanos, int pOld, int pNew, double alpha) {
        PolicyConfig config = PolicyConfig.of(Map.of("alpha", Double.toString(alpha)));
        try (SimHarness sim = SimHarness.of("aging", config, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            sim.submit("old", pOld, 10, 2);
            sim.runUntil(gapNanos);
            sim.submit("new", pNew, 10, 2);
            sim.pause(false);
            sim.runUntilAllFinished();
            return sim.dispatchOrder();
        }
    }

    /**
     * Why: a bulk task that has waited past its 5 s objective goes behind the tasks that can still
     * meet theirs (decision 0079). When the slot frees at about 5.6 s, "late" (priority 3, 5.6 s of
     * wait) has lost its objective and "fresh" (priority 5, 1.1 s) has not. By urgency alone "late"
     * (ln 7 = 1.95) beats "fresh" (ln 5 − 0.45 = 1.16); with giving up "fresh" goes first, while
     * "urgentOld" (priority 1, as old as "late", never given up) keeps its place ahead of both.
     */
    @Test
    void dispatch_giveUpSeconds_aBulkTaskPastItsObjectiveGoesBehindOnesThatCanMeetIt() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty() : PolicyConfig.of(Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("aging", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
                sim.submit("late", 3, 10, 2);
                sim.submit("urgentOld", 1, 10, 2);
                sim.runUntil(SimHarness.millis(4_500));
                sim.submit("fresh", 5, 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).as("giving up: %s", giveUp).containsExactly(giveUp
                        ? new String[] {"long", "urgentOld", "fresh", "late"}
                        : new String[] {"long", "urgentOld", "late", "fresh"});
            }
        }
    }

    private static long seconds(double s) {
        return Math.round(s * 1e9);
    }
}
