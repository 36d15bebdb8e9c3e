package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task store's figures reach {@code /metrics}, so a slowing disk or a growing file shows before it bites. */
class StoreMetricsTest {

    @Test
    void durableSubmissions_countedAsCommitsWritesTimeAndSize() throws Exception {
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).build()) {
            engine.start();
            for (int i = 0; i < 20; i++) {
                engine.send(new Command.Submit(TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "hello", 5, 8).withTaskId("s" + i)))
                        .join(); // answered once durable
            }
            EngineMetrics metrics = new EngineMetrics(engine::latestSnapshot);
            metrics.store(engine::storeStats);

            PromText m = PromText.parse(scrape(metrics));

            double commits = m.value("queuedeck_store_commits_total");
            assertThat(commits).isGreaterThanOrEqualTo(1.0);
            assertThat(m.value("queuedeck_store_writes_total")).isGreaterThanOrEqualTo(Math.max(20.0, commits));
            assertThat(m.value("queuedeck_store_commit_seconds_total")).isPositive();
            assertThat(m.value("queuedeck_store_size_bytes")).isPositive();
            assertThat(m.value("queuedeck_store_tasks")).isEqualTo(20.0);
        }
    }

    @Test
    void noStore_noStoreSamples() throws Exception {
        EngineMetrics metrics = new EngineMetrics(() -> null);
        metrics.store(Optional::empty);

        assertThat(PromText.parse(scrape(metrics)).value("queuedeck_store_commits_total")).isNull();
    }

    @TempDir
    Path dir;

    private static String scrape(EngineMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
