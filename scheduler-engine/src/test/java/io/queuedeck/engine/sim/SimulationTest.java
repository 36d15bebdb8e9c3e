package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskSpec;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulationTest {
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;
    private static final GpuProfile ONE_AT_A_TIME = GpuProfile.LLAMA2_7B_H100.withMaxBatch(1);
    private static final long MS = 1_000_000L;

    private static Arrival arrival(String id, long atMs, int prompt, int output, String tenant, Long deadlineMs) {
        Instant deadline = deadlineMs == null ? null : VirtualClock.DEFAULT_ORIGIN.plusMillis(deadlineMs);
        TaskSpec spec = new TaskSpec(id, MODEL, "", 5, null, tenant, null, deadline, null, prompt, null);
        return new Arrival(atMs * MS, spec, output);
    }

    /** Time one task takes alone on an instance: prefill with the first step, then one decode step per token. */
    private static double aloneMs(int prompt, int output) {
        return (ONE_AT_A_TIME.prefillNanos(prompt) + output * ONE_AT_A_TIME.decodeStepNanos(1)) / 1e6;
    }

    @Test
    void run_traceReplayWithoutMaxTokens_everyTaskAdmittedAndCompleted() {
        Trace trace = Trace.read("t.csv", new StringReader(
                "arrival_ms,prompt_tokens,output_tokens\n0,100000,15000\n5,10,3000\n9,2000,1\n"));
        List<Arrival> arrivals = TraceReplay.defaults().arrivals(trace, MODEL);

        PolicyResult result = new Simulation(1, GpuProfile.LLAMA2_7B_H100, MODEL).run("fifo", PolicyConfig.empty(), arrivals);

        // 100,000 + 15,000 fits the 120,000-token KV cache only because the engine reserves the
        // true output, not its 256-token default for a task without max_tokens.
        assertThat(result.all().tasks()).isEqualTo(3);
        assertThat(result.rejected()).isZero();
    }

    @Test
    void run_taskLargerThanAnyKvCache_rejectedAndCountedWhileTheRestRun() {
        List<Arrival> arrivals = List.of(arrival("a", 0, 100, 10, null, null),
                arrival("huge", 1, 119_000, 2_000, null, null), arrival("b", 2, 100, 10, null, null));

        PolicyResult result = new Simulation(1, GpuProfile.LLAMA2_7B_H100, MODEL).run("fifo", PolicyConfig.empty(), arrivals);

        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.all().tasks()).isEqualTo(2);
    }

    @Test
    void run_modelNotServed_rejected() {
        TaskSpec other = new TaskSpec("x", "mistral-7b", "", 5, null, null, null, null, null, 10, null);
        List<Arrival> arrivals = List.of(arrival("a", 0, 100, 10, null, null), new Arrival(0, other, 10));

        PolicyResult result = Simulation.defaults().run("fifo", PolicyConfig.empty(), arrivals);

        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.all().tasks()).isEqualTo(1);
    }

    @Test
    void run_twoTasksOneSlot_waitLatencyAndDeadlineMissesExact() {
        // One slot: b waits for all of a. a meets its deadline, b misses its 60 ms one, c has none.
        List<Arrival> arrivals = List.of(arrival("a", 0, 100, 10, null, 1_000L), arrival("b", 0, 100, 10, null, 60L),
                arrival("c", 0, 100, 10, null, null));

        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(), arrivals);

        double one = aloneMs(100, 10);
        assertThat(result.all().deadlineMissRate()).isEqualTo(0.5);
        assertThat(result.all().maxWaitMs()).isCloseTo(2 * one, within(0.01));
        assertThat(result.all().latencyMaxMs()).isCloseTo(3 * one, within(0.01));
        assertThat(result.all().latencyMeanMs()).isCloseTo(2 * one, within(0.01));
        assertThat(result.all().ttftP50Ms()).isCloseTo(one + ONE_AT_A_TIME.prefillNanos(100) / 1e6
                + ONE_AT_A_TIME.decodeStepNanos(1) / 1e6, within(0.01));
        assertThat(result.all().queueWaitMeanMs()).isCloseTo(one, within(0.01));
        // Alone, each would have had its first token after one step.
        assertThat(result.all().ttftIdleP99Ms()).isCloseTo((ONE_AT_A_TIME.prefillNanos(100)
                + ONE_AT_A_TIME.decodeStepNanos(1)) / 1e6, within(0.01));
        assertThat(result.makespanS()).isCloseTo(3 * one / 1e3, within(0.005)); // two decimals
    }

    @Test
    void run_twoTasksSharingABatch_slotUtilizationTimeWeighted() {
        // Two 20-token tasks arriving together on one instance with 4 slots. a's step starts the
        // moment a is dispatched, so b joins the second step: step 1 runs a alone (with its
        // prefill), step 2 both (b's prefill), steps 3-20 both, step 21 b alone.
        GpuProfile fourSlots = GpuProfile.LLAMA2_7B_H100.withMaxBatch(4);
        PolicyResult result = new Simulation(1, fourSlots, MODEL).run("fifo", PolicyConfig.empty(),
                List.of(arrival("a", 0, 100, 20, null, null), arrival("b", 0, 100, 20, null, null)));

        double prefill = fourSlots.prefillNanos(100), step = fourSlots.decodeStepNanos(1); // flat: same at 2
        double busy = 2 * (prefill + step) + 19 * step;
        double sequences = (prefill + step) + 2 * (prefill + step) + 18 * 2 * step + step;
        assertThat(result.gpuUtilization()).isEqualTo(1.0);
        assertThat(result.slotUtilization()).isCloseTo(sequences / (4 * busy), within(0.0001));
    }

    @Test
    void run_noDeadlines_missRateZero() {
        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(),
                List.of(arrival("a", 0, 100, 10, null, null)));

        assertThat(result.all().deadlineMissRate()).isZero();
    }

    @Test
    void run_oneTaskOnTwoInstances_halfTheGpuTimeBusy() {
        List<Arrival> one = List.of(arrival("a", 0, 100, 50, null, null));

        assertThat(new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(), one).gpuUtilization())
                .isEqualTo(1.0);
        assertThat(new Simulation(2, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(), one).gpuUtilization())
                .isEqualTo(0.5);
    }

    @Test
    void run_fifoServesOneTenantsBacklogFirst_fairnessGapTwoFairShares() {
        // Tenant a's 30 tasks arrive just before b's 30, on one single-slot GPU: under FIFO, b gets
        // nothing while a is served for more than 30 s, both backlogged all along. The gap is
        // (service of a - 0) / (mean service of a and b) = 2.
        List<Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            arrivals.add(arrival("a" + i, 0, 100, 200, "a", null));
        }
        for (int i = 0; i < 30; i++) {
            arrivals.add(arrival("b" + i, 0, 100, 200, "b", null));
        }

        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(), arrivals);

        assertThat(result.fairnessMaxServiceGap()).isEqualTo(2.0);
        assertThat(result.byTenant()).containsOnlyKeys("a", "b");
        assertThat(result.byTenant().get("a").latencyMeanMs()).isLessThan(result.byTenant().get("b").latencyMeanMs());
    }

    @Test
    void run_tenantsTakingTurns_fairnessGapSmall() {
        // Same tasks, interleaved a, b, a, b: each window serves both alike.
        List<Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            arrivals.add(arrival("a" + i, 0, 100, 200, "a", null));
            arrivals.add(arrival("b" + i, 0, 100, 200, "b", null));
        }

        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(), arrivals);

        // A window boundary may cut one task: at most one task's service (~1.1 s of ~10 s) apart.
        assertThat(result.fairnessMaxServiceGap()).isLessThan(0.25);
    }

    @Test
    void run_noTenants_byTenantEmptyAndFairnessZero() {
        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(),
                List.of(arrival("a", 0, 100, 10, null, null), arrival("b", 0, 100, 10, null, null)));

        assertThat(result.byTenant()).isEmpty();
        assertThat(result.fairnessMaxServiceGap()).isZero();
    }

    @Test
    void run_someTasksWithoutTenant_groupedUnderNone() {
        PolicyResult result = new Simulation(1, ONE_AT_A_TIME, MODEL).run("fifo", PolicyConfig.empty(),
                List.of(arrival("a", 0, 100, 10, "tenant-10", null), arrival("b", 0, 100, 10, null, null),
                        arrival("c", 0, 100, 10, "tenant-2", null)));

        assertThat(result.byTenant().keySet()).containsExactly("(none)", "tenant-2", "tenant-10");
    }

    @Test
    void run_sameArrivalsTwice_equalResults() {
        List<Arrival> arrivals = SyntheticWorkload.chat(500, 3).generate(60, MODEL);
        Simulation simulation = Simulation.defaults();

        assertThat(simulation.run("mlfq", PolicyConfig.empty(), arrivals))
                .isEqualTo(simulation.run("mlfq", PolicyConfig.empty(), arrivals));
    }

    @Test
    void run_latencyQuantiles_monotoneFromMinToMax() {
        PolicyResult result = Simulation.defaults().run("fifo", PolicyConfig.empty(),
                SyntheticWorkload.chat(400, 1).generate(60, MODEL));

        List<Double> q = result.latencyQuantilesMs();
        assertThat(q).hasSize(RunFigures.CDF_STEPS + 1).isSorted();
        assertThat(q.getLast()).isCloseTo(result.all().latencyMaxMs(), within(0.01));
    }

    @Test
    void compare_inParallel_sameResultsInPolicyOrder() throws Exception {
        List<Arrival> arrivals = SyntheticWorkload.chat(600, 5).generate(62, MODEL);
        List<String> policies = List.of("fifo", "mlfq", "priority", "srpt-oracle");
        Simulation simulation = Simulation.defaults();

        List<PolicyResult> sequential = simulation.compare(policies, Map.of(), arrivals, () -> 0L);
        List<PolicyResult> parallel;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(3)) {
            parallel = simulation.compare(policies, Map.of(), arrivals, () -> 0L, pool);
        }

        assertThat(parallel).isEqualTo(sequential);
        assertThat(parallel).extracting(PolicyResult::oracleRatio).element(3).isEqualTo(1.0);
    }

    @Test
    void compare_withoutOracle_ratiosNull() {
        List<PolicyResult> results = Simulation.defaults().compare(List.of("fifo", "priority"), Map.of(),
                SyntheticWorkload.chat(200, 1).generate(40, MODEL), () -> 0L);

        assertThat(results).extracting(PolicyResult::policy).containsExactly("fifo", "priority");
        assertThat(results).allSatisfy(r -> assertThat(r.oracleRatio()).isNull());
    }

    @Test
    void run_perClassObjectives_eachTaskCountedOnceAndTheMissedObjectiveNamed() {
        // One slot, three 10-token tasks arriving together: c waits for a and b, so only its TTFT
        // misses 1.5 × a task's time alone; every token comes one decode step after the last.
        double one = aloneMs(100, 10);
        String ttftLimit = String.format(java.util.Locale.ROOT, "%.3f", 1.5 * one);
        List<Arrival> arrivals = List.of(arrival("a", 0, 100, 10, null, null), arrival("b", 0, 100, 10, null, null),
                arrival("c", 0, 100, 10, null, null));

        PolicyResult lenient = new Simulation(1, ONE_AT_A_TIME, MODEL, ServiceObjectives.parse("5=" + ttftLimit + ":1000"))
                .run("fifo", PolicyConfig.empty(), arrivals);
        double step = ONE_AT_A_TIME.decodeStepNanos(1) / 1e6;
        PolicyResult strictTpot = new Simulation(1, ONE_AT_A_TIME, MODEL,
                ServiceObjectives.parse("5=" + ttftLimit + ":" + String.format(java.util.Locale.ROOT, "%.4f", step / 2)))
                .run("fifo", PolicyConfig.empty(), arrivals);

        PolicyResult.Figures p5 = lenient.byPriority().get("5");
        assertThat(p5.tasks()).isEqualTo(3);
        assertThat(p5.sloMetShare()).isEqualTo(0.6667);
        assertThat(p5.ttftSloMissShare()).isEqualTo(0.3333);
        assertThat(p5.tpotSloMissShare()).isZero();
        assertThat(lenient.lab().goodputShare()).isEqualTo(p5.sloMetShare()); // the same test as goodput's
        PolicyResult.Figures tight = strictTpot.byPriority().get("5");
        assertThat(tight.sloMetShare()).isZero();
        assertThat(tight.ttftSloMissShare()).isEqualTo(0.3333);
        assertThat(tight.tpotSloMissShare()).isEqualTo(1.0);
    }
}
