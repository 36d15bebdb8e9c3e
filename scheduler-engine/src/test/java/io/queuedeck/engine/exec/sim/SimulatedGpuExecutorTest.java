package io.queuedeck.engine.exec.sim;

import static io.queuedeck.engine.task.TaskState.FAILED;
import static io.queuedeck.engine.task.TaskState.PREEMPTED;
import static io.queuedeck.engine.task.TaskState.QUEUED;
import static io.queuedeck.engine.task.TaskState.RETRY_WAIT;
import static io.queuedeck.engine.task.TaskState.RUNNING;
import static io.queuedeck.engine.task.TaskState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.List;

/**
 * The simulated GPU model, driven through the engine on a virtual clock, so every time is exact:
 * a step lasts prefill(joining tokens) + decode(batch size), and each task gains one token a step.
 */
class SimulatedGpuExecutorTest {
    private static final GpuProfile H100 = GpuProfile.LLAMA2_7B_H100;
    private static final long RELOAD = H100.modelLoadMillis() * 1_000_000L;

    private static SimHarness batching(int instances) {
        return SimHarness.of("priority", PolicyConfig.empty(), instances, H100);
    }

    @Test
    void profile_stepTimeCurve_flatUpTo16ThenLinear() {
        assertThat(H100.decodeStepNanos(1)).isEqualTo(5_600_000);
        assertThat(H100.decodeStepNanos(16)).isEqualTo(5_600_000);
        assertThat(H100.decodeStepNanos(17)).isEqualTo(5_710_000);
        assertThat(H100.decodeStepNanos(32)).isEqualTo(7_360_000);
        assertThat(H100.prefillNanos(47_000)).isEqualTo(1_000_000_000);
        assertThat(H100.prefillNanos(2_000)).isEqualTo(42_553_191);
    }

    @ParameterizedTest(name = "prompt {0}, output {1}")
    @CsvSource({"1, 1", "10, 2", "100, 10", "4000, 37", "47000, 3"})
    void taskAlone_endToEnd_prefillPlusOneStepPerToken(int promptTokens, int outputTokens) {
        try (SimHarness sim = batching(1)) {
            sim.runUntil(SimHarness.millis(7)); // arrive at a time other than zero
            sim.submit("t", 1, promptTokens, outputTokens);

            sim.runUntilAllFinished();

            TaskView t = sim.task("t");
            long prefill = H100.prefillNanos(promptTokens);
            long step = H100.decodeStepNanos(1);
            // The first step is prefill plus one decode pass; every later step is one decode pass.
            assertThat(t.finishedAt() - t.arrivedAt()).isEqualTo(prefill + outputTokens * step);
            assertThat(t.firstTokenAt() - t.arrivedAt()).isEqualTo(prefill + step);
            assertThat(t.generatedTokens()).isEqualTo(outputTokens);
            assertThat(t.waitedNanos()).isZero();
        }
    }

    @ParameterizedTest(name = "batch of {0}")
    @ValueSource(ints = {2, 16, 17, 32})
    void batchSubmittedTogether_everyStep_takesDecodeTimeOfTheBatch(int k) {
        try (SimHarness sim = batching(1)) {
            for (int i = 0; i < k; i++) {
                sim.submit("t" + i, 1, 100, 10);
            }

            sim.runUntilAllFinished();

            // All k join the first step, which prefills all their prompts at once.
            long expected = H100.prefillNanos(100L * k) + 10 * H100.decodeStepNanos(k);
            for (int i = 0; i < k; i++) {
                assertThat(sim.task("t" + i).finishedAt()).as("t%d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void batchOfMixedLengths_afterShortOnesLeave_stepsTakeTheSmallerBatchTime() {
        try (SimHarness sim = batching(1)) {
            for (int i = 0; i < 20; i++) {
                sim.submit("t" + i, 1, 50, i < 10 ? 2 : 5);
            }

            sim.runUntilAllFinished();

            long twoSteps = H100.prefillNanos(50 * 20) + 2 * H100.decodeStepNanos(20);
            long fiveSteps = twoSteps + 3 * H100.decodeStepNanos(10);
            assertThat(H100.decodeStepNanos(20)).isGreaterThan(H100.decodeStepNanos(10));
            for (int i = 0; i < 20; i++) {
                assertThat(sim.task("t" + i).finishedAt()).as("t%d", i).isEqualTo(i < 10 ? twoSteps : fiveSteps);
            }
        }
    }

    @Test
    void taskArrivingMidStep_joinsAtTheNextStepWithItsOwnPrefill() {
        try (SimHarness sim = batching(1)) {
            sim.submit("a", 1, 100, 10);
            sim.runUntil(SimHarness.millis(1));
            sim.submit("b", 1, 300, 1);

            sim.runUntilAllFinished();

            long step1End = H100.prefillNanos(100) + H100.decodeStepNanos(1);
            long step2End = step1End + H100.prefillNanos(300) + H100.decodeStepNanos(2);
            assertThat(sim.task("b").finishedAt()).isEqualTo(step2End);
            assertThat(sim.task("a").finishedAt()).isEqualTo(step2End + 8 * H100.decodeStepNanos(1));
        }
    }

    @Test
    void preemptedTask_resumes_keepsItsTokensAndRecomputesItsContext() {
        try (SimHarness sim = SimHarness.of("mlfq", io.queuedeck.engine.policy.PolicyConfig.of(java.util.Map.of("preempt", "true")),
                1, SimHarness.ONE_AT_A_TIME)) {
            GpuProfile profile = sim.profile();
            long step = profile.decodeStepNanos(1);
            sim.submit("long", 0, 100, 30);
            long step2End = profile.prefillNanos(100) + 2 * step; // "long" demoted to level 1 here
            sim.runUntil(step2End);
            sim.submit("short", 0, 100, 2);
            // MLFQ preempts only where the running task uses up a quantum: level 1's 20 ms is
            // spent after 4 more steps, and "long" yields there.
            long preemptedAt = step2End + 4 * step;

            sim.runUntil(preemptedAt);
            int tokensAtPreemption = sim.task("long").generatedTokens();
            sim.runUntilAllFinished();

            TaskView long_ = sim.task("long");
            TaskView short_ = sim.task("short");
            assertThat(tokensAtPreemption).isEqualTo(6);
            assertThat(long_.generatedTokens()).isEqualTo(30);
            assertThat(long_.outputTokens()).isEqualTo(30);
            assertThat(long_.preemptions()).isEqualTo(1);
            assertThat(long_.attempts()).isEqualTo(1);
            assertThat(long_.history()).extracting(Task.Transition::to)
                    .containsExactly(QUEUED, RUNNING, PREEMPTED, RUNNING, SUCCEEDED);
            assertThat(long_.history().get(2).at()).isEqualTo(preemptedAt);
            // The short task runs 2 steps; "long" then re-prefills prompt + 6 generated tokens
            // (recompute) and needs 24 more steps.
            long shortDone = preemptedAt + profile.prefillNanos(100) + 2 * step;
            assertThat(short_.finishedAt()).isEqualTo(shortDone);
            assertThat(long_.finishedAt()).isEqualTo(shortDone + profile.prefillNanos(106) + 24 * step);
        }
    }

    @Test
    void crashInstance_runningTasks_failRetryWaitRequeueAndSucceedAfterReload() {
        try (SimHarness sim = batching(1)) {
            sim.submit("a", 1, 100, 20);
            sim.submit("b", 1, 100, 20);
            long crashAt = SimHarness.millis(30);
            sim.runUntil(crashAt);

            sim.engine().send(new Command.CrashInstance(0)).join();

            for (String id : List.of("a", "b")) {
                assertThat(sim.task(id).state()).as(id).isEqualTo(RETRY_WAIT);
                assertThat(sim.task(id).error()).as(id).isEqualTo("instance 0 crashed");
            }
            assertThat(sim.snapshot().instances().getFirst().state()).isEqualTo(InstanceState.LOADING);
            sim.runUntil(crashAt + SimHarness.millis(200)); // default backoff of the first retry
            assertThat(sim.task("a").state()).isEqualTo(QUEUED);

            sim.runUntilAllFinished();

            for (String id : List.of("a", "b")) {
                TaskView t = sim.task(id);
                assertThat(t.state()).as(id).isEqualTo(SUCCEEDED);
                assertThat(t.attempts()).as(id).isEqualTo(2);
                assertThat(t.history()).extracting(Task.Transition::to).as(id)
                        .containsExactly(QUEUED, RUNNING, FAILED, RETRY_WAIT, QUEUED, RUNNING, SUCCEEDED);
                assertThat(t.history().get(5).at()).as("redispatched after the model reload").isEqualTo(crashAt + RELOAD);
                assertThat(t.generatedTokens()).isEqualTo(20);
            }
            EngineSnapshot.Counters counters = sim.snapshot().counters();
            assertThat(counters.failed()).isEqualTo(2);
            assertThat(counters.retried()).isEqualTo(2);
            assertThat(counters.succeeded()).isEqualTo(2);
            assertThat(sim.snapshot().instances().getFirst().state()).isEqualTo(InstanceState.UP);
            assertThat(sim.events()).filteredOn(e -> e instanceof EngineEvent.InstanceChanged)
                    .first().isEqualTo(new EngineEvent.InstanceChanged(crashAt, 0, InstanceState.LOADING, "crash injected"));
        }
    }

    @Test
    void crashInstance_anotherInstanceUp_retriedThereAfterTheBackoff() {
        try (SimHarness sim = batching(2)) {
            sim.submit("a", 1, 100, 20); // instance 0 (both idle; the lower id wins)
            assertThat(sim.task("a").instance()).isZero();
            sim.runUntil(SimHarness.millis(30));

            sim.engine().send(new Command.CrashInstance(0)).join();
            sim.runUntilAllFinished();

            TaskView a = sim.task("a");
            assertThat(a.state()).isEqualTo(SUCCEEDED);
            assertThat(a.instance()).isEqualTo(1);
            assertThat(a.history().get(5).at()).isEqualTo(SimHarness.millis(230));
        }
    }

    @Test
    void crashInstance_everyAttempt_deadLetteredAfterMaxAttempts() {
        try (SimHarness sim = batching(1)) {
            sim.submit("doomed", 1, 100, 1_000);
            for (int attempt = 1; attempt <= 3; attempt++) {
                while (sim.task("doomed").state() != RUNNING) {
                    sim.clock().runNext();
                }
                sim.engine().send(new Command.CrashInstance(0)).join();
            }

            TaskView t = sim.task("doomed");
            assertThat(t.state()).isEqualTo(TaskState.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(3);
            EngineSnapshot snapshot = sim.snapshot();
            assertThat(snapshot.counters().deadLettered()).isEqualTo(1);
            assertThat(snapshot.counters().failed()).isEqualTo(3);
            assertThat(snapshot.counters().retried()).isEqualTo(2);
            assertThat(snapshot.queuedByTier().get(Tier.DEAD_LETTER)).isEqualTo(1);
            assertThat(snapshot.running()).isZero();
        }
    }

    @Test
    void setInstanceOffline_runningTasks_handedBackAsPreemptedKeepingTokens() {
        try (SimHarness sim = batching(1)) {
            sim.submit("a", 1, 100, 20);
            long offlineAt = H100.prefillNanos(100) + 4 * H100.decodeStepNanos(1) + 1;
            sim.runUntil(offlineAt);

            sim.engine().send(new Command.SetInstanceOnline(0, false)).join();

            TaskView a = sim.task("a");
            assertThat(a.state()).isEqualTo(PREEMPTED);
            assertThat(a.generatedTokens()).isEqualTo(4);
            InstanceStatus instance = sim.snapshot().instances().getFirst();
            assertThat(instance.state()).isEqualTo(InstanceState.OFFLINE);
            assertThat(instance.running()).isZero();
            assertThat(instance.kvUsedTokens()).isZero();
            assertThat(sim.snapshot().queued()).isEqualTo(1);
            sim.runUntil(offlineAt + SimHarness.millis(1_000));
            assertThat(sim.task("a").state()).as("nothing runs while the only instance is offline").isEqualTo(PREEMPTED);

            sim.engine().send(new Command.SetInstanceOnline(0, true)).join();
            sim.runUntilAllFinished();

            a = sim.task("a");
            assertThat(a.state()).isEqualTo(SUCCEEDED);
            assertThat(a.generatedTokens()).isEqualTo(20);
            assertThat(a.attempts()).isEqualTo(1);
            assertThat(a.history()).extracting(Task.Transition::to)
                    .containsExactly(QUEUED, RUNNING, PREEMPTED, RUNNING, SUCCEEDED);
        }
    }

    /** Both simulated GPU models drain as a backend does: what runs finishes there, nothing new starts. */
    @ParameterizedTest
    @ValueSource(strings = {"batching", "vllm"})
    void drainInstance_runningTaskFinishes_newWorkWaitsUntilTheDrainEnds(String model) {
        GpuModel gpu = model.equals("vllm") ? VllmProfile.defaults("h100") : H100;
        try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, gpu)) {
            sim.submit("a", 1, 100, 20);
            sim.runUntil(SimHarness.millis(50));
            assertThat(sim.task("a").state()).isEqualTo(RUNNING);

            sim.engine().send(new Command.DrainInstance(0, true)).join();
            sim.submit("b", 0, 100, 5);
            sim.runUntil(SimHarness.millis(5_000));

            assertThat(sim.task("a").state()).as("the drain lets it finish").isEqualTo(SUCCEEDED);
            assertThat(sim.task("a").preemptions()).isZero();
            assertThat(sim.task("b").state()).as("nothing new starts on a draining GPU, however urgent").isEqualTo(QUEUED);
            InstanceStatus instance = sim.snapshot().instances().getFirst();
            assertThat(instance.draining()).isTrue();
            assertThat(instance.state()).isEqualTo(InstanceState.UP);

            sim.engine().send(new Command.DrainInstance(0, false)).join();
            sim.runUntilAllFinished();
            assertThat(sim.task("b").state()).isEqualTo(SUCCEEDED);
            assertThat(sim.snapshot().instances().getFirst().draining()).isFalse();
        }
    }

    @Test
    void crashInstance_whileOffline_staysOfflineUntilAnOperatorBringsItBack() {
        try (SimHarness sim = batching(1)) {
            sim.engine().send(new Command.SetInstanceOnline(0, false)).join();
            sim.submit("a", 1, 100, 5);

            sim.engine().send(new Command.CrashInstance(0)).join();
            sim.runUntil(RELOAD + SimHarness.millis(1_000));

            // The operator took it out of service; a crash must not put it back after the reload.
            assertThat(sim.snapshot().instances().getFirst().state()).isEqualTo(InstanceState.OFFLINE);
            assertThat(sim.task("a").state()).isEqualTo(QUEUED);
            sim.engine().send(new Command.SetInstanceOnline(0, true)).join();
            sim.runUntilAllFinished();
            assertThat(sim.task("a").state()).isEqualTo(SUCCEEDED);
        }
    }

    @Test
    void slowInstance_factor2_doublesEveryStep() {
        try (SimHarness sim = batching(1)) {
            sim.engine().send(new Command.SlowInstance(0, 2)).join();
            sim.submit("t", 1, 500, 10);

            sim.runUntilAllFinished();

            long normal = H100.prefillNanos(500) + 10 * H100.decodeStepNanos(1);
            assertThat(sim.task("t").finishedAt()).isEqualTo(2 * normal);
            InstanceStatus instance = sim.snapshot().instances().getFirst();
            assertThat(instance.state()).isEqualTo(InstanceState.SLOW);
            assertThat(instance.slowdown()).isEqualTo(2.0);
        }
    }

    @Test
    void slowInstance_midRunThenRestored_appliesFromTheNextStep() {
        try (SimHarness sim = batching(1)) {
            long step = H100.decodeStepNanos(1);
            sim.submit("t", 1, 100, 10);
            long step1End = H100.prefillNanos(100) + step;
            sim.runUntil(step1End + 1);

            sim.engine().send(new Command.SlowInstance(0, 2)).join(); // step 2 already started at normal speed
            sim.runUntil(step1End + 2 * step + 1);  // mid step 3, which ends at +3 steps
            sim.engine().send(new Command.SlowInstance(0, 1)).join();
            sim.runUntilAllFinished();

            // A step's length is fixed when it begins: step 2 normal (began before the slowdown),
            // step 3 doubled, steps 4-10 normal again (step 4 began after the restore).
            assertThat(sim.task("t").finishedAt()).isEqualTo(step1End + step + 2 * step + 7 * step);
            assertThat(sim.snapshot().instances().getFirst().state()).isEqualTo(InstanceState.UP);
        }
    }

    @Test
    void slowInstance_factorOutOfRange_refusedAndNothingChanges() {
        try (SimHarness sim = batching(1)) {
            assertThatThrownBy(() -> sim.engine().send(new Command.SlowInstance(0, 0.5)).join()).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sim.engine().send(new Command.CrashInstance(3)).join()).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(sim.snapshot().instances().getFirst().slowdown()).isEqualTo(1.0);
        }
    }
}
