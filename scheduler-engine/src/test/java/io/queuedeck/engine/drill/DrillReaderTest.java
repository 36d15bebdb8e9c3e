package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queuedeck.engine.config.ConfigException;
import io.queuedeck.engine.config.DrillReader;
import org.junit.jupiter.api.Test;

/** A bad drill file: every problem at once, each with its key path and line. */
class DrillReaderTest {

    @Test
    void badFile_everyProblemWithPathAndLine() {
        String text = """
                name: bad
                description: d
                target:
                  gpus: 0
                  policy: nope
                probes:
                  - {name: p, metric: latency, max: 1}
                  - {name: q, metric: tasks_lost, mode: sometimes}
                steps:
                  - inject: {kind: crsh, target: "instance:0"}
                  - inject: {kind: slow, target: "tenant:a"}
                  - wait: soon
                  - {wait: 1s, clear: all}
                colour: red
                """;

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DrillReader.read("bad.yaml", text));

        assertThat(e.problems()).containsExactly(
                "bad.yaml: target.gpus must be between 1 and 64, got 0 (line 4)",
                "bad.yaml: target.policy unknown policy 'nope'; known: " + io.queuedeck.engine.policy.PolicyRegistry.names() + " (line 5)",
                "bad.yaml: probes[0].metric unknown metric 'latency'; known: " + java.util.Arrays.stream(Drill.Metric.values())
                        .map(Drill.Metric::wireName).toList() + " (line 7)",
                "bad.yaml: probes[1] needs max or min: the bound the measurement must keep (line 8)",
                "bad.yaml: probes[1].mode must be one of before, during, after, continuous, got 'sometimes' (line 8)",
                "bad.yaml: steps[0].inject.kind unknown fault 'crsh'; known: " + java.util.Arrays.stream(
                        io.queuedeck.engine.fault.FaultKind.values()).map(io.queuedeck.engine.fault.FaultKind::wireName).toList() + " (line 10)",
                "bad.yaml: steps[1].inject.target slow hits [instance, backend, node], not tenant:a (line 11)",
                "bad.yaml: steps[2].wait must be a duration such as 500ms, 2s, 1m or 1h, got 'soon' (line 12)",
                "bad.yaml: steps[3] must hold exactly one of inject, wait, clear, load, submit or parallel (line 13)",
                "bad.yaml: colour is not a known setting (known here: name, description, hypothesis, target, steady_state, "
                        + "recovery_window, observe, probes, stop_conditions, steps) (line 14)",
                "bad.yaml: hypothesis is required"); // a missing key has no line: it comes last
    }

    /** A year of simulated time ran for minutes and then out of heap; a clear of no fault, and no step at all, were taken. */
    @Test
    void aDurationPastADay_aClearOfNothing_orNoSteps_isRefused() {
        String head = "name: d\ndescription: d\nhypothesis: h\nprobes:\n  - {name: p, metric: tasks_lost, max: 0}\n";

        assertThat(catchThrowableOfType(ConfigException.class, () -> DrillReader.read("y.yaml", head
                + "steps:\n  - wait: 8760h\n  - inject: {kind: hang, duration: 25h}\n")).problems()).containsExactly(
                "y.yaml: steps[0].wait must be at most 1h, got '8760h' (line 7)",
                "y.yaml: steps[1].inject.duration must be at most 1h, got '25h' (line 8)");
        // each within its bound, together past the timeline's: a day of waits ran a 512 MB heap out
        assertThat(catchThrowableOfType(ConfigException.class, () -> DrillReader.read("t.yaml", head
                + "steps:\n  - wait: 1h\n  - wait: 1h\n")).problems()).singleElement()
                .satisfies(p -> assertThat(p).startsWith("t.yaml: steps take the drill past 2h: ").contains("124 min"));
        assertThat(catchThrowableOfType(ConfigException.class, () -> DrillReader.read("c.yaml", head
                + "steps:\n  - inject: {kind: hang, name: h1}\n  - clear: h2\n")).problems()).singleElement()
                .satisfies(p -> assertThat(p).contains("clear: 'h2' names no inject step").contains("(named: [h1])"));
        assertThat(catchThrowableOfType(ConfigException.class, () -> DrillReader.read("n.yaml", head)).problems())
                .singleElement().satisfies(p -> assertThat(p).startsWith("n.yaml: steps must list at least one step"));
        assertThat(DrillReader.read("ok.yaml", head + "steps:\n  - inject: {kind: hang, name: h1}\n  - parallel:\n"
                + "      - steps: [{wait: 1s}, {clear: h1}]\n  - clear: all\n").steps()).hasSize(3);
    }

    // read exactly, as every other enum value (decision 0141): "CORE" once matched core and was written back as CORE
    @Test
    void aProbesTierInAnotherCase_isRefused_namingTheSpellingMeant() {
        String text = """
                name: cased
                description: d
                hypothesis: h
                probes:
                  - {name: fast, metric: queue_wait_p99_ms, tier: CORE, max: 100}
                steps: [{wait: 1s}]
                """;

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DrillReader.read("cased.yaml", text));

        assertThat(e.problems()).containsExactly("cased.yaml: probes[0].tier must be a tier of the target: core, normal, batch,"
                + " got 'CORE' (written in lower case: 'core') (line 5)");
        assertThat(DrillReader.read("cased.yaml", text.replace("CORE", "core")).probes())
                .extracting(Drill.Probe::tier).containsExactly("core");
    }

    // "During", "QUEUE_DEPTH", "Ceiling" and "REDIS" were read as their lower-case names: one rule for every enum value
    @Test
    void aDrillsOtherEnumValuesInAnotherCase_areRefused_namingTheSpellingMeant() {
        String text = """
                name: cased
                description: d
                hypothesis: h
                target: {inversion: Ceiling, store: REDIS}
                probes:
                  - {name: deep, metric: QUEUE_DEPTH, mode: During, max: 100}
                steps: [{wait: 1s}]
                """;

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DrillReader.read("cased.yaml", text));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "cased.yaml: target.inversion must be one of none, inheritance, ceiling, got 'Ceiling'"
                        + " (written in lower case: 'ceiling') (line 4)",
                "cased.yaml: target.store must be one of none, embedded, redis, got 'REDIS' (written in lower case: 'redis') (line 4)",
                "cased.yaml: probes[0].metric unknown metric 'QUEUE_DEPTH'; known: " + java.util.Arrays.stream(Drill.Metric.values())
                        .map(Drill.Metric::wireName).toList() + " (written in lower case: 'queue_depth') (line 6)",
                "cased.yaml: probes[0].mode must be one of before, during, after, continuous, got 'During'"
                        + " (written in lower case: 'during') (line 6)");
        Drill drill = DrillReader.read("cased.yaml", text.replace("Ceiling", "ceiling").replace("REDIS", "none")
                .replace("QUEUE_DEPTH", "queue_depth").replace("During", "during"));
        assertThat(drill.probes()).extracting(Drill.Probe::metric, Drill.Probe::mode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Drill.Metric.QUEUE_DEPTH, Drill.Mode.DURING));
    }

    @Test
    void targetWithATierTable_probesNameItsTiers_andAnotherNameIsRefused() {
        String text = """
                name: four
                description: d
                hypothesis: h
                target:
                  tiers:
                    urgent: {priorities: 0, max_concurrency: 4}
                    core: {priorities: 1-2}
                    normal: {priorities: 3-6}
                    bulk: {priorities: 7-9}
                probes:
                  - {name: fast, metric: queue_wait_p99_ms, tier: urgent, max: 100}
                  - {name: slow, metric: queue_wait_p99_ms, tier: batch, max: 100}
                steps: [{wait: 1s}]
                """;

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> DrillReader.read("four.yaml", text));

        assertThat(e.problems()).containsExactly(
                "four.yaml: probes[1].tier must be a tier of the target: urgent, core, normal, bulk, got 'batch' (line 12)");
        Drill drill = DrillReader.read("four.yaml", text.replace("tier: batch", "tier: bulk"));
        assertThat(drill.target().tiers().names()).isEqualTo("urgent, core, normal, bulk");
        assertThat(drill.target().tiers().of(0).name()).isEqualTo("urgent");
        assertThat(drill.target().flow().of(drill.target().tiers().of(0)).maxConcurrency()).isEqualTo(4);
        assertThat(drill.probes()).extracting(Drill.Probe::tier).containsExactly("urgent", "bulk");
    }

    @Test
    void shippedDrill_readsBack() {
        Drill drill = DrillReader.read("x.yaml", """
                name: x
                description: d
                hypothesis: h
                probes: [{name: lost, metric: tasks_lost, max: 0}]
                steps:
                  - parallel:
                      - steps: [{inject: {kind: hang, target: "instance:1", duration: 1m}}]
                      - steps: [{wait: 10s}, {load: 1.5}]
                """);

        assertThat(drill.steps()).singleElement().isInstanceOf(Drill.Step.Parallel.class);
        assertThat(drill.target().watchdog()).hasSeconds(10);
    }
}
