package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.config.ShippedDrills;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every shipped drill holds on the virtual clock, and a deliberately broken variant of each (the
 * protection it tests taken away, or the fault made one the system cannot absorb) does not: the
 * probes can fail.
 */
class ShippedDrillsTest {

    /** Each drill, and the edits of its text that break it (pairs split by ';'). */
    static Stream<Arguments> drills() {
        return Stream.of(
                Arguments.of("gpu-crash-under-load", "max_attempts: 3", "max_attempts: 1"), // retries off
                Arguments.of("hung-gpu", "watchdog: 10s", "watchdog: off"),
                Arguments.of("slow-gpu", "policy: priority;target: \"instance:1\"", "policy: fifo;target: node"), // every GPU slow, no priority
                Arguments.of("kv-exhaustion", "fraction: 0.3", "fraction: 0.02"),
                // one attempt: every callback due while the receiver is down is dead-lettered, never delivered
                Arguments.of("callback-outage", "max_attempts: 12", "max_attempts: 1"),
                Arguments.of("burst-3x", "policy: priority;factor: 3", "policy: fifo;factor: 6"),
                Arguments.of("poison-storm", "max_attempts: 3", "max_attempts: 100"), // dead-lettering never comes
                Arguments.of("priority-inversion", "inversion: inheritance", "inversion: none"),
                // without a store to fail, nothing is refused: the drill cannot show its hypothesis
                Arguments.of("store-full", "store: embedded", "store: none"),
                // a real redis-server behind the TCP fault proxy; in memory there is no Redis to lose: nothing refused
                Arguments.of("redis-outage", "store: redis", "store: none"),
                // first come, first served: the flood's backlog is in front of everyone's urgent work
                Arguments.of("tenant-flood", "policy: fair", "policy: fifo"),
                // first come, first served: the backlog of the flapping GPU's down phases is in front of urgent work
                Arguments.of("gpu-flap", "policy: priority", "policy: fifo"),
                Arguments.of("oom-large-prompts", "max_attempts: 5", "max_attempts: 1"), // retries off: OOM failures dead-letter
                // every class evicts (decision 0076's guard off): normal evicts batch, which recomputes, and the backlog outlasts the storm
                Arguments.of("preemption-storm", "{preemptive: \"true\"}", "{preemptive: \"true\", preempt_through: \"9\"}"),
                // the same guard in mlfq (decision 0082b), off: bulk tasks evict each other at every demotion
                Arguments.of("preemption-storm-mlfq", "{preempt: \"true\"}", "{preempt: \"true\", preempt_through: \"9\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drills")
    void shippedDrill_onTheVirtualClock_holds(String name, String intact, String broken) throws IOException {
        DrillResult result = new DrillRunner(DrillReader.read(name + ".yaml", text(name))).run();

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " measured " + p.measured()).isTrue());
        assertThat(result.holds()).isTrue();
        assertThat(result.score()).isEqualTo(100.0);
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.accounting().completedTwice()).isZero();
        assertThat(result.accounting().completed() + result.accounting().deadLettered() + result.accounting().timedOut()
                + result.accounting().cancelled()).isEqualTo(result.accounting().accepted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drills")
    void brokenVariant_onTheVirtualClock_doesNotHold(String name, String intact, String broken) throws IOException {
        String text = text(name);
        String[] from = intact.split(";"), to = broken.split(";");
        for (int i = 0; i < from.length; i++) {
            assertThat(text).contains(from[i]);
            text = text.replace(from[i], to[i]);
        }

        DrillResult result = new DrillRunner(DrillReader.read(name + ".yaml", text)).run();

        assertThat(result.holds()).isFalse();
        assertThat(result.score()).isLessThan(100.0);
    }

    @org.junit.jupiter.api.Test
    void shippedDrills_names_areExactlyTheFilesAndEachIsTested() throws IOException {
        try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("../resources/drills"))) {
            assertThat(ShippedDrills.names()).containsExactlyInAnyOrderElementsOf(
                    files.map(f -> f.getFileName().toString().replace(".yaml", "")).toList());
        }
        // the drill of real backends runs on the real clock, in BackendDrillTest
        List<String> tested = Stream.concat(drills().map(a -> (String) a.get()[0]), Stream.of(BackendDrillTest.NAME)).toList();
        assertThat(tested).containsExactlyElementsOf(ShippedDrills.names());
    }

    static String text(String name) throws IOException {
        try (InputStream in = ShippedDrillsTest.class.getResourceAsStream("/queuedeck/drills/" + name + ".yaml")) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
