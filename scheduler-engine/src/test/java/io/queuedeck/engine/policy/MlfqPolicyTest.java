package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MLFQ with its defaults (6 levels, q0 = 10 ms, prefill 47,000 tokens/s) on one instance that
 * runs one task at a time. Step times come from the H100 profile: 5.6 ms a decode step, plus
 * prefill (prompt / 47,000 s) in a task's first step.
 */
class MlfqPolicyTest {
    /** FastServe's preemption at quantum expiry; off by default (docs/decisions/0002). */
    private static final PolicyConfig PREEMPTING = PolicyConfig.of(Map.of("preempt", "true"));

    @Test
    void stepFinished_defaultConfig_neverPreempts() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.submit("long", 0, 4, 40);
            sim.runUntil(SimHarness.millis(12));
            sim.submit("short", 0, 4, 2);
            sim.runUntilAllFinished();

            // "long" is demoted below "short"'s level, but without preempt=true it keeps its slot.
            assertThat(sim.runOrder()).containsExactly("long", "short");
            assertThat(sim.snapshot().counters().preemptions()).isZero();
        }
    }

    private static final GpuProfile PROFILE = SimHarness.ONE_AT_A_TIME;
    private static final long STEP = PROFILE.decodeStepNanos(1);

    @Test
    void dispatch_mixedLevelsAndPriorities_tierThenLevelThenPriorityThenSubmission() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.pause(true);
            sim.submit("a", 5, 10, 2);     // priority floor 5*5/9 = 2 -> level 2
            sim.submit("b", 0, 2_000, 2);  // skip-join: prefill 42.6 ms > q2 = 40 ms -> level 3
            sim.submit("c", 0, 10, 2);     // level 0
            sim.submit("d", 1, 10, 2);     // floor 1*5/9 = 0 -> level 0, behind c on priority
            sim.submit("e", 9, 10, 2);     // floor 9*5/9 = 5 -> last level
            sim.submit("f", 0, 10, 2);     // level 0, same priority as c but submitted later
            sim.pause(false);

            sim.runUntilAllFinished();

            // Every task generates only 2 tokens, so it finishes before its level-0 quantum
            // (10 ms) is used up: nobody is demoted or preempted and the order is the entry
            // order. Core tier first: level 0 (c, f at priority 0; then d at 1), then b on level 3;
            // then the normal tier (a), then the batch tier (e).
            assertThat(sim.dispatchOrder()).containsExactly("c", "f", "d", "b", "a", "e");
            assertThat(sim.runOrder()).containsExactly("c", "f", "d", "b", "a", "e");
        }
    }

    @Test
    void onStep_taskAloneUsesUpLevel0Quantum_demotedAtTheNextStepBoundary() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.submit("t", 0, 4, 50);
            long step1End = PROFILE.prefillNanos(4) + STEP; // 5.69 ms: under q0 = 10 ms
            long step2End = step1End + STEP;                // 11.29 ms: over q0

            sim.runUntil(step2End - 1);
            TaskView before = sim.task("t");
            sim.runUntil(step2End);
            TaskView after = sim.task("t");

            assertThat(before.level()).isZero();
            assertThat(before.generatedTokens()).isEqualTo(1);
            assertThat(after.level()).isEqualTo(1);
            assertThat(after.generatedTokens()).isEqualTo(2);
            assertThat(after.state()).isEqualTo(TaskState.RUNNING); // alone: demoted, not preempted
        }
    }

    @Test
    void onStep_longTaskAlone_demotedLevelByLevelDownToTheLast() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.submit("t", 0, 4, 200);

            sim.runUntilAllFinished();

            // Quanta 10, 20, 40, 80, 160 ms sum to 310 ms < 200 steps * 5.6 ms = 1.12 s, so the
            // task ends on the last level (5), never preempted since nothing else waits.
            TaskView t = sim.task("t");
            assertThat(t.level()).isEqualTo(5);
            assertThat(t.preemptions()).isZero();
            assertThat(t.generatedTokens()).isEqualTo(200);
        }
    }

    /** The expected level is the first i with q0 * 2^i >= prompt / 47,000 s, at most 5. */
    @ParameterizedTest(name = "prompt {0} tokens -> level {1}")
    @CsvSource({
            "1, 0",       // 0.02 ms
            "470, 0",     // exactly 10 ms = q0
            "471, 1",     // 10.02 ms > q0
            "940, 1",     // 20 ms = q1
            "941, 2",
            "1880, 2",    // 40 ms = q2
            "2000, 3",    // 42.6 ms
            "3760, 3",    // 80 ms = q3
            "7520, 4",    // 160 ms = q4
            "7521, 5",
            "100000, 5"}) // 2.1 s: capped at the last level
    void admit_longPrompt_skipJoinsTheFirstLevelWhoseQuantumCoversPrefill(int promptTokens, int expectedLevel) {
        assertThat(expectedLevel).isEqualTo(firstCoveringLevel(promptTokens));
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.pause(true);

            TaskView admitted = sim.submit("t", 0, promptTokens, 10);

            assertThat(admitted.level()).isEqualTo(expectedLevel);
            assertThat(sim.snapshot().queuedByLevel().get(expectedLevel)).isEqualTo(1);
        }
    }

    /** The formula of the issue, worked independently of the policy: q0 * 2^i >= prompt / 47,000 s. */
    private static int firstCoveringLevel(int promptTokens) {
        double prefillSeconds = promptTokens / 47_000.0;
        int level = 0;
        while (level < 5 && 0.010 * Math.pow(2, level) < prefillSeconds - 1e-12) {
            level++;
        }
        return level;
    }

    @ParameterizedTest(name = "priority {0} -> level {1}")
    @CsvSource({"0, 0", "1, 0", "2, 1", "3, 1", "4, 2", "5, 2", "6, 3", "7, 3", "8, 4", "9, 5"})
    void admit_shortPrompt_entersAtItsPriorityFloor(int priority, int expectedLevel) {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.pause(true);

            TaskView admitted = sim.submit("t", priority, 10, 10);

            // floor = priority * (levels - 1) / 9, rounded down; priority 9 gets the last level.
            assertThat(admitted.level()).isEqualTo(expectedLevel);
        }
    }

    @Test
    void admit_longPromptAndLowPriority_takesTheDeeperOfSkipJoinAndFloor() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.pause(true);

            assertThat(sim.submit("floor-wins", 8, 2_000, 10).level()).isEqualTo(4);  // skip-join 3, floor 4
            assertThat(sim.submit("skip-wins", 2, 2_000, 10).level()).isEqualTo(3);   // skip-join 3, floor 1
        }
    }

    @Test
    void stepFinished_batchFullAndLevel0Arrival_preemptsAtTheNextDemotion() {
        try (SimHarness sim = SimHarness.of("mlfq", PREEMPTING, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.submit("long", 0, 4, 40);
            long step1End = PROFILE.prefillNanos(4) + STEP;
            long step2End = step1End + STEP;       // "long" demoted to level 1 here
            long demotedAgain = step2End + 4 * STEP; // level 1's 20 ms used up: demoted to level 2
            sim.runUntil(SimHarness.millis(12));
            assertThat(sim.task("long").level()).isEqualTo(1);

            sim.submit("short", 0, 4, 2); // level 0; the single slot is taken
            sim.runUntil(demotedAgain - 1);
            // Level 0 beats level 1, but a running task yields only where it uses up a quantum.
            assertThat(sim.task("short").state()).isEqualTo(TaskState.QUEUED);
            sim.runUntil(demotedAgain);

            assertThat(sim.task("long").state()).isEqualTo(TaskState.PREEMPTED);
            assertThat(sim.task("long").generatedTokens()).isEqualTo(6);
            assertThat(sim.task("short").state()).isEqualTo(TaskState.RUNNING);
            assertThat(sim.task("short").firstDispatchAt()).isEqualTo(demotedAgain);
            sim.runUntilAllFinished();
            assertThat(sim.runOrder()).containsExactly("long", "short", "long");
            assertThat(sim.task("short").finishedAt()).isLessThan(sim.task("long").finishedAt());
            assertThat(sim.task("long").generatedTokens()).isEqualTo(40);
            assertThat(sim.snapshot().counters().preemptions()).isEqualTo(1);
        }
    }

    /**
     * Why: both bulk tasks (priority 5) enter level 2; "long" is demoted to level 3 once it used
     * level 2's 40 ms, where "short" (level 2, never ran) would evict it. The shared eviction guard
     * (decision 0082b) lets only priority 0..preempt_through evict: by default 2, so none.
     */
    @ParameterizedTest(name = "preempt_through {0}: {1} preemptions")
    @CsvSource({"2, 0", "9, 1"})
    void stepFinished_bulkArrival_evictsOnlyThroughTheGuard(String through, int preemptions) {
        PolicyConfig config = PolicyConfig.of(Map.of("preempt", "true", "preempt_through", through));
        try (SimHarness sim = SimHarness.of("mlfq", config, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.submit("long", 5, 4, 40);
            sim.runUntil(SimHarness.millis(12));
            sim.submit("short", 5, 4, 2);

            sim.runUntilAllFinished();

            assertThat(sim.snapshot().counters().preemptions()).isEqualTo(preemptions);
            assertThat(sim.runOrder()).containsExactlyElementsOf(preemptions == 0
                    ? java.util.List.of("long", "short") : java.util.List.of("long", "short", "long"));
        }
    }

    @Test
    void stepFinished_waitingTaskThatAlreadyRan_neverPreempts() {
        try (SimHarness sim = SimHarness.of("mlfq", PREEMPTING, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.submit("long", 0, 4, 40);
            sim.submit("other", 0, 4, 40);
            sim.runUntilAllFinished();

            // "other" waits at level 0 while "long" is demoted step after step; it has never run,
            // so it takes the slot at long's first demotion. From then on each of them has run:
            // whichever waits never preempts the other, however deep the runner sinks.
            assertThat(sim.snapshot().counters().preemptions()).isEqualTo(1);
            assertThat(sim.runOrder()).containsExactly("long", "other", "long");
        }
    }

    @Test
    void stepFinished_arrivalOnTheSameLevel_noPreemption() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.submit("first", 0, 4, 2);
            sim.submit("second", 0, 4, 2);

            sim.runUntilAllFinished();

            // Both on level 0 and neither uses up its quantum: the running one is never the less
            // urgent, so it keeps its slot.
            assertThat(sim.runOrder()).containsExactly("first", "second");
            assertThat(sim.snapshot().counters().preemptions()).isZero();
        }
    }

    @Test
    void onTick_taskWaitingLongerThanThreshold_promotedToLevel0AtTheNextBoost() {
        PolicyConfig config = PolicyConfig.of(Map.of("starvation_threshold_ms", "100", "boost_interval_ms", "50",
                "preempt", "true"));
        try (SimHarness sim = SimHarness.of("mlfq", config, 1, PROFILE)) {
            sim.submit("hog", 0, 4, 1_000);   // takes the only slot for 5.6 s
            // Same tier as the hog (boosts stay within a tier); skip-join puts its 170 ms prefill
            // on the last level, 5. It waits from t = 0.
            sim.submit("starved", 2, 8_000, 2);

            // Boosts run at 50, 100, 150 ms. At 100 ms it has waited exactly the threshold,
            // which is not longer than it; at 150 ms it has.
            sim.runUntil(SimHarness.millis(149));
            assertThat(sim.task("starved").level()).isEqualTo(5);
            assertThat(sim.task("hog").level()).isEqualTo(3); // demoted at 11.3, 33.7 and 78.5 ms
            sim.runUntil(SimHarness.millis(150));
            assertThat(sim.task("starved").level()).isZero();
            assertThat(sim.task("starved").state()).isEqualTo(TaskState.QUEUED);

            // Level 0 beats the hog (level 3), which yields where it next uses up its quantum:
            // level 3's 80 ms run out at 162.5 ms.
            sim.runUntil(SimHarness.millis(165));
            assertThat(sim.task("starved").state()).isEqualTo(TaskState.RUNNING);
            assertThat(sim.task("hog").state()).isEqualTo(TaskState.PREEMPTED);
            sim.runUntilAllFinished();
            assertThat(sim.task("hog").generatedTokens()).isEqualTo(1_000);
        }
    }

    @Test
    void onTick_reprioritizedWaitingTask_stillPromotedOnceItHasWaitedTheThreshold() {
        PolicyConfig config = PolicyConfig.of(Map.of("starvation_threshold_ms", "100", "boost_interval_ms", "50"));
        try (SimHarness sim = SimHarness.of("mlfq", config, 1, PROFILE)) {
            sim.pause(true);
            sim.submit("old", 9, 4, 2);                 // level 5, waits from 0 ms
            sim.runUntil(SimHarness.millis(60));
            sim.submit("young", 9, 4, 2);               // level 5, waits from 60 ms
            sim.runUntil(SimHarness.millis(70));
            sim.engine().send(new Command.Reprioritize("old", 8)).join(); // same level; its wait goes on

            sim.runUntil(SimHarness.millis(150));

            // At the 150 ms boost "old" has waited 150 ms (> 100) and "young" 90 ms (< 100).
            // Reprioritizing did not restart old's wait (waitedNanos says so), so it must not
            // restart its starvation clock either.
            assertThat(sim.task("old").waitedNanos()).isEqualTo(SimHarness.millis(150));
            assertThat(sim.task("old").level()).isZero();
            assertThat(sim.task("young").level()).isEqualTo(5);
        }
    }

    @Test
    void switchPolicy_toMlfqWithFewerLevelsWhileADeepTaskRuns_taskRequeuedOnTheLastLevel() {
        try (SimHarness sim = SimHarness.oneAtATime("mlfq")) {
            sim.submit("deep", 0, 4, 100);
            sim.runUntil(SimHarness.millis(100)); // demoted to level 3 by now
            assertThat(sim.task("deep").level()).isEqualTo(3);

            sim.engine().send(new Command.SwitchPolicy("mlfq", PolicyConfig.of(Map.of("levels", "2")))).join();
            // Handing the task back requeues it under the new policy, which has no level 3.
            sim.engine().send(new Command.SetInstanceOnline(0, false)).join();
            assertThat(sim.task("deep").state()).isEqualTo(TaskState.PREEMPTED);
            sim.engine().send(new Command.SetInstanceOnline(0, true)).join();
            sim.runUntilAllFinished();

            assertThat(sim.runOrder()).containsExactly("deep", "deep");
            assertThat(sim.task("deep").state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(sim.task("deep").level()).isLessThan(2);
            assertThat(sim.snapshot().queuedByLevel()).containsExactly(0, 0);
        }
    }

    @Test
    void onTick_tasksOfDifferentAges_onlyThoseWaitingOverThresholdPromoted() {
        PolicyConfig config = PolicyConfig.of(Map.of("starvation_threshold_ms", "100", "boost_interval_ms", "50"));
        MlfqPolicy policy = (MlfqPolicy) PolicyRegistry.create("mlfq", config);
        Task old = task("old", 0, 9);
        Task fresh = task("fresh", 1, 9);
        policy.admit(old, 0);
        policy.admit(fresh, 0);
        old.setEnqueuedAt(0);
        policy.enqueue(old, 0);
        fresh.setEnqueuedAt(90_000_000);
        policy.enqueue(fresh, 90_000_000);

        policy.onTick(150_000_000);

        // old has waited 150 ms (> 100), fresh only 60 ms.
        assertThat(old.level()).isZero();
        assertThat(fresh.level()).isEqualTo(5);
        assertThat(policy.depthByLevel()).containsExactly(1, 0, 0, 0, 0, 1);
        assertThat(policy.poll(150_000_000)).isSameAs(old);
    }

    /** Four tiers where priority 0 has a tier of its own: MLFQ's level sets follow the table (decision 0070). */
    private static final io.queuedeck.engine.tier.Tiers FOUR = new io.queuedeck.engine.tier.Tiers(java.util.List.of(
            new io.queuedeck.engine.tier.Tier("urgent", 0, 0, 0), new io.queuedeck.engine.tier.Tier("core", 1, 1, 2),
            new io.queuedeck.engine.tier.Tier("normal", 2, 3, 6), new io.queuedeck.engine.tier.Tier("batch", 3, 7, 9)));

    @ParameterizedTest
    @CsvSource({"default, short", "four, long"})
    void poll_longPromptAtPriority0_beforeShortAtPriority1OnlyWhenTheTableSeparatesThem(String table, String first) {
        PolicyConfig config = table.equals("four") ? PolicyConfig.empty().withTiers(FOUR) : PolicyConfig.empty();
        MlfqPolicy policy = (MlfqPolicy) PolicyRegistry.create("mlfq", config);
        Task longPrompt = new Task(SimHarness.spec("long", 0, 2_000, 10), 0, 10, 0); // skip-join: level 3
        Task shortPrompt = new Task(SimHarness.spec("short", 1, 4, 10), 1, 10, 0);   // level 0
        for (Task task : new Task[] {longPrompt, shortPrompt}) {
            policy.admit(task, 0);
            policy.enqueue(task, 0);
        }

        // Default table: both are core, so level decides. Four tiers: priority 0 is a tier above.
        assertThat(policy.poll(0).id()).isEqualTo(first);
    }

    private static Task task(String id, long sequence, int priority) {
        TaskSpec spec = SimHarness.spec(id, priority, 4, 10);
        return new Task(spec, sequence, 10, 0);
    }

    /**
     * Why: as in {@code priority} (decision 0074), a bulk task past its 5 s objective goes behind
     * its tier's tasks that can still meet theirs. When the slot frees at about 5.6 s, "late"
     * (priority 3, level 1 or boosted to 0) has lost its objective and "fresh" (priority 5, level 2,
     * 1.1 s of wait) has not; "urgentOld" (core tier) stays first. With give_up_seconds=0 the
     * level order of before runs "late" first.
     */
    @Test
    void dispatch_giveUpSeconds_aLateBulkTaskGoesBehindItsTiersOnTimeTasks() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty() : PolicyConfig.of(Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("mlfq", config, 1, SimHarness.ONE_AT_A_TIME)) {
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
}
