package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shedding over HTTP, the same through the REST API and the OpenAI front door: a full tier is
 * 429 {@code queue_full}, the least urgent work of a saturated engine is 503 {@code saturated},
 * a request that waited past its tier's TTL is 503; each with {@code Retry-After}. One simulated
 * GPU that runs one task at a time, held by a long task, so the engine is saturated.
 */
class FlowSheddingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Engine engine;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() {
        TierLimits normal = new TierLimits(0, 0, 0, 0, Duration.ofMillis(300), TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.REJECT, TierLimits.Fairness.NONE, false);
        TierLimits batch = new TierLimits(0, 0, 1, 0, Duration.ofSeconds(3), TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.REJECT_LOWEST, TierLimits.Fairness.NONE, false);
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(10))
                .executor(new SimulatedGpuExecutor(1, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .flow(new FlowSettings(Map.of(Tier.NORMAL, normal, Tier.BATCH, batch), Map.of())).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).virtualThreads().metrics(new EngineMetrics(engine::latestSnapshot))
                .openAiFrontDoor(List.of(Engine.Builder.DEFAULT_MODEL)).build().start();
        http = new Http(server.baseUri());
        assertThat(http.post("/v1/tasks", task("long", 1, 4_000)).status()).isEqualTo(202); // holds the only slot
        await().atMost(WAIT).until(() -> engine.latestSnapshot() != null && engine.latestSnapshot().running() == 1);
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private static String task(String id, int priority, int maxTokens) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"priority\":" + priority
                + ",\"max_tokens\":" + maxTokens + "}";
    }

    private Http.Response chat(int priority) {
        String body = "{\"model\":\"llama-2-7b\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("X-Priority", Integer.toString(priority))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void fullTier_rest429QueueFull_namingTheLimit_withRetryAfter() {
        assertThat(http.post("/v1/tasks", task("b1", 8, 4)).status()).isEqualTo(202);

        Http.Response refused = http.post("/v1/tasks", task("b2", 8, 4));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("queue_full");
        assertThat(refused.json().path("error").path("message").asText()).contains("tiers.batch.max_queue.tasks is 1");
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    }

    @Test
    void saturated_leastUrgentWork_rest503Saturated_withTheTiersTtlAsRetryAfter() {
        Http.Response refused = http.post("/v1/tasks", task("lowest", 9, 4));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("saturated");
        assertThat(refused.headers().firstValue("Retry-After")).contains("3");
        assertThat(http.post("/v1/tasks", task("held", 8, 4)).status()).isEqualTo(202); // more urgent work waits
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("queuedeck_tier_flow_total{action=\"shed\",tier=\"batch\"} 1.0")
                .contains("queuedeck_saturated 1.0")
                .contains("queuedeck_tier_running{tier=\"core\"} 1.0"));
    }

    @Test
    void queuesListing_showsSaturationAndEachTiersFlow() {
        assertThat(http.post("/v1/tasks", task("b1", 8, 4)).status()).isEqualTo(202);
        assertThat(http.post("/v1/tasks", task("b2", 8, 4)).status()).isEqualTo(429);

        // the listing reads the latest published snapshot: wait for one taken after the submissions
        await().atMost(WAIT).untilAsserted(() -> {
            var flow = http.get("/v1/queues").json().path("flow");
            assertThat(flow.path("saturated").asBoolean()).isTrue();
            assertThat(flow.path("slots").asInt()).isEqualTo(1);
            assertThat(flow.path("tiers").path("batch").path("waiting").asInt()).isEqualTo(1);
            assertThat(flow.path("tiers").path("batch").path("shed").asInt()).isEqualTo(1);
            assertThat(flow.path("tiers").path("core").path("running").asInt()).isEqualTo(1);
        });
    }

    @Test
    void frontDoor_sameRefusals_inOpenAisShape() {
        Http.Response saturated = chat(9);
        assertThat(saturated.status()).isEqualTo(503);
        assertThat(saturated.json().path("error").path("code").asText()).isEqualTo("saturated");
        assertThat(saturated.headers().firstValue("Retry-After")).contains("3");

        assertThat(http.post("/v1/tasks", task("b1", 8, 4)).status()).isEqualTo(202);
        Http.Response full = chat(8);
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.json().path("error").path("code").asText()).isEqualTo("queue_full");
        assertThat(full.headers().firstValue("Retry-After")).contains("1");
    }

    @Test
    void rest_taskPastItsTiersQueueTtl_isTimedOut() {
        assertThat(http.post("/v1/tasks", task("n1", 5, 4)).status()).isEqualTo(202);

        await().atMost(WAIT).until(() -> http.get("/v1/tasks/n1").json().path("state").asText().equals("TIMED_OUT"));
        assertThat(http.get("/v1/tasks/n1").json().path("error").asText()).contains("tiers.normal.queue_ttl");
    }

    @Test
    void frontDoor_requestPastItsTiersQueueTtl_is503_withRetryAfter() {
        Http.Response expired = chat(5); // waits behind the long task past normal's 300 ms TTL

        assertThat(expired.status()).isEqualTo(503);
        assertThat(expired.json().path("error").path("message").asText()).contains("tiers.normal.queue_ttl");
        assertThat(expired.headers().firstValue("Retry-After")).isPresent();
    }
}
