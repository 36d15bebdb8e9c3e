package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard and the alert rules only use metrics the engine exports. */
class DashboardAndAlertsTest {
    private static final Pattern METRIC = Pattern.compile("queuedeck_[a-z0-9_]+");
    private static final Path RESOURCES = Path.of("..", "resources");

    private static Set<String> exportedSeriesNames() throws Exception {
        try (Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(10)).build()) {
            engine.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.latestSnapshot() != null);
            EngineMetrics metrics = new EngineMetrics(engine::latestSnapshot);
            // labelled series appear once they have a child: give each one
            metrics.recordRejected("invalid_field");
            metrics.callbackListener().delivered(1, 1_000_000);
            metrics.callbackListener().retried("network");
            metrics.callbackListener().deadLettered("status_4xx");
            TaskSpec spec = new TaskSpec("x", "llama-2-7b", "hi", 1, null, null, null, null, 8, 1, null);
            metrics.recordFinished(new TaskView("x", spec, TaskState.SUCCEEDED, 1, 0, 0, 0, 0, 1_000, 2_000, 3_000, 1_000,
                    8, 8, 1, 0, null, "ok", List.of(new Task.Transition(null, TaskState.QUEUED, 0))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.scrape(out);
            PromText parsed = PromText.parse(out.toString(StandardCharsets.UTF_8));
            Set<String> names = new TreeSet<>();
            for (String key : parsed.samples.keySet()) {
                names.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key);
            }
            return names;
        }
    }

    private static Set<String> referenced(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    @Test
    void dashboard_isValidJson_andUsesOnlyExportedMetrics() throws Exception {
        String text = Files.readString(RESOURCES.resolve("grafana/queuedeck.json"));
        JsonNode dashboard = new ObjectMapper().readTree(text);
        assertThat(dashboard.get("title").asText()).isEqualTo("QueueDeck");
        assertThat(dashboard.get("panels").size()).isGreaterThan(10);

        Set<String> used = referenced(text);
        assertThat(used).isNotEmpty();
        assertThat(exportedSeriesNames()).containsAll(used);
    }

    @Test
    void alerts_useOnlyExportedMetrics() throws Exception {
        String text = Files.readString(RESOURCES.resolve("prometheus/alerts.yml"));
        assertThat(text).contains("groups:").contains("alert: QueueDeckOldestTaskWaitingTooLong")
                .contains("alert: QueueDeckCallbackDeadLettersGrowing").contains("alert: QueueDeckInstanceDown");

        Set<String> used = referenced(text);
        assertThat(exportedSeriesNames()).containsAll(used);
    }
}
