package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The clairvoyant SRPT oracle on one instance that runs one task at a time. A waiting task's
 * remaining work is prompt / 47,000 s + true remaining tokens × 7.4 ms.
 */
class SrptOraclePolicyTest {
    private static final String REFUSAL = "policy 'srpt-oracle' needs the true output lengths that only a simulation knows; it cannot run live";

    @Test
    void dispatch_tasksWaitingTogether_trueRemainingWorkOrderWhateverMaxTokensSays() {
        try (SimHarness sim = SimHarness.oneAtATime("srpt-oracle")) {
            sim.pause(true);
            // work = 32 × prefill (a prefill stalls the whole default batch) + tokens × 7.4 ms
            submit(sim, "honest", 10, 20, 20);      // 32 × 0.2 + 20 × 7.4 =  154.8 ms
            submit(sim, "bigprompt", 3_000, 1, 1);  // 32 × 63.8 + 7.4     = 2049.0 ms
            submit(sim, "liar", 10, 500, 3);        // 32 × 0.2 + 3 × 7.4  =   29.0 ms, though max_tokens says 500
            submit(sim, "tiny", 10, 5, 5);          // 32 × 0.2 + 5 × 7.4  =   43.8 ms
            sim.pause(false);

            sim.runUntilAllFinished();

            // The oracle sees the 3 tokens "liar" will really generate, not its max_tokens.
            assertThat(sim.dispatchOrder()).containsExactly("liar", "tiny", "honest", "bigprompt");
        }
    }

    @Test
    void build_liveSystemClock_refusedWithAClearMessage() {
        assertThatThrownBy(() -> Engine.builder().policy("srpt-oracle").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage(REFUSAL);
        assertThatThrownBy(() -> Engine.builder().clock(new SystemClock()).policy("srpt-oracle").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage(REFUSAL);
    }

    @Test
    void switchPolicy_liveEngine_refusedWithAClearMessageAndOldPolicyKept() {
        try (Engine engine = Engine.builder().policy("fifo").build()) {
            engine.start();

            assertThatThrownBy(() -> engine.send(new Command.SwitchPolicy("srpt-oracle", PolicyConfig.empty())).join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessage(REFUSAL);
            assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");
        }
    }

    @Test
    void switchPolicy_virtualClock_accepted() {
        try (SimHarness sim = SimHarness.oneAtATime("fifo")) {
            sim.engine().send(new Command.SwitchPolicy("srpt-oracle", PolicyConfig.empty())).join();

            assertThat(sim.snapshot().policy()).isEqualTo("srpt-oracle");
        }
    }

    @Test
    void stepFinished_preemptOnAndShortArrivalWhileLongRuns_shortTakesTheSlot() {
        try (SimHarness sim = SimHarness.of("srpt-oracle", PolicyConfig.of(Map.of("preempt", "true")), 1, SimHarness.ONE_AT_A_TIME)) {
            submit(sim, "long", 10, 400, 400);
            sim.runUntil(SimHarness.millis(30));
            submit(sim, "short", 10, 2, 2);

            sim.runUntilAllFinished();

            // short's work (15 ms) + long's recompute (about 16 tokens of context, 0.3 ms) is far
            // below long's remaining ~395 × 7.4 ms: long yields at the next step and resumes after.
            assertThat(sim.runOrder()).containsExactly("long", "short", "long");
            assertThat(sim.task("long").preemptions()).isEqualTo(1);
            assertThat(sim.task("long").generatedTokens()).isEqualTo(400);
        }
    }

    @Test
    void stepFinished_preemptOffByDefault_runningTaskKeepsItsSlot() {
        try (SimHarness sim = SimHarness.oneAtATime("srpt-oracle")) {
            submit(sim, "long", 10, 400, 400);
            sim.runUntil(SimHarness.millis(30));
            submit(sim, "short", 10, 2, 2);

            sim.runUntilAllFinished();

            assertThat(sim.runOrder()).containsExactly("long", "short");
            assertThat(sim.snapshot().counters().preemptions()).isZero();
        }
    }

    @Test
    void stepFinished_preemptOnAndTwoRunning_evictsTheOneWithTheMostWorkLeftNow() {
        GpuProfile twoSlots = GpuProfile.LLAMA2_7B_H100.withMaxBatch(2);
        try (SimHarness sim = SimHarness.of("srpt-oracle", PolicyConfig.of(Map.of("preempt", "true")), 1, twoSlots)) {
            submit(sim, "old-long", 10, 400, 400);
            // 0.2 ms prefill + 5.6 ms a step: by 2,180 ms old-long has 11 tokens left (81 ms).
            sim.runUntil(SimHarness.millis(2_180));
            submit(sim, "mid", 10, 100, 100);       // takes the second slot: 740 ms of work
            sim.runUntil(SimHarness.millis(2_190));
            submit(sim, "short", 10, 2, 2);         // 15 ms of work, no slot free

            sim.runUntilAllFinished();

            // When it joined, old-long had 400 tokens to go and mid 100; now old-long has about 9
            // and mid about 98. Shortest remaining work first means the swap takes mid's slot:
            // evicting old-long would delay the task closest to done and recompute 400 tokens.
            assertThat(sim.runOrder()).containsExactly("old-long", "mid", "short", "mid");
            assertThat(sim.task("old-long").preemptions()).isZero();
            assertThat(sim.task("mid").preemptions()).isEqualTo(1);
        }
    }

    /**
     * "running" (6 tokens) has generated one token at its first step boundary: 5 × 7.4 = 37 ms
     * remain. A waiting task of 4 tokens costs 0.2 + 29.6 = 29.8 ms, plus the 11-token recompute
     * of the victim (0.23 ms): 30.0 < 37, so it preempts. One of 5 tokens costs 37.2 + 0.23 > 37:
     * swapping would not pay, so it waits (and at later boundaries "running" has even less left).
     */
    @ParameterizedTest(name = "waiting task of {0} tokens preempts: {1}")
    @CsvSource({"4, true", "5, false"})
    void stepFinished_preemptOn_preemptsExactlyWhenTheRuleHolds(int waitingTokens, boolean preempts) {
        try (SimHarness sim = SimHarness.of("srpt-oracle", PolicyConfig.of(Map.of("preempt", "true")), 1, SimHarness.ONE_AT_A_TIME)) {
            submit(sim, "running", 10, 6, 6);
            sim.runUntil(SimHarness.millis(1)); // before its first step ends (5.8 ms)
            submit(sim, "waiting", 10, waitingTokens, waitingTokens);

            sim.runUntilAllFinished();

            if (preempts) {
                assertThat(sim.runOrder()).containsExactly("running", "waiting", "running");
                assertThat(sim.task("running").preemptions()).isEqualTo(1);
            } else {
                assertThat(sim.runOrder()).containsExactly("running", "waiting");
                assertThat(sim.task("running").preemptions()).isZero();
            }
        }
    }

    private static void submit(SimHarness sim, String id, int promptTokens, int maxTokens, int trueTokens) {
        TaskSpec spec = SimHarness.spec(id, 5, promptTokens, maxTokens);
        sim.submit(spec, trueTokens);
    }
}
