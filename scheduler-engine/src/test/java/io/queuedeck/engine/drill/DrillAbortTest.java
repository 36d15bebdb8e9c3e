package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.config.DrillReader;
import org.junit.jupiter.api.Test;

/** A stop condition and the kill switch each abort a drill and clear its faults at once. */
class DrillAbortTest {
    private static final String DRILL = """
            name: abort-me
            description: every GPU crawls for five minutes
            hypothesis: the queue stays short
            target: {gpus: 2, load: 0.8, seed: 3}
            steady_state: 30s
            recovery_window: 30s
            observe: 30s
            probes:
              - {name: short queue, metric: queue_depth, max: 100000, mode: continuous}
            stop_conditions:
              - {metric: queue_depth, above: 200, window: 10s}
            steps:
              - inject: {kind: slow, target: node, parameters: {factor: 20}, duration: 5m}
            """;

    @Test
    void stopCondition_broken_abortsAndClearsTheFaults() {
        DrillResult result = new DrillRunner(DrillReader.read("abort.yaml", DRILL)).run();

        assertThat(result.holds()).isFalse();
        assertThat(result.abortReason()).startsWith("stop condition: queue_depth = ").contains("above 200.0");
        assertThat(result.score()).isLessThanOrEqualTo(50);
        assertThat(result.log()).anySatisfy(line -> assertThat(line.observed()).contains("1 faults cleared"));
        // aborted long before the five minutes were up: the fault's end marker comes with the abort
        DrillResult.Marker abort = result.markers().stream().filter(m -> m.label().startsWith("ABORT")).findFirst().orElseThrow();
        assertThat(abort.second()).isLessThan(30 + 300);
        assertThat(result.markers()).anySatisfy(m -> {
            assertThat(m.label()).startsWith("end slow");
            assertThat(m.second()).isEqualTo(abort.second());
        });
        assertThat(result.accounting().lost()).isZero();
    }

    @Test
    void killSwitch_pulled_abortsAndClearsTheFaults() {
        String noStop = DRILL.replace("above: 200", "above: 1000000");
        DrillResult result = new DrillRunner(DrillReader.read("abort.yaml", noStop), nanos -> {}, control -> {
            if (control.second() >= 40) {
                control.abort("operator pulled the kill switch");
            }
        }).run();

        assertThat(result.holds()).isFalse();
        assertThat(result.abortReason()).isEqualTo("operator pulled the kill switch");
        assertThat(result.log()).anySatisfy(line -> assertThat(line.observed()).contains("1 faults cleared, injection disarmed"));
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.accounting().completedTwice()).isZero();
    }

    /**
     * A window in which nothing of its class was measured (here: no task of priority 0 in the load)
     * says nothing about the hypothesis: its probe does not pass, and the report says why.
     */
    @Test
    void aProbeWithNothingToMeasure_isNotAPass_andTheFindingSaysSo() {
        String withAfterProbe = DRILL.replace("above: 200", "above: 1000000").replace(
                "  - {name: short queue, metric: queue_depth, max: 100000, mode: continuous}",
                "  - {name: short queue, metric: queue_depth, max: 100000, mode: continuous}\n"
                        + "  - {name: wait after, metric: queue_wait_p99_ms, priority: 0, max: 600000, mode: after}");
        DrillResult result = new DrillRunner(DrillReader.read("abort.yaml", withAfterProbe), nanos -> {}, control -> {
            if (control.second() >= 40) {
                control.abort("operator pulled the kill switch");
            }
        }).run();

        DrillResult.ProbeResult after = result.probes().stream().filter(p -> p.probe().name().equals("wait after")).findFirst().orElseThrow();
        assertThat(after.samples()).isZero();
        assertThat(after.passed()).isFalse();
        assertThat(after.outcome()).as("what the report and the CLI write: not a failure seen").isEqualTo("not judged");
        assertThat(result.findings()).anySatisfy(f -> assertThat(f).contains("'wait after'").contains("nothing to measure"));
        DrillResult.ProbeResult depth = result.probes().stream().filter(p -> p.probe().name().equals("short queue")).findFirst().orElseThrow();
        assertThat(depth.samples()).isPositive(); // its seconds were seen: judged as before
        assertThat(depth.passed()).isTrue();
        assertThat(depth.outcome()).isEqualTo("pass");
    }
}
