package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** {@code GET /metrics} parses as the Prometheus text format and says what the engine says. */
class EngineMetricsTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private ScheduledExecutorService feedThread;
    private Engine engine;
    private CompletionFeed feed;
    private ApiServer server;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        EngineMetrics metrics = new EngineMetrics(engine::latestSnapshot);
        feedThread = Executors.newSingleThreadScheduledExecutor();
        feed = new CompletionFeed(engine, feedThread).onFinished(metrics::recordFinished);
        engine.start();
        feed.start(1);
        server = ApiServer.builder(engine).port(0).metrics(metrics).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        feed.close();
        engine.close();
        feedThread.shutdownNow();
    }

    @Test
    void metrics_afterAWorkload_matchTheEngineSnapshot() throws Exception {
        int perClass = 10;
        for (int i = 0; i < 3 * perClass; i++) {
            int priority = i % 3 == 0 ? 1 : i % 3 == 1 ? 5 : 8; // core, normal, batch
            assertThat(post("{\"task_id\":\"m" + i + "\",\"model\":\"llama-2-7b\",\"input\":\"hello\",\"priority\":"
                    + priority + ",\"max_tokens\":8}")).isEqualTo(202);
        }
        assertThat(post("{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":12}")).isEqualTo(400);
        assertThat(post("{\"model\":")).isEqualTo(400);
        // not submissions: an unknown path under /v1/tasks and a bulk refusal were counted as rejected ones
        assertThat(post("/v1/tasksXYZ", "{}")).isEqualTo(404);
        assertThat(post("/v1/tasks:bulk", "{}")).isEqualTo(400);
        int total = 3 * perClass;

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            EngineSnapshot s = engine.latestSnapshot();
            PromText m = PromText.parse(scrape());
            return s != null && s.counters().succeeded() == total && s.running() == 0
                    && m.sum("queuedeck_e2e_latency_seconds_count") == total;
        });
        EngineSnapshot s = engine.latestSnapshot();
        PromText m = PromText.parse(scrape());

        assertThat(m.types).containsEntry("queuedeck_tasks_submitted_total", "counter")
                .containsEntry("queuedeck_queue_depth_by_tier", "gauge")
                .containsEntry("queuedeck_e2e_latency_seconds", "histogram");
        assertThat(m.value("queuedeck_tasks_submitted_total")).isEqualTo(s.counters().submitted()).isEqualTo(total);
        assertThat(m.value("queuedeck_tasks_rejected_total")).isEqualTo(s.counters().rejected()).isEqualTo(1.0);
        assertThat(m.value("queuedeck_tasks_completed_total", "outcome", "succeeded")).isEqualTo(total);
        assertThat(m.value("queuedeck_tasks_completed_total", "outcome", "cancelled")).isZero();
        assertThat(m.value("queuedeck_api_rejected_total", "reason", "invalid_field")).isEqualTo(1.0);
        assertThat(m.value("queuedeck_api_rejected_total", "reason", "malformed_json")).isEqualTo(1.0);
        assertThat(m.sum("queuedeck_api_rejected_total")).as("the two submissions refused, nothing else").isEqualTo(2.0);
        assertThat(m.value("queuedeck_tasks_preempted_total")).isEqualTo(s.counters().preemptions());
        assertThat(m.value("queuedeck_queued_tasks")).isZero();
        assertThat(m.value("queuedeck_running_tasks")).isZero();
        assertThat(m.sum("queuedeck_queue_depth_by_priority")).isZero();
        assertThat(m.value("queuedeck_queue_depth_by_tier", "tier", "core")).isZero();

        for (InstanceStatus i : s.instances()) {
            String id = Integer.toString(i.id());
            assertThat(m.value("queuedeck_instance_state", "gpu", id, "model", i.model(), "state", "up")).isEqualTo(1.0);
            assertThat(m.value("queuedeck_instance_batch_capacity", "gpu", id, "model", i.model()))
                    .isEqualTo(i.batchCapacity());
            assertThat(m.value("queuedeck_instance_kv_capacity_tokens", "gpu", id, "model", i.model()))
                    .isEqualTo((double) i.kvCapacityTokens());
        }

        // Histograms: one observation per succeeded task, split by class, with the engine's own mean.
        for (String tier : new String[] {"core", "normal", "batch"}) {
            assertThat(m.value("queuedeck_e2e_latency_seconds_count", "priority_class", tier)).isEqualTo(perClass);
            assertThat(m.value("queuedeck_ttft_seconds_count", "priority_class", tier)).isEqualTo(perClass);
            assertThat(m.value("queuedeck_e2e_latency_seconds_bucket", "priority_class", tier, "le", "+Inf"))
                    .isEqualTo(perClass);
        }
        double meanE2e = m.sum("queuedeck_e2e_latency_seconds_sum") / total;
        assertThat(meanE2e * 1e3).isCloseTo(s.total().endToEnd().meanMs(), within(s.total().endToEnd().meanMs() * 0.01 + 0.01));
        double meanWait = m.sum("queuedeck_queue_wait_seconds_sum") / total;
        assertThat(meanWait * 1e3).isCloseTo(s.total().queueWait().meanMs(), within(s.total().queueWait().meanMs() * 0.01 + 0.01));
        assertThat(m.sum("queuedeck_ttft_seconds_count")).isEqualTo((double) s.total().ttft().count());
    }

    @Test
    void metrics_bucketsAreCumulative() throws Exception {
        for (int i = 0; i < 5; i++) {
            post("{\"model\":\"llama-2-7b\",\"input\":\"hello\",\"max_tokens\":4}");
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> PromText.parse(scrape()).sum("queuedeck_e2e_latency_seconds_count") == 5);
        PromText m = PromText.parse(scrape());

        double previous = 0;
        for (var e : m.samples.entrySet()) {
            if (e.getKey().startsWith("queuedeck_e2e_latency_seconds_bucket{") && e.getKey().contains("normal")) {
                assertThat(e.getValue()).isGreaterThanOrEqualTo(previous);
                previous = e.getValue();
            }
        }
        assertThat(previous).isEqualTo(5);
    }

    private int post(String body) throws Exception {
        return post("/v1/tasks", body);
    }

    private int post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.baseUri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return response.body();
    }
}
