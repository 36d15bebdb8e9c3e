package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A backend's saturation on {@code GET /v1/instances} and {@code /metrics}, with a real (fake) vLLM behind. */
class BackendInstancesApiTest {
    private static final String MODEL = "fake-model";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String VLLM_METRICS = """
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="fake-model"} 3.0
            vllm:num_requests_running{model_name="fake-model"} 2.0
            vllm:kv_cache_usage_perc{engine="0",model_name="fake-model"} 0.5
            """; // a queue below the saturation detector's hold (5 waiting), which would keep the task in ours

    private FakeBackendRig rig;

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void instances_andMetrics_showSlotsFlightAndTheServersOwnQueueAndCache() throws Exception {
        rig = FakeBackendRig.serving(MODEL).fake(f -> f.metrics(VLLM_METRICS))
                .executor(e -> e.healthInterval(Duration.ofMillis(50)))
                .api(a -> a.metrics(new EngineMetrics(() -> rig.engine().latestSnapshot()))).start();
        FakeOpenAiServer fake = rig.fake();
        Engine engine = rig.engine();
        Http http = new Http(rig.baseUri());
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
        assertThat(backend.path("backend").path("server_waiting").asDouble()).isEqualTo(3.0);
        assertThat(backend.path("backend").path("server_running").asDouble()).isEqualTo(2.0);
        assertThat(backend.path("backend").path("kv_cache_usage").asDouble()).isEqualTo(0.5);

        String metrics = http.get("/metrics").body();
        String labels = "{backend=\"" + fake.url() + "\",gpu=\"0\",model=\"" + MODEL + "\"}";
        assertThat(metrics).contains("queuedeck_backend_server_waiting" + labels + " 3.0")
                .contains("queuedeck_backend_kv_cache_usage_ratio" + labels + " 0.5")
                .contains("queuedeck_backend_slots" + labels + " 4.0")
                .contains("queuedeck_instance_draining{gpu=\"0\",model=\"" + MODEL + "\"} 0.0");
        assertThat(http.get("/v1/instances").status()).isEqualTo(200);
    }

    @Test
    void drain_letsTheOpenRequestFinish_takesNoNewWork_andOnlineEndsIt() throws Exception {
        rig = FakeBackendRig.serving(MODEL).slots(2).api().start();
        Http http = new Http(rig.baseUri());
        var gate = rig.fake().holdNext();
        String running = submit("held");
        awaitState(running, TaskState.RUNNING);

        Http.Response drained = http.post("/v1/instances/0:drain", "");
        String waiting = submit("behind the drain");
        gate.countDown();

        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.json().path("draining").asBoolean()).isTrue();
        assertThat(drained.json().path("backend").path("url").asText()).isEqualTo(rig.fake().url());
        assertThat(awaitState(running, TaskState.SUCCEEDED).output()).isEqualTo("t0 t1 t2 t3 t4 "); // its stream was not cut
        assertThat(view(waiting).state()).isEqualTo(TaskState.QUEUED); // a free slot, but the instance is draining
        assertThat(rig.fake().requests()).hasSize(1);

        Http.Response online = http.post("/v1/instances/0:online", "");
        assertThat(online.status()).isEqualTo(200);
        assertThat(online.json().path("draining").asBoolean()).isFalse();
        assertThat(awaitState(waiting, TaskState.SUCCEEDED).output()).isEqualTo("t0 t1 t2 t3 t4 ");
    }

    @Test
    void offline_closesTheOpenRequest_queuesItsTaskAgain_andOnlineRunsIt() throws Exception {
        rig = FakeBackendRig.serving(MODEL).slots(2).api().start();
        Http http = new Http(rig.baseUri());
        var gate = rig.fake().holdNext();
        String task = submit("held");
        awaitState(task, TaskState.RUNNING);

        Http.Response offline = http.post("/v1/instances/0:offline", "");

        assertThat(offline.status()).isEqualTo(200);
        assertThat(offline.json().path("state").asText()).isEqualTo("offline");
        awaitState(task, TaskState.PREEMPTED); // waiting again, with its attempt counted
        gate.countDown(); // whatever the closed request still sends is not read

        Http.Response online = http.post("/v1/instances/0:online", "");
        assertThat(online.json().path("state").asText()).isEqualTo("up");
        TaskView done = awaitState(task, TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("t0 t1 t2 t3 t4 ");
        assertThat(done.preemptions()).isEqualTo(1); // handed back by the offline, run again once back online
    }

    @Test
    void instanceActions_refuseUnknownInstancesAndVerbs_andSimulatedGpusDrainToo() throws Exception {
        rig = FakeBackendRig.serving(MODEL).api().start();
        Http http = new Http(rig.baseUri());

        assertThat(http.post("/v1/instances/7:drain", "").status()).isEqualTo(404);
        assertThat(http.post("/v1/instances/x:drain", "").status()).isEqualTo(404);
        Http.Response verb = http.post("/v1/instances/0:reboot", "");
        assertThat(verb.status()).isEqualTo(404);
        assertThat(verb.json().path("error").path("message").asText()).contains("drain|offline|online");

        try (Engine simulated = Engine.builder().build()) {
            simulated.start();
            try (ApiServer server = ApiServer.builder(simulated).port(0).virtualThreads().build().start()) {
                Http.Response drained = new Http(server.baseUri()).post("/v1/instances/0:drain", "");
                assertThat(drained.status()).isEqualTo(200);
                assertThat(drained.json().path("draining").asBoolean()).isTrue();
                assertThat(new Http(server.baseUri()).post("/v1/instances/0:offline", "").status()).isEqualTo(200);
                Http.Response online = new Http(server.baseUri()).post("/v1/instances/0:online", "");
                assertThat(online.json().path("state").asText()).isEqualTo("up");
                assertThat(online.json().path("draining").asBoolean()).as("online ends the drain too").isFalse();
            }
        }
    }

    @Test
    void drainBackend_drainsEveryModelOfThatServer_andNoOther_andOnlineEndsIt() throws Exception {
        try (FakeOpenAiServer two = new FakeOpenAiServer(MODEL, "other-model");
             FakeOpenAiServer one = new FakeOpenAiServer(MODEL)) {
            var executor = io.queuedeck.engine.exec.openai.OpenAiExecutor.builder()
                    .backend(io.queuedeck.engine.exec.openai.Backend.at(two.url()).withModels(java.util.List.of(MODEL, "other-model")))
                    .backend(io.queuedeck.engine.exec.openai.Backend.at(one.url()).withModels(java.util.List.of(MODEL))).build();
            try (executor; Engine engine = Engine.builder().executor(executor).build()) {
                engine.start();
                try (ApiServer server = ApiServer.builder(engine).port(0).virtualThreads().build().start()) {
                    Http http = new Http(server.baseUri());

                    // the base URL as an OpenAI client has it (with /v1/) names the same server
                    Http.Response drained = http.post("/v1/backends:drain", "{\"url\":\"" + two.url() + "/v1/\"}");

                    assertThat(drained.status()).isEqualTo(200);
                    assertThat(drained.json().path("url").asText()).isEqualTo(two.url());
                    assertThat(drained.json().path("instances")).hasSize(2)
                            .allSatisfy(i -> assertThat(i.path("draining").asBoolean()).isTrue());
                    // the listing reads the snapshot the loop publishes, so it shows the drain a moment later
                    await().atMost(WAIT).until(() -> http.get("/v1/instances").json().path("instances").get(1).path("draining").asBoolean());
                    JsonNode all = http.get("/v1/instances").json().path("instances");
                    assertThat(all.get(0).path("draining").asBoolean()).isTrue();
                    assertThat(all.get(1).path("draining").asBoolean()).isTrue();
                    assertThat(all.get(2).path("draining").asBoolean()).isFalse(); // the other server
                    String task = engine.send(new Command.Submit(TaskSpec.of(MODEL, "x", 5, 4))).join().task().id();
                    await().atMost(WAIT).until(() -> engine.send(new Command.FindTask(task)).join().orElseThrow().state()
                            == TaskState.SUCCEEDED);
                    assertThat(two.requests()).isEmpty();
                    assertThat(one.requests()).hasSize(1);

                    Http.Response online = http.post("/v1/backends:online", "{\"url\":\"" + two.url() + "\"}");
                    assertThat(online.json().path("instances"))
                            .allSatisfy(i -> assertThat(i.path("draining").asBoolean()).isFalse());

                    Http.Response missing = http.post("/v1/backends:drain", "{}");
                    assertThat(missing.status()).isEqualTo(400);
                    assertThat(missing.json().toString()).contains("url");
                    Http.Response malformed = http.post("/v1/backends:drain", "{\"url\": secret-" + "x".repeat(200) + "}");
                    assertThat(malformed.status()).isEqualTo(400);
                    assertThat(malformed.json().at("/error/code").asText()).isEqualTo("malformed_json");
                    assertThat(malformed.json().at("/error/message").asText()).contains("line 1, column").doesNotContain("xxxxxxxxxx");
                    Http.Response misspelt = http.post("/v1/backends:drain", "{\"uri\":\"" + two.url() + "\"}");
                    assertThat(misspelt.status()).isEqualTo(400);
                    assertThat(misspelt.json().at("/error/field").asText()).isEqualTo("uri");
                    Http.Response plain = http.post("/v1/backends:offline",
                            ("{\"url\":\"" + one.url() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
                    assertThat(plain.status()).as("a body not declared JSON").isEqualTo(415);
                    Http.Response unknown = http.post("/v1/backends:drain", "{\"url\":\"http://nowhere:1\"}");
                    assertThat(unknown.status()).isEqualTo(404);
                    assertThat(unknown.json().path("error").path("message").asText()).contains(two.url()).contains(one.url());
                }
            }
        }
    }

    private String submit(String prompt) {
        return rig.engine().send(new Command.Submit(TaskSpec.of(MODEL, prompt, 5, 4))).join().task().id();
    }

    private TaskView view(String id) {
        return rig.engine().send(new Command.FindTask(id)).join().orElseThrow();
    }

    private TaskView awaitState(String id, TaskState state) {
        return await().atMost(WAIT).until(() -> view(id), v -> v.state() == state);
    }
}
