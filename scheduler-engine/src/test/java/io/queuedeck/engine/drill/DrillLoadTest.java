package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.sim.SyntheticWorkload;
import org.junit.jupiter.api.Test;

/**
 * A drill's load means what its target says: with no fault, a cluster at 60% of its capacity
 * completes about 60% of that capacity and keeps its queue short (the workload's tasks run their
 * true length, not the client's max_tokens cap).
 */
class DrillLoadTest {
    private static final String QUIET = """
            name: quiet
            description: nothing happens
            hypothesis: the cluster keeps up with 60% of its capacity
            target: {gpus: 2, load: 0.6, seed: 5}
            steady_state: 1m
            recovery_window: 30s
            observe: 1m
            probes:
              - {name: short queue, metric: queue_depth, max: 100000, mode: continuous}
            steps:
              - wait: 1m
            """;

    @Test
    void quietDrill_atSixtyPercentLoad_keepsUpWithItsArrivals() {
        DrillResult result = new DrillRunner(DrillReader.read("quiet.yaml", QUIET)).run();

        double capacity = SyntheticWorkload.chat(1, 5).capacityTasksPerSecond(GpuProfile.LLAMA2_7B_H100.withMaxBatch(32), 2);
        double seconds = result.phases().end();
        double expected = 0.6 * capacity * seconds;
        assertThat((double) result.accounting().completed()).isBetween(0.85 * expected, 1.15 * expected);
        assertThat(result.samples().stream().mapToInt(DrillResult.Sample::queued).max().orElseThrow()).isLessThan(50);
        assertThat(result.accounting().lost()).isZero();
    }
}
