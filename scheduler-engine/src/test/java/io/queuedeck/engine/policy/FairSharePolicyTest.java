package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Virtual token counters on one instance that runs one task at a time, with the default charges:
 * 1 per prompt token when a task is dispatched, 2 per generated token. The waiting tenant with
 * the smallest counter goes next; on a tie, the tenant that has been waiting longer.
 */
class FairSharePolicyTest {

    @Test
    void dispatch_twoTenantsWithEqualTasks_alternate() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            sim.pause(true);
            for (int i = 1; i <= 3; i++) {
                submit(sim, "a" + i, "a", 10, 5);
            }
            for (int i = 1; i <= 3; i++) {
                submit(sim, "b" + i, "b", 10, 5);
            }
            sim.pause(false);

            sim.runUntilAllFinished();

            // Each task costs 10 + 2×5 = 20. Both start at 0 (a first: it became active first);
            // after a1, a = 20 > b = 0, so b1; then 20 = 20 and a again: strict alternation,
            // where FIFO would have run all of a's tasks first.
            assertThat(sim.dispatchOrder()).containsExactly("a1", "b1", "a2", "b2", "a3", "b3");
        }
    }

    @Test
    void dispatch_tenantWithLessService_goesNextUntilItCatchesUp() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            sim.pause(true);
            for (int i = 1; i <= 3; i++) {
                submit(sim, "a" + i, "a", 100, 10);   // 100 + 2×10 = 120 each
            }
            for (int i = 1; i <= 3; i++) {
                submit(sim, "b" + i, "b", 10, 2);     // 10 + 2×2 = 14 each
            }
            sim.pause(false);

            sim.runUntilAllFinished();

            // After a1, a = 120; b's three tasks bring b only to 42 < 120, so all of them go
            // before a2.
            assertThat(sim.dispatchOrder()).containsExactly("a1", "b1", "b2", "b3", "a2", "a3");
        }
    }

    @Test
    void dispatch_tenantBecomesActiveLate_liftedToTheSmallestActiveCounterSoItCannotMonopolize() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            for (int i = 1; i <= 4; i++) {
                submit(sim, "a" + i, "a", 100, 10);   // 120 each; a1 starts at once
            }
            // Each task takes 2.1 ms of prefill + 10 steps of 5.6 ms = 58.1 ms: at 130 ms a3 is
            // running (two steps done, a = 340 + 2×2 = 344) and a4 waits.
            sim.runUntil(SimHarness.millis(130));
            for (int i = 1; i <= 3; i++) {
                submit(sim, "b" + i, "b", 100, 10);
            }

            sim.runUntilAllFinished();

            // b joins at a's counter (344), not at 0. When a3 ends a = 360 > 344: b1 (b = 464);
            // then a4 (a = 480); then b2, b3. Without the lift b would have had 0 and run all
            // three of its tasks (b = 360) before a4.
            assertThat(sim.dispatchOrder()).containsExactly("a1", "a2", "a3", "b1", "a4", "b2", "b3");
        }
    }

    @Test
    void dispatch_tenantOfOneTokenTasks_chargedForEveryGeneratedTokenIncludingTheLast() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            sim.pause(true);
            submit(sim, "a1", "a", 1, 10);            // 1 + 2×10 = 21
            submit(sim, "a2", "a", 1, 10);
            for (int i = 1; i <= 5; i++) {
                submit(sim, "b" + i, "b", 6, 1);      // 6 + 2×1 = 8 each
            }
            sim.pause(false);

            sim.runUntilAllFinished();

            // After a1, a = 21. b runs while below it: 0, 8, 16 -> b1, b2, b3; at 24 > 21 a2 goes.
            // (A last token left uncharged would make b's tasks cost 6 and let b4 in too.)
            assertThat(sim.dispatchOrder()).containsExactly("a1", "b1", "b2", "b3", "a2", "b4", "b5");
        }
    }

    @Test
    void reprioritize_waitingTaskOfTheLeastServedTenant_keepsItsCounterAndItsTurn() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            submit(sim, "b1", "b", 10, 5);            // b = 10 + 2×5 = 20
            sim.runUntilAllFinished();
            sim.pause(true);
            submit(sim, "a1", "a", 10, 5);            // a joins with nobody waiting: stays at 0
            submit(sim, "b2", "b", 10, 5);            // b joins: lifted to max(20, min(a = 0)) = 20

            // Fair share ignores priority, but an operator may still set one. a1 waits on: a has
            // not become active again, it never stopped waiting, so no lift to b's 20.
            sim.engine().send(new Command.Reprioritize("a1", 0)).join();
            sim.pause(false);
            sim.runUntilAllFinished();

            assertThat(sim.dispatchOrder()).containsExactly("b1", "a1", "b2");
        }
    }

    @Test
    void dispatch_taskBlockedOnAnExclusiveResource_notChargedUntilItRuns() {
        GpuProfile twoSlots = GpuProfile.LLAMA2_7B_H100.withMaxBatch(2);
        try (SimHarness sim = SimHarness.of("fair", PolicyConfig.empty(), 1, twoSlots)) {
            sim.pause(true);
            sim.submit(withResource(SimHarness.spec("holder", 5, 10, 50).withTenant("a")), 50);
            sim.submit(withResource(SimHarness.spec("blocked", 5, 1_000, 2).withTenant("a")), 2);
            for (int i = 1; i <= 12; i++) {
                submit(sim, "b" + i, "b", 10, 5);     // 20 each
            }
            sim.pause(false);

            sim.runUntilAllFinished();

            // holder and b1 take the two slots. When b1 ends, a (20) ties b (20) and "blocked"
            // comes up, but "holder" has its resource: it waits aside, uncharged, and b's tasks
            // take the slot. When holder ends, a = 10 + 2×50 = 110 while b = 10 tasks × 20 = 200,
            // so "blocked" runs at once. (Charged its 1,000 prompt tokens when it was set aside,
            // a would stand at 1,110 and "blocked" would wait for all 12 of b's tasks.)
            assertThat(sim.task("blocked").firstDispatchAt()).isEqualTo(sim.task("holder").finishedAt());
            assertThat(sim.dispatchOrder().indexOf("blocked")).isLessThan(sim.dispatchOrder().indexOf("b12"));
        }
    }

    @Test
    void dispatch_noTenant_sharesOneCounterInSubmissionOrder() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            sim.pause(true);
            sim.submit("x", 9, 10, 2);
            sim.submit("y", 0, 10, 2);
            sim.submit("z", 5, 10, 2);
            sim.pause(false);

            sim.runUntilAllFinished();

            // Fair share ignores priority; one anonymous tenant is served first come first served.
            assertThat(sim.dispatchOrder()).containsExactly("x", "y", "z");
        }
    }

    /**
     * Why: a task that has lost its 5 s objective goes behind the tasks of every tenant that can
     * still meet theirs (decision 0079). "long" (tenant c) holds the slot until about 5.6 s. Tenants
     * a and b are level at 0 ("b-fresh" is lifted to a's counter when it arrives at 4.5 s), so
     * without giving up the tie goes to a, whose task came first; with giving up "a-late" (5.6 s of
     * wait) has lost its objective and "b-fresh" (1.1 s) has not, so b goes first.
     */
    @Test
    void dispatch_taskPastItsObjective_goesBehindAnotherTenantsTaskThatCanMeetIt() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty() : PolicyConfig.of(Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("fair", config, 1, SimHarness.ONE_AT_A_TIME)) {
                submit(sim, "long", "c", 10, 1000);
                sim.submit(SimHarness.spec("a-late", 3, 10, 2).withTenant("a"), 2);
                sim.runUntil(SimHarness.millis(4_500));
                submit(sim, "b-fresh", "b", 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).as("giving up: %s", giveUp).containsExactly(giveUp
                        ? new String[] {"long", "b-fresh", "a-late"}
                        : new String[] {"long", "a-late", "b-fresh"});
            }
        }
    }

    /**
     * Counters still order the tenants among the tasks that can meet their objectives: a tenant
     * served more waits behind one served less even when both have late tasks queued behind.
     */
    @Test
    void dispatch_lateTasksOfBothTenants_counterOrderHoldsAmongTheOnTimeAndAmongTheLate() {
        try (SimHarness sim = SimHarness.oneAtATime("fair")) {
            submit(sim, "long", "a", 10, 1000);      // a: 10 + 2×1000 = 2,010 when done, at about 5.6 s
            // b becomes active while a-late waits: lifted to a's counter then, 10
            submit(sim, "a-late", "a", 10, 2);
            submit(sim, "b-late", "b", 10, 2);
            sim.runUntil(SimHarness.millis(4_000));
            submit(sim, "a-fresh", "a", 10, 2);
            submit(sim, "b-fresh", "b", 10, 2);
            sim.runUntilAllFinished();
            // on time first, b (10) before a (2,010); then the late ones, b (24) before a (2,024)
            assertThat(sim.dispatchOrder()).containsExactly("long", "b-fresh", "a-fresh", "b-late", "a-late");
        }
    }

    private static TaskSpec withResource(TaskSpec spec) {
        return new TaskSpec(spec.taskId(), spec.model(), spec.input(), spec.priority(), null, spec.tenant(), null, null,
                spec.maxTokens(), spec.promptTokens(), java.util.Map.of("exclusive_resource", "adapter-x"));
    }

    private static void submit(SimHarness sim, String id, String tenant, int promptTokens, int outputTokens) {
        TaskSpec spec = SimHarness.spec(id, 5, promptTokens, outputTokens).withTenant(tenant);
        sim.submit(spec, outputTokens);
    }
}
