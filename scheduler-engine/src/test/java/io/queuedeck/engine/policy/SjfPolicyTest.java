package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Shortest predicted job first on one instance that runs one task at a time. With the defaults a
 * task's predicted work is prompt / 47,000 s + predicted output × 7.4 ms, and aging takes 1 ns of
 * work off per ns of wait.
 */
class SjfPolicyTest {
    private static final double PREFILL_NANOS_PER_TOKEN = 1e9 / 47_000;
    private static final double DECODE_NANOS = 7.4e6;

    @Test
    void dispatch_tasksWithMaxTokens_smallestMaxTokensFirst() {
        try (SimHarness sim = SimHarness.oneAtATime("sjf")) {
            sim.pause(true);
            sim.submit("t200", 0, 10, 200);
            sim.submit("t10", 9, 10, 10);
            sim.submit("t50", 5, 10, 50);
            sim.submit("t10-later", 9, 10, 10);
            sim.pause(false);

            sim.runUntilAllFinished();

            // Same prompt and arrival, so max_tokens alone decides (priority plays no part);
            // equal predictions go in submission order.
            assertThat(sim.dispatchOrder()).containsExactly("t10", "t10-later", "t50", "t200");
        }
    }

    @Test
    void dispatch_noMaxTokens_predictorLearnsMeanOutputPerBusinessClass() {
        try (SimHarness sim = SimHarness.oneAtATime("sjf")) {
            submit(sim, "chat-a", "chat", 8);
            submit(sim, "chat-b", "chat", 12);
            submit(sim, "essay-a", "essay", 200);
            sim.runUntilAllFinished();

            sim.pause(true);
            submit(sim, "essay-2", "essay", 5);
            submit(sim, "other-2", "other", 5);
            submit(sim, "chat-2", "chat", 5);
            sim.pause(false);
            sim.runUntilAllFinished();

            // Predicted from finished tasks of the same model and class: chat (8 + 12) / 2 = 10,
            // other: nothing finished yet, the default 128; essay 200. The true lengths (5 each)
            // are unknown to the policy.
            assertThat(sim.dispatchOrder().subList(3, 6)).containsExactly("chat-2", "other-2", "essay-2");
        }
    }

    @Test
    void dispatch_noMaxTokensAndNothingLearned_defaultPredictionSoSubmissionOrder() {
        try (SimHarness sim = SimHarness.oneAtATime("sjf")) {
            sim.pause(true);
            submit(sim, "essay-2", "essay", 5);
            submit(sim, "other-2", "other", 5);
            submit(sim, "chat-2", "chat", 5);
            sim.pause(false);
            sim.runUntilAllFinished();

            // The control for the test above: every class predicts the default 128 tokens.
            assertThat(sim.dispatchOrder()).containsExactly("essay-2", "other-2", "chat-2");
        }
    }

    @Test
    void dispatch_oldLongTask_goesBeforeANewShortOneOnlyAfterEnoughWait() {
        // Long: 200 tokens, short: 10; same prompt. Their predicted work differs by 190 × 7.4 ms
        // = 1.406 s, which is the head start the long task needs to go first.
        long bound = Math.round(work(10, 200) - work(10, 10));
        assertThat(bound).isEqualTo(1_406_000_000L);

        assertThat(orderWhenShortArrivesAfter(bound - SimHarness.millis(1))).containsExactly("short", "long");
        assertThat(orderWhenShortArrivesAfter(bound + SimHarness.millis(1))).containsExactly("long", "short");
    }

    @Test
    void predictedTokens_sameClassOnAnotherModel_learnedSeparately() {
        SjfPolicy policy = (SjfPolicy) PolicyRegistry.create("sjf");
        policy.onCompleted(finished("7b-chat-1", "llama-2-7b", "chat", 20), 0);
        policy.onCompleted(finished("7b-chat-2", "llama-2-7b", "chat", 40), 0);
        policy.onCompleted(finished("70b-chat", "llama-2-70b", "chat", 300), 0);

        // One running mean per (model, business class): the 7B's chats do not predict the 70B's.
        assertThat(policy.predictedTokens(waiting("llama-2-7b", "chat"))).isEqualTo(30);
        assertThat(policy.predictedTokens(waiting("llama-2-70b", "chat"))).isEqualTo(300);
        assertThat(policy.predictedTokens(waiting("llama-2-7b", "batch"))).isEqualTo(128); // nothing learned: the default
    }

    @Test
    void dispatch_giveUpSeconds_aBulkTaskPastItsObjectiveGoesBehindOnesThatCanMeetIt() {
        for (boolean giveUp : new boolean[] {false, true}) {
            PolicyConfig config = giveUp ? PolicyConfig.empty() : PolicyConfig.of(Map.of("give_up_seconds", "0"));
            try (SimHarness sim = SimHarness.of("sjf", config, 1, SimHarness.ONE_AT_A_TIME)) {
                sim.submit("long", 9, 10, 1000); // holds the slot for about 5.6 s
                sim.submit("late", 3, 10, 2);
                sim.submit("urgentOld", 1, 10, 2); // priorities 0-2 are never given up on
                sim.runUntil(SimHarness.millis(4_500));
                sim.submit("fresh", 5, 10, 2);
                sim.runUntilAllFinished();
                assertThat(sim.dispatchOrder()).as("giving up: %s", giveUp).containsExactly(giveUp
                        ? new String[] {"long", "urgentOld", "fresh", "late"}
                        : new String[] {"long", "late", "urgentOld", "fresh"});
            }
        }
    }

    private static Task finished(String id, String model, String businessClass, int tokens) {
        TaskSpec spec = new TaskSpec(id, model, "x", 5, null, null, businessClass, null, null, 10, null);
        Task task = new Task(spec, 0, tokens, 0);
        for (int i = 0; i < tokens; i++) {
            task.addToken(i);
        }
        return task;
    }

    private static Task waiting(String model, String businessClass) {
        TaskSpec spec = new TaskSpec("w", model, "x", 5, null, null, businessClass, null, null, 10, null);
        return new Task(spec, 1, 50, 0);
    }

    private static List<String> orderWhenShortArrivesAfter(long gapNanos) {
        try (SimHarness sim = SimHarness.oneAtATime("sjf")) {
            sim.pause(true);
            sim.submit("long", 5, 10, 200);
            sim.runUntil(gapNanos);
            sim.submit("short", 5, 10, 10);
            sim.pause(false);
            sim.runUntilAllFinished();
            return sim.dispatchOrder();
        }
    }

    private static double work(int promptTokens, int outputTokens) {
        return promptTokens * PREFILL_NANOS_PER_TOKEN + outputTokens * DECODE_NANOS;
    }

    /** A task without max_tokens that generates {@code outputTokens}. */
    private static void submit(SimHarness sim, String id, String businessClass, int outputTokens) {
        TaskSpec spec = new TaskSpec(id, SimHarness.MODEL, "x", 5, null, null, businessClass, null, null, 10, null);
        sim.submit(spec, outputTokens);
    }
}
