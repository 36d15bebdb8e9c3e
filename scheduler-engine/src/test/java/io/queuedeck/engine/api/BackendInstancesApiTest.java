package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A backend's saturation on {@code GET /v1/instances} and {@code /metrics}, with a real (fake) vLLM behind. */
class BackendInstancesApiTest {
    private static final String MODEL = "fake-model";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String VLLM_METRICS = """
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="fake-model"} 6.0
            vllm:num_requests_running{model_name="fake-model"} 2.0
            vllm:kv_cache_usage_perc{engine="0",model_name="fake-model"} 0.5
            """;

    private FakeOpenAiServer fake;
    private OpenAiExecutor executor;
    private Engine engine;
    private ApiServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (executor != null) {
            executor.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void instances_andMetrics_showSlotsFlightAndTheServersOwnQueueAndCache() throws Exception {
        fake = new FakeOpenAiServer(MODEL);
        fake.metrics(VLLM_METRICS);
        executor = OpenAiExecutor.builder().healthInterval(Duration.ofMillis(50))
                .backend(Backend.at(fake.url()).withModels(List.of(MODEL)).withSlots(4)).build();
        engine = Engine.builder().executor(executor).snapshotInterval(Duration.ofMillis(10)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).virtualThreads().metrics(new EngineMetrics(engine::latestSnapshot))
                .build().start();
        Http http = new Http(server.baseUri());
        var gate = fake.holdNext();
        engine.send(new Command.Submit(TaskSpec.of(MODEL, "held", 5, 4))).join();

        JsonNode backend = await().atMost(WAIT).until(() -> http.get("/v1/instances").json().path("instances").get(0),
                i -> i.path("backend").path("slots_in_use").asInt() == 1 && i.path("backend").has("server_waiting"));
        gate.countDown();

        JsonNode instance = http.get("/v1/instances").json().path("instances").get(0);
        assertThat(instance.path("model").asText()).isEqualTo(MODEL);
        assertThat(instance.path("state").asText()).isEqualTo("up");
        assertThat(instance.has("kv_used_tokens")).isFalse(); // the server's cache is a fraction, below
        assertThat(backend.path("backend").path("url").asText()).isEqualTo(fake.url());
        assertThat(backend.path("backend").path("slots").asInt()).isEqualTo(4);
        assertThat(backend.path("backend").path("in_flight").asInt()).isEqualTo(1);
        assertThat(backend.path("backend").path("server_waiting").asDouble()).isEqualTo(6.0);
        assertThat(backend.path("backend").path("server_running").asDouble()).isEqualTo(2.0);
        assertThat(backend.path("backend").path("kv_cache_usage").asDouble()).isEqualTo(0.5);

        String metrics = http.get("/metrics").body();
        String labels = "{backend=\"" + fake.url() + "\",gpu=\"0\",model=\"" + MODEL + "\"}";
        assertThat(metrics).contains("queuedeck_backend_server_waiting" + labels + " 6.0")
                .contains("queuedeck_backend_kv_cache_usage_ratio" + labels + " 0.5")
                .contains("queuedeck_backend_slots" + labels + " 4.0")
                .contains("queuedeck_instance_draining{gpu=\"0\",model=\"" + MODEL + "\"} 0.0");
        assertThat(http.get("/v1/instances").status()).isEqualTo(200);
    }
}
