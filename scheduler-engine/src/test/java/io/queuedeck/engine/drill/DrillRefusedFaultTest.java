package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.report.DrillReport;
import org.junit.jupiter.api.Test;

/**
 * A step whose fault is refused leaves the hypothesis untested: the run is not said to hold, however
 * well its probes did. A burst the console could not inject once passed with a score of 100.
 */
class DrillRefusedFaultTest {
    private static final String DRILL = """
            name: refused-fault
            description: a GPU that does not exist crashes
            hypothesis: nothing is lost
            target: {gpus: 2, load: 0.3, seed: 4}
            steady_state: 10s
            recovery_window: 10s
            observe: 10s
            probes:
              - {name: nothing lost, metric: tasks_lost, max: 0}
            steps:
              - inject: {kind: crash, target: "instance:7", duration: 5s}
            """;

    @Test
    void refusedFault_isNotShownToHold_saysWhich_andScoresAtMostHalf() {
        DrillResult result = new DrillRunner(DrillReader.read("refused.yaml", DRILL)).run();

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as("the probe itself passed").isTrue());
        assertThat(result.holds()).isFalse();
        assertThat(result.abortReason()).isNull();
        assertThat(result.verdict()).isEqualTo("the hypothesis was not shown to hold");
        assertThat(result.notInjected()).singleElement().asString()
                .isEqualTo("crash on instance:7 for 5 s: target: instance:7 matches no instance; instances are 0..1 serving [llama-2-7b]");
        assertThat(result.untested()).startsWith("a fault was not injected: crash on instance:7");
        assertThat(result.score()).isEqualTo(50.0);
        assertThat(result.findings()).anySatisfy(f -> assertThat(f).startsWith("A fault was not injected"));
        assertThat(DrillReport.markdown(result)).contains("the hypothesis was not shown to hold")
                .contains("a fault was not injected: crash on instance:7");
    }

    @Test
    void everyFaultInjected_isJudgedByItsProbesAlone() {
        DrillResult result = new DrillRunner(DrillReader.read("injected.yaml", DRILL.replace("instance:7", "instance:1"))).run();

        assertThat(result.notInjected()).isEmpty();
        assertThat(result.untested()).isNull();
        assertThat(result.holds()).isTrue();
        assertThat(result.score()).isEqualTo(100.0);
    }
}
