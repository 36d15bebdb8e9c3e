package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} on a tier table of one's own ({@code urgent, core, normal, batch}, decision 0061):
 * every tier label and {@code priority_class} names the tier of the config's table that holds the
 * task's priority, not the default bands. Virtual clock; the snapshot the metrics read is taken on demand.
 */
class TierTableMetricsTest {
    private static final String CONFIG = """
            tiers:
              urgent: {priorities: 0, max_queue: {tasks: 1}}
              core: {priorities: 1-2}
              normal: {priorities: 3-5}
              batch: {priorities: 6-9}
            """;

    @TempDir
    Path dir;
    private Engine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void fourTierTable_labelsNameItsTiers_andClassesByItsBands() throws Exception {
        ServeConfig config = ServeConfig.load(Files.writeString(dir.resolve("q.yaml"), CONFIG), Map.<String, String>of()::get);
        VirtualClock clock = new VirtualClock();
        engine = Engine.builder().clock(clock).policy("priority").flow(config.flow())
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).build();
        CompletionOutbox completions = engine.completions();
        engine.start();
        AtomicReference<EngineSnapshot> latest = new AtomicReference<>();
        EngineMetrics metrics = new EngineMetrics(latest::get);
        engine.send(new Command.PauseDispatch(true)).join();

        // priorities 0 (urgent, twice: its max_queue of 1 sheds the second), 1 and 2 (core), 2 more in
        // normal's band where the default table has core (2) and normal (3-5), and 6 and 9 (batch)
        int[] priorities = {0, 0, 1, 2, 3, 5, 6, 9};
        int shed = 0;
        for (int i = 0; i < priorities.length; i++) {
            try {
                engine.send(new Command.Submit(new TaskSpec("t" + i, "m", "hi", priorities[i], null, null, null, null, 8, 16,
                        null), 4)).join();
            } catch (CompletionException e) {
                shed++;
            }
        }
        assertThat(shed).isEqualTo(1);
        latest.set(engine.send(new Command.TakeSnapshot()).join());
        PromText waiting = scrape(metrics);
        assertThat(labelValues(waiting, "queuedeck_queue_depth_by_tier", "tier"))
                .containsExactlyInAnyOrder("urgent", "core", "normal", "batch", "dead_letter");
        assertThat(waiting.value("queuedeck_queue_depth_by_tier", "tier", "urgent")).isEqualTo(1.0);
        assertThat(waiting.value("queuedeck_queue_depth_by_tier", "tier", "core")).isEqualTo(2.0);
        assertThat(waiting.value("queuedeck_queue_depth_by_tier", "tier", "normal")).isEqualTo(2.0);
        assertThat(waiting.value("queuedeck_queue_depth_by_tier", "tier", "batch")).isEqualTo(2.0);
        assertThat(waiting.value("queuedeck_tier_flow_total", "tier", "urgent", "action", "shed")).isEqualTo(1.0);
        assertThat(waiting.value("queuedeck_tier_flow_total", "tier", "core", "action", "shed")).isZero();
        assertThat(waiting.value("queuedeck_release_tier_flow_total", "release", "stable", "tier", "urgent", "action",
                "shed")).isEqualTo(1.0);
        assertThat(labelValues(waiting, "queuedeck_tier_running", "tier"))
                .containsExactlyInAnyOrder("urgent", "core", "normal", "batch");
        assertThat(labelValues(waiting, "queuedeck_tier_queued_bytes", "tier"))
                .containsExactlyInAnyOrder("urgent", "core", "normal", "batch");

        engine.send(new Command.PauseDispatch(false)).join();
        clock.runUntilIdle();
        completions.drain(100, metrics::recordFinished);
        latest.set(engine.send(new Command.TakeSnapshot()).join());
        PromText done = scrape(metrics);
        for (String histogram : new String[] {"queuedeck_e2e_latency_seconds_count", "queuedeck_queue_wait_seconds_count"}) {
            assertThat(labelValues(done, histogram, "priority_class"))
                    .as(histogram).containsExactlyInAnyOrder("urgent", "core", "normal", "batch");
            assertThat(done.value(histogram, "priority_class", "urgent")).as(histogram).isEqualTo(1.0);
            assertThat(done.value(histogram, "priority_class", "core")).as(histogram).isEqualTo(2.0);
            assertThat(done.value(histogram, "priority_class", "normal")).as(histogram).isEqualTo(2.0);
            assertThat(done.value(histogram, "priority_class", "batch")).as(histogram).isEqualTo(2.0);
        }
    }

    private static PromText scrape(EngineMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return PromText.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** The values the label takes over the samples of {@code name}. */
    private static Set<String> labelValues(PromText parsed, String name, String label) {
        Set<String> values = new TreeSet<>();
        for (String key : parsed.samples.keySet()) {
            if (key.startsWith(name + "{")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(label + "=\"([^\"]*)\"").matcher(key);
                if (m.find()) {
                    values.add(m.group(1));
                }
            }
        }
        return values;
    }
}
