package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.Simulation;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepTest {

    @Test
    void parse_seedsLoadsAndShapes_andRefusesAMalformedGrid() {
        Sweep sweep = Sweep.parse("1,2,3;0.9,1.05;4x1024,2x256");
        assertThat(sweep.seeds()).containsExactly(1L, 2L, 3L);
        assertThat(sweep.loads()).containsExactly(0.9, 1.05);
        assertThat(sweep.shapes()).hasSize(2);
        assertThat(sweep.shapes().get(1)).containsExactly(2, 256);
        assertThatThrownBy(() -> Sweep.parse("1,2;0.9")).hasMessageContaining("SEEDS;LOADS;SHAPES");
        assertThatThrownBy(() -> Sweep.parse("1;0.9;4by8")).hasMessageContaining("INSTANCESxMAX_SEQS");
        assertThatThrownBy(() -> Sweep.parse("1;12;4x8")).hasMessageContaining("not in (0, 10]");
    }

    /**
     * Why: three seeds whose mean latencies are 100, 200 and 300 ms have mean 200, sd 100 and a
     * 95% half-width of t(2) × 100 / √3 = 4.303 × 57.74 = 248 ms (the runs' latencies are within 0.5 ms of those).
     */
    @Test
    void summary_meanAndStudentTHalfWidthOverSeeds() {
        List<Sweep.Run> runs = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            runs.add(new Sweep.Run(0.9, "1x1", seed, List.of(oneTask(100.0 * seed))));
        }
        String summary = Sweep.summary(runs, List.of("fifo"));
        assertThat(summary).contains("0.90  1x1       fifo             3").containsPattern("200 ± 24[7-9]");
    }

    /** A real one-task run whose latency is close to {@code millis}: a prompt sized to take that long. */
    private static PolicyResult oneTask(double millis) {
        GpuProfile one = GpuProfile.LLAMA2_7B_H100.withMaxBatch(1);
        int prompt = (int) Math.round((millis - one.decodeStepNanos(1) / 1e6) / 1e3 * one.prefillTokensPerSec());
        double exact = (one.prefillNanos(prompt) + one.decodeStepNanos(1)) / 1e6;
        assertThat(exact).isBetween(millis - 0.5, millis + 0.5);
        TaskSpec spec = new TaskSpec("t1", "m", "x", 5, null, null, null, null, null, prompt, null);
        return new Simulation(1, one, "m").run("fifo", PolicyConfig.empty(), List.of(new Arrival(0, spec, 1)));
    }
}
