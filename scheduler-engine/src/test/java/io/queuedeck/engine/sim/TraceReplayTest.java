package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.clock.VirtualClock;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TraceReplayTest {
    private static final String MODEL = "llama-2-7b";

    /** Arrivals at 0, 1, 2, … 9 s; prompts 100, 600, 3000 in turn; output 50 each. */
    private static Trace tenSeconds() {
        StringBuilder csv = new StringBuilder("arrival_ms,prompt_tokens,output_tokens\n");
        int[] prompts = {100, 600, 3000};
        for (int i = 0; i < 10; i++) {
            csv.append(i * 1000).append(',').append(prompts[i % 3]).append(",50\n");
        }
        return Trace.read("ten.csv", new StringReader(csv.toString()));
    }

    private static TraceReplay replay(double scale, double start, double end, String priorities, int tenants, long seed) {
        return new TraceReplay(scale, start, end, priorities, tenants, seed);
    }

    @Test
    void arrivals_defaults_oneTaskPerRowAtTraceTimesWithDefaultPriority() {
        List<Arrival> arrivals = TraceReplay.defaults().arrivals(tenSeconds(), MODEL);

        assertThat(arrivals).hasSize(10);
        assertThat(arrivals).extracting(Arrival::atNanos).startsWith(0L, 1_000_000_000L, 2_000_000_000L);
        assertThat(arrivals).extracting(a -> a.spec().taskId()).startsWith("r000001", "r000002");
        assertThat(arrivals).allSatisfy(a -> {
            assertThat(a.spec().priority()).isEqualTo(5);
            assertThat(a.spec().tenant()).isNull();
            assertThat(a.spec().model()).isEqualTo(MODEL);
        });
    }

    @Test
    void arrivals_anyReplay_maxTokensUnsetAndTrueLengthBesideTheSpec() {
        // Policies see the spec; the traced length must not leak into it.
        List<Arrival> arrivals = TraceReplay.defaults().arrivals(tenSeconds(), MODEL);

        assertThat(arrivals).allSatisfy(a -> {
            assertThat(a.spec().maxTokens()).isNull();
            assertThat(a.outputTokens()).isEqualTo(50);
        });
        assertThat(arrivals.get(2).spec().promptTokens()).isEqualTo(3000);
    }

    @Test
    void arrivals_window_onlyRowsInsideAndTimesFromWindowStart() {
        List<Arrival> arrivals = replay(1.0, 3, 6, "keep", 0, 1).arrivals(tenSeconds(), MODEL);

        // Rows at 3, 4, 5 and 6 s (both ends inclusive), the first at time 0.
        assertThat(arrivals).extracting(Arrival::atNanos)
                .containsExactly(0L, 1_000_000_000L, 2_000_000_000L, 3_000_000_000L);
        assertThat(arrivals.getFirst().spec().promptTokens()).isEqualTo(100); // the row at 3 s
    }

    @Test
    void arrivals_timeScaleHalf_interArrivalsHalved() {
        List<Arrival> arrivals = replay(0.5, 0, Double.POSITIVE_INFINITY, "keep", 0, 1).arrivals(tenSeconds(), MODEL);

        assertThat(arrivals).extracting(Arrival::atNanos).startsWith(0L, 500_000_000L, 1_000_000_000L);
        assertThat(arrivals.getLast().atNanos()).isEqualTo(4_500_000_000L);
    }

    @Test
    void arrivals_windowAndScale_scaleAppliesAfterTheWindowShift() {
        List<Arrival> arrivals = replay(2.0, 8, 100, "keep", 0, 1).arrivals(tenSeconds(), MODEL);

        assertThat(arrivals).extracting(Arrival::atNanos).containsExactly(0L, 2_000_000_000L);
    }

    @Test
    void arrivals_promptRule_shortPromptsMoreUrgent() {
        List<Arrival> arrivals = replay(1, 0, Double.POSITIVE_INFINITY, "prompt", 0, 1).arrivals(tenSeconds(), MODEL);

        // Up to 512 tokens: 1; up to 2,048: 3; longer: 5.
        assertThat(arrivals).extracting(a -> a.spec().priority()).startsWith(1, 3, 5, 1, 3, 5);
    }

    @Test
    void arrivals_mixRule_sharesNearTheirWeightsAndSeedDecides() {
        Trace big = bigTrace(20_000);
        TraceReplay mix = replay(1, 0, Double.POSITIVE_INFINITY, "mix:1=0.1,3=0.3,5=0.6", 0, 42);

        Map<Integer, Long> counts = mix.arrivals(big, MODEL).stream()
                .collect(Collectors.groupingBy(a -> a.spec().priority(), Collectors.counting()));

        assertThat(counts.keySet()).containsExactlyInAnyOrder(1, 3, 5);
        assertThat(counts.get(1) / 20_000.0).isCloseTo(0.1, within(0.01));
        assertThat(counts.get(3) / 20_000.0).isCloseTo(0.3, within(0.015));
        assertThat(counts.get(5) / 20_000.0).isCloseTo(0.6, within(0.015));
        assertThat(priorities(mix, big)).isEqualTo(priorities(mix, big));
        assertThat(priorities(replay(1, 0, Double.POSITIVE_INFINITY, "mix:1=0.1,3=0.3,5=0.6", 0, 43), big))
                .isNotEqualTo(priorities(mix, big));
    }

    @Test
    void arrivals_rowsWithOwnPriorityAndTenant_keptWhateverTheRule() {
        Trace trace = Trace.read("own.csv", new StringReader(
                "arrival_ms,prompt_tokens,output_tokens,priority,tenant\n0,5000,5,0,acme\n10,5000,5,,\n"));

        List<Arrival> arrivals = replay(1, 0, Double.POSITIVE_INFINITY, "prompt", 3, 1).arrivals(trace, MODEL);

        assertThat(arrivals.get(0).spec().priority()).isZero();
        assertThat(arrivals.get(0).spec().tenant()).isEqualTo("acme");
        assertThat(arrivals.get(1).spec().priority()).isEqualTo(5);
        assertThat(arrivals.get(1).spec().tenant()).matches("tenant-[1-3]");
    }

    @Test
    void arrivals_tenants_everyTenantUsedAndNoOther() {
        List<Arrival> arrivals = replay(1, 0, Double.POSITIVE_INFINITY, "keep", 3, 7).arrivals(bigTrace(300), MODEL);

        assertThat(arrivals).extracting(a -> a.spec().tenant()).containsOnly("tenant-1", "tenant-2", "tenant-3");
    }

    @Test
    void arrivals_deadline_placedOnTheVirtualClockScaledLikeArrivals() {
        Trace trace = Trace.read("d.csv", new StringReader(
                "arrival_ms,prompt_tokens,output_tokens,deadline_ms\n1000,5,5,3000\n2000,5,5,\n"));

        List<Arrival> arrivals = replay(0.5, 0, Double.POSITIVE_INFINITY, "keep", 0, 1).arrivals(trace, MODEL);

        // Shifted to the first arrival (deadline 2,000 ms after it), then halved: 1 s of simulated time.
        assertThat(arrivals.get(0).spec().deadline()).isEqualTo(VirtualClock.DEFAULT_ORIGIN.plus(Duration.ofSeconds(1)));
        assertThat(arrivals.get(1).spec().deadline()).isNull();
    }

    @Test
    void arrivals_deadlineRule_perPriorityInSimulatedTimeUnscaled() {
        // prompt rule: priorities 1, 3, 5, 1, ...; deadlines for 1 and 3 only.
        TraceReplay replay = new TraceReplay(0.5, 0, Double.POSITIVE_INFINITY, "prompt", 0, 1, "1=2,3=30.5");

        List<Arrival> arrivals = replay.arrivals(tenSeconds(), MODEL);

        // Row 2 arrives at 1 s of trace time, 0.5 s simulated; its deadline is 30.5 s after that.
        assertThat(arrivals.get(0).spec().deadline()).isEqualTo(VirtualClock.DEFAULT_ORIGIN.plusSeconds(2));
        assertThat(arrivals.get(1).spec().deadline()).isEqualTo(VirtualClock.DEFAULT_ORIGIN.plusMillis(31_000));
        assertThat(arrivals.get(2).spec().deadline()).isNull();
    }

    @Test
    void arrivals_deadlineRuleAndRowDeadline_rowWins() {
        Trace trace = Trace.read("d.csv", new StringReader(
                "arrival_ms,prompt_tokens,output_tokens,deadline_ms\n0,5,5,700\n100,5,5,\n"));

        List<Arrival> arrivals = new TraceReplay(1, 0, Double.POSITIVE_INFINITY, "keep", 0, 1, "5=1")
                .arrivals(trace, MODEL);

        assertThat(arrivals.get(0).spec().deadline()).isEqualTo(VirtualClock.DEFAULT_ORIGIN.plusMillis(700));
        assertThat(arrivals.get(1).spec().deadline()).isEqualTo(VirtualClock.DEFAULT_ORIGIN.plusMillis(1_100));
    }

    @Test
    void timeScaleForLoad_thenOfferedLoad_roundTrips() {
        Trace trace = Trace.load("azure-conv-2023.csv");
        TraceReplay replay = TraceReplay.defaults();
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100;

        double scale = replay.timeScaleForLoad(trace, 0.9, profile, 4);

        assertThat(replay.withTimeScale(scale).offeredLoad(trace, profile, 4)).isCloseTo(0.9, within(1e-9));
        // The slice runs at about 5.5 req/s; four H100s take about 50 of its requests a second.
        assertThat(scale).isBetween(0.05, 0.2);
        assertThat(replay.withTimeScale(scale / 2).offeredLoad(trace, profile, 4)).isCloseTo(1.8, within(1e-9));
    }

    @Test
    void timeScaleForLoad_usesOnlyTheWindow() {
        Trace trace = tenSeconds();
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100;
        TraceReplay whole = TraceReplay.defaults();
        TraceReplay firstThree = replay(1, 0, 2, "keep", 0, 1);

        double capacityEvery3 = profile.capacityTasksPerSecond((100 + 600 + 3000) / 3.0, 50, 1);

        // Both run at 1 request/s with the same mean lengths (rows 0-2 hold one of each prompt length).
        assertThat(firstThree.timeScaleForLoad(trace, 0.5, profile, 1)).isCloseTo(1 / (0.5 * capacityEvery3), within(1e-9));
        assertThat(whole.timeScaleForLoad(trace, 0.5, profile, 1)).isNotEqualTo(firstThree.timeScaleForLoad(trace, 0.5, profile, 1));
    }

    @Test
    void constructor_badRules_refusedWithTheOptionName() {
        assertThatThrownBy(() -> replay(0, 0, 1, "keep", 0, 1)).hasMessageContaining("--time-scale");
        assertThatThrownBy(() -> replay(1, 5, 5, "keep", 0, 1)).hasMessageContaining("--window");
        assertThatThrownBy(() -> replay(1, 0, 1, "random", 0, 1)).hasMessageContaining("--priorities");
        assertThatThrownBy(() -> replay(1, 0, 1, "mix:1=0.5,12=0.5", 0, 1)).hasMessageContaining("'12=0.5'");
        assertThatThrownBy(() -> replay(1, 0, 1, "keep", -1, 1)).hasMessageContaining("--tenants");
        assertThatThrownBy(() -> new TraceReplay(1, 0, 1, "keep", 0, 1, "1=0")).hasMessageContaining("--deadlines")
                .hasMessageContaining("'1=0'");
        assertThatThrownBy(() -> new TraceReplay(1, 0, 1, "keep", 0, 1, "soon")).hasMessageContaining("--deadlines");
    }

    private static List<Integer> priorities(TraceReplay replay, Trace trace) {
        return replay.arrivals(trace, MODEL).stream().map(a -> a.spec().priority()).toList();
    }

    private static Trace bigTrace(int rows) {
        StringBuilder csv = new StringBuilder("arrival_ms,prompt_tokens,output_tokens\n");
        for (int i = 0; i < rows; i++) {
            csv.append(i).append(",100,10\n");
        }
        return Trace.read("big.csv", new StringReader(csv.toString()));
    }
}
