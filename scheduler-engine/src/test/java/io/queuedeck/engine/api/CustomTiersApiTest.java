package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.metrics.EngineMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A four-tier table from the config, end to end over HTTP (decision 0061): tasks land in the tier
 * their priority's band names, tiers pause and list parked work by name, and {@code /v1/queues}
 * and {@code /metrics} carry the names. One simulated GPU held by a long task, so the rest wait.
 */
class CustomTiersApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Engine engine;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        ServeConfig config = ServeConfig.load(Files.writeString(dir.resolve("q.yaml"), """
                tiers:
                  realtime: {priorities: 0-1}
                  interactive: {priorities: 2-4}
                  standard: {priorities: 5-7, max_queue: {tasks: 1}, degrade: park}
                  bulk: {priorities: 8-9}
                """), Map.<String, String>of()::get);
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(10)).flow(config.flow())
                .executor(new SimulatedGpuExecutor(1, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .build();
        engine.start();
        server = ApiServer.builder(engine).port(0).virtualThreads().metrics(new EngineMetrics(engine::latestSnapshot)).build()
                .start();
        http = new Http(server.baseUri());
        assertThat(http.post("/v1/tasks", task("long", 0, 4_000)).status()).isEqualTo(202); // holds the only slot
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

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void tasksByPriority_landInTheNamedTiers_ofQueuesAndMetrics() {
        for (String[] t : new String[][] {{"a", "1"}, {"b", "3"}, {"c", "4"}, {"d", "6"}, {"e", "9"}}) {
            assertThat(http.post("/v1/tasks", task(t[0], Integer.parseInt(t[1]), 4)).status()).isEqualTo(202);
        }
        assertThat(http.get("/v1/tasks/c").json().path("priority").asInt()).isEqualTo(4);

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode queues = http.get("/v1/queues").json();
            assertThat(names(queues.path("by_tier"))).containsExactly("realtime", "interactive", "standard", "bulk", "dead_letter");
            assertThat(queues.path("by_tier").path("realtime").asInt()).isEqualTo(1);
            assertThat(queues.path("by_tier").path("interactive").asInt()).isEqualTo(2);
            assertThat(queues.path("by_tier").path("standard").asInt()).isEqualTo(1);
            assertThat(queues.path("by_tier").path("bulk").asInt()).isEqualTo(1);
            assertThat(names(queues.path("tier_modes"))).containsExactly("realtime", "interactive", "standard", "bulk");
            assertThat(names(queues.path("flow").path("tiers"))).containsExactly("realtime", "interactive", "standard", "bulk");
            assertThat(queues.path("flow").path("tiers").path("realtime").path("running").asInt()).isEqualTo(1);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("queuedeck_queue_depth_by_tier{tier=\"interactive\"} 2.0")
                .contains("queuedeck_queue_depth_by_tier{tier=\"bulk\"} 1.0")
                .contains("queuedeck_tier_running{tier=\"realtime\"} 1.0")
                .doesNotContain("tier=\"core\""));
    }

    @Test
    void aTier_pausesAndResumesByName_andUnknownNamesAre404() {
        Http.Response paused = http.post("/v1/queues/interactive:pause", "");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().path("tier_modes").path("interactive").asText()).isEqualTo("paused");
        assertThat(paused.json().path("lane_modes").get(2).asText()).isEqualTo("active"); // the tier pauses, not the lane

        Http.Response core = http.post("/v1/queues/core:pause", "");
        assertThat(core.status()).isEqualTo(404);
        assertThat(core.json().path("error").path("message").asText())
                .contains("unknown tier 'core'").contains("realtime, interactive, standard, bulk");

        Http.Response drained = http.post("/v1/queues/bulk:drain", "");
        assertThat(drained.json().path("tier_modes").path("bulk").asText()).isEqualTo("draining");
        Http.Response refused = http.post("/v1/tasks", task("late", 8, 4));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().path("error").path("message").asText()).contains("the bulk tier is draining");
        assertThat(http.post("/v1/queues/interactive:resume", "").json().path("tier_modes").path("interactive").asText())
                .isEqualTo("active");
    }

    @Test
    void parkedWork_isListedByTheTiersName() {
        assertThat(http.post("/v1/tasks", task("s1", 6, 4)).status()).isEqualTo(202);
        assertThat(http.post("/v1/tasks", task("s2", 6, 4)).status()).isEqualTo(202); // standard is full: parked

        Http.Response parked = http.get("/v1/tiers/standard/parked");
        assertThat(parked.status()).isEqualTo(200);
        assertThat(parked.json().path("tier").asText()).isEqualTo("standard");
        assertThat(parked.json().path("tasks").get(0).path("task_id").asText()).isEqualTo("s2");
        assertThat(http.get("/v1/tiers/normal/parked").status()).isEqualTo(404);
    }
}
