package io.queuedeck.engine.exec.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;

class VllmGpuExecutorTest {
    private static final VllmProfile H100 = VllmProfile.defaults("h100");
    private static final StepCost COST = H100.cost();

    /** A step's duration as the executor rounds it. */
    private static long nanos(double millis) {
        return Math.max(1, Math.round(millis * 1e6));
    }

    private static long prefillStep(long chunk, long cached) {
        return nanos(COST.linearMillis(chunk) + COST.prefillAttentionMillis(chunk, cached) + COST.cpuOverheadMs());
    }

    private static long decodeStep(long context) {
        return nanos(COST.linearMillis(1) + COST.decodeAttentionMillis(context) + COST.cpuOverheadMs());
    }

    @Test
    void taskAlone_prefillStepGivesTheFirstToken_thenOneDecodeStepPerToken_attentionGrowingWithContext() {
        try (SimHarness sim = SimHarness.of("fifo", PolicyConfig.empty(), 1, H100)) {
            sim.submit("a", 5, 100, 3);
            sim.runUntilAllFinished();
            TaskView a = sim.task("a");
            long first = prefillStep(100, 0);
            assertThat(a.firstTokenAt()).isEqualTo(first);
            // token 2 decodes over 101 tokens of context, token 3 over 102
            assertThat(a.finishedAt()).isEqualTo(first + decodeStep(101) + decodeStep(102));
            assertThat(decodeStep(4000)).isGreaterThan(decodeStep(101)); // decode attention reads the whole cache
            assertThat(sim.usage().steps()).isEqualTo(3);
        }
    }

    @Test
    void longPrompt_chunkedWithinTheTokenBudget_decodesOfOthersGoFirst() {
        VllmProfile budget1000 = H100.withMaxNumBatchedTokens(1000);
        try (SimHarness sim = SimHarness.of("fifo", PolicyConfig.empty(), 1, budget1000)) {
            sim.submit("a", 5, 10, 50);
            sim.runUntil(prefillStep(10, 0) - 1); // b arrives during a's first step and joins the next
            sim.submit("b", 5, 2500, 1);
            sim.runUntilAllFinished();
            TaskView b = sim.task("b");
            // Steps 2-4: a's decode token first, then b's chunks of 999, 999 and 502 tokens.
            long step2 = nanos(COST.linearMillis(1000) + COST.decodeAttentionMillis(11) + COST.prefillAttentionMillis(999, 0)
                    + COST.cpuOverheadMs());
            long step3 = nanos(COST.linearMillis(1000) + COST.decodeAttentionMillis(12) + COST.prefillAttentionMillis(999, 999)
                    + COST.cpuOverheadMs());
            long step4 = nanos(COST.linearMillis(503) + COST.decodeAttentionMillis(13) + COST.prefillAttentionMillis(502, 1998)
                    + COST.cpuOverheadMs());
            assertThat(b.firstTokenAt()).isEqualTo(prefillStep(10, 0) + step2 + step3 + step4);
            assertThat(b.state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    /** Why: with a 512-token budget, whoever gets the chunks first gets its first token first. */
    @Test
    void chunkOrder_policyPrefillsTheUrgentTaskFirst_admissionOrderPrefillsTheEarlierOne() {
        VllmProfile small = H100.withMaxNumBatchedTokens(512);
        long[] urgentFirst = new long[2];
        long[] bulkFirst = new long[2];
        VllmProfile.ChunkOrder[] orders = {VllmProfile.ChunkOrder.POLICY, VllmProfile.ChunkOrder.ADMISSION};
        for (int i = 0; i < 2; i++) {
            try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, small.withChunkOrder(orders[i]))) {
                sim.submit("bulk", 5, 4000, 2);
                sim.submit("urgent", 1, 200, 2);
                sim.runUntilAllFinished();
                urgentFirst[i] = sim.task("urgent").firstTokenAt();
                bulkFirst[i] = sim.task("bulk").firstTokenAt();
            }
        }
        // policy order: the urgent prompt is the first chunk of the very first step
        long step1 = nanos(COST.linearMillis(512) + COST.prefillAttentionMillis(200, 0) + COST.prefillAttentionMillis(312, 0)
                + COST.cpuOverheadMs());
        assertThat(urgentFirst[0]).isEqualTo(step1);
        assertThat(urgentFirst[0]).isLessThan(bulkFirst[0]);
        // admission order: the bulk prompt, admitted first, takes the budget until it is prefilled
        assertThat(urgentFirst[1]).isGreaterThan(bulkFirst[1]);
    }

    @Test
    void chunkedPrefillOff_aLongPromptIsPrefilledWholeInOneStep() {
        try (SimHarness sim = SimHarness.of("fifo", PolicyConfig.empty(), 1,
                H100.withMaxNumBatchedTokens(512).withChunkedPrefill(false))) {
            sim.submit("a", 5, 4000, 1);
            sim.runUntilAllFinished();
            assertThat(sim.task("a").finishedAt()).isEqualTo(prefillStep(4000, 0));
            assertThat(sim.usage().steps()).isEqualTo(1);
        }
    }

    /**
     * Why: 20 blocks of 16 tokens hold both 100-token prompts (7 blocks each) but not both
     * answers growing to 300 tokens; the less urgent task is preempted, recomputes, and both finish.
     */
    @Test
    void fullKvCache_preemptsTheLeastUrgent_recomputesItsTokens_bothFinish() {
        VllmProfile tiny = H100.withKvCapacityTokens(20 * 16);
        try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, tiny)) {
            sim.submit("low", 5, 100, 200);
            sim.submit("high", 1, 100, 200);
            sim.runUntilAllFinished();
            TaskView low = sim.task("low"), high = sim.task("high");
            assertThat(low.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(high.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(low.generatedTokens()).isEqualTo(200);
            assertThat(high.preemptions()).isZero();
            assertThat(low.preemptions()).isPositive();
            GpuUsage usage = sim.usage();
            assertThat(usage.memoryPreemptions()).isEqualTo(low.preemptions());
            assertThat(usage.recomputedTokens()).isGreaterThanOrEqualTo(100); // at least its prompt again
            assertThat(sim.snapshot().counters().preemptions()).isEqualTo(usage.memoryPreemptions());
            assertThat(sim.instances().getFirst().kvUsedTokens()).isZero();
        }
    }

    /**
     * Why: two bulk prompts of 150 tokens take all 20 blocks (10 each). Without an urgent class the
     * urgent task waits for one of them to finish; with one it preempts the least urgent (priority
     * 5, not 3) and is admitted at once, so its first token comes one prefill step after the step
     * under way.
     */
    @Test
    void urgentClass_fullCache_urgentArrivalPreemptsTheLeastUrgentAndIsAdmittedAtOnce() {
        VllmProfile tiny = H100.withKvCapacityTokens(20 * 16);
        long[] urgentFirstToken = new long[2];
        for (int withClass = 0; withClass < 2; withClass++) {
            VllmProfile model = withClass == 1 ? tiny.withUrgentClass(1, -1) : tiny;
            try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, model)) {
                sim.submit("bulk5", 5, 150, 10); // 160 tokens: they never outgrow their 10 blocks
                sim.submit("bulk3", 3, 150, 10);
                sim.runUntil(1);
                sim.submit("urgent", 1, 100, 2);
                sim.runUntilAllFinished();
                TaskView bulk5 = sim.task("bulk5"), bulk3 = sim.task("bulk3"), urgent = sim.task("urgent");
                assertThat(bulk5.state()).isEqualTo(TaskState.SUCCEEDED);
                assertThat(bulk3.state()).isEqualTo(TaskState.SUCCEEDED);
                assertThat(urgent.state()).isEqualTo(TaskState.SUCCEEDED);
                urgentFirstToken[withClass] = urgent.firstTokenAt();
                if (withClass == 1) {
                    assertThat(bulk5.preemptions()).isEqualTo(1);
                    assertThat(bulk3.preemptions()).isZero();
                    assertThat(urgent.preemptions()).isZero();
                    long firstStep = nanos(COST.linearMillis(300) + 2 * COST.prefillAttentionMillis(150, 0)
                            + COST.cpuOverheadMs());
                    // the next step: bulk3's decode and the urgent prompt
                    assertThat(urgent.firstTokenAt()).isEqualTo(firstStep + nanos(COST.linearMillis(101)
                            + COST.decodeAttentionMillis(151) + COST.prefillAttentionMillis(100, 0) + COST.cpuOverheadMs()));
                    assertThat(sim.usage().memoryPreemptions()).isEqualTo(1);
                } else {
                    assertThat(bulk5.preemptions() + bulk3.preemptions()).isZero();
                }
            }
        }
        assertThat(urgentFirstToken[1]).isLessThan(urgentFirstToken[0] / 2);
    }

    /** Why: with the bulk cap at 0 the urgent prompt's step holds nothing else, so it lasts as long as alone. */
    @Test
    void urgentClass_bulkChunkCap_urgentPromptsStepCarriesNoOtherPrefill() {
        long[] urgentFirstToken = new long[2];
        for (int capped = 0; capped < 2; capped++) {
            VllmProfile model = H100.withUrgentClass(1, capped == 1 ? 0 : -1);
            try (SimHarness sim = SimHarness.of("priority", PolicyConfig.empty(), 1, model)) {
                sim.submit("bulk", 5, 4000, 2);
                sim.submit("urgent", 1, 200, 2);
                sim.runUntilAllFinished();
                urgentFirstToken[capped] = sim.task("urgent").firstTokenAt();
                assertThat(sim.task("bulk").state()).isEqualTo(TaskState.SUCCEEDED);
            }
        }
        assertThat(urgentFirstToken[1]).isEqualTo(prefillStep(200, 0));
        assertThat(urgentFirstToken[0]).isGreaterThan(3 * prefillStep(200, 0)); // the 4,000-token chunk shared its step
    }

    @Test
    void lowerBound_isNeverAboveATaskAlone_andCloseToIt() {
        int[][] shapes = {{1, 1}, {100, 3}, {2000, 50}, {9000, 200}, {30000, 10}};
        for (int[] shape : shapes) {
            try (SimHarness sim = SimHarness.of("fifo", PolicyConfig.empty(), 1, H100)) {
                sim.submit("a", 5, shape[0], shape[1]);
                sim.runUntilAllFinished();
                long alone = sim.task("a").finishedAt();
                long bound = H100.lowerBoundNanos(shape[0], shape[1]);
                assertThat(bound).as("prompt %d, output %d", shape[0], shape[1]).isLessThanOrEqualTo(alone);
                assertThat((double) bound / alone).as("prompt %d, output %d", shape[0], shape[1]).isGreaterThan(0.8);
            }
        }
    }
}
