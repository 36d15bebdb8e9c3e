package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Batch submission, listing and paging, queues, pause/resume, client caps and limits, the OpenAPI document. */
class ApiOperationsTest {
    private Engine engine;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(10)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).build().start();
        http = new Http(server.baseUri());
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.latestSnapshot() != null);
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private static String task(String id, int priority, String tenant) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"priority\":" + priority
                + ",\"tenant\":\"" + tenant + "\",\"max_tokens\":8}";
    }

    @Test
    void batch_allValid_submitsEachWithItsOwnStatus() {
        http.post("/v1/tasks", task("b-0", 5, "t"));
        String body = "{\"tasks\":[" + task("b-0", 5, "t") + "," + task("b-1", 5, "t") + "," + task("b-0", 6, "t") + "]}";

        Http.Response response = http.post("/v1/tasks:batch", body);

        assertThat(response.status()).isEqualTo(200);
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(200); // same id, same body: idempotent
        assertThat(results.get(1).get("status").asInt()).isEqualTo(202);
        assertThat(results.get(2).get("status").asInt()).isEqualTo(409); // same id, another body
        assertThat(results.get(2).at("/error/code").asText()).isEqualTo("conflict");
        assertThat(http.get("/v1/tasks/b-1").status()).isEqualTo(200);
    }

    @Test
    void batch_oneInvalid_refusesTheWholeBatch_andQueuesNothing() {
        String body = "{\"tasks\":[" + task("ok-1", 5, "t") + ",{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":42}]}";

        Http.Response response = http.post("/v1/tasks:batch", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("tasks[1].priority");
        assertThat(http.get("/v1/tasks/ok-1").status()).isEqualTo(404);
    }

    @Test
    void batch_typeErrorDeepInside_namesItsPath() {
        Http.Response response = http.post("/v1/tasks:batch",
                "{\"tasks\":[" + task("x", 5, "t") + ",{\"model\":\"m\",\"input\":\"x\",\"metadata\":{\"k\":[1]}}]}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("tasks[1].metadata.k");
    }

    @Test
    void batch_emptyOrTooLarge_is400() {
        assertThat(http.post("/v1/tasks:batch", "{\"tasks\":[]}").errorField()).isEqualTo("tasks");
        StringBuilder many = new StringBuilder("{\"tasks\":[");
        for (int i = 0; i <= Routes.MAX_BATCH; i++) {
            many.append(i == 0 ? "" : ",").append("{\"model\":\"llama-2-7b\",\"input\":\"x\"}");
        }
        Http.Response response = http.post("/v1/tasks:batch", many.append("]}").toString());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("tasks");
    }

    @Test
    void list_pagesThroughEveryTaskWithFilters() {
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 12; i++) {
            http.post("/v1/tasks", task("l-" + i, 5, i % 3 == 0 ? "acme" : "other"));
        }
        http.delete("/v1/tasks/l-1");

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = http.get("/v1/tasks?limit=5" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("tasks").forEach(t -> seen.add(t.get("task_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(12).doesNotHaveDuplicates().startsWith("l-0", "l-1");
        JsonNode acme = http.get("/v1/tasks?tenant=acme&state=queued").json().get("tasks");
        assertThat(acme).hasSize(4);
        assertThat(http.get("/v1/tasks?state=cancelled").json().get("tasks").get(0).get("task_id").asText()).isEqualTo("l-1");
    }

    @Test
    void list_badParameters_are400NamingThem() {
        assertThat(http.get("/v1/tasks?state=sleeping").errorField()).isEqualTo("state");
        assertThat(http.get("/v1/tasks?limit=0").errorField()).isEqualTo("limit");
        assertThat(http.get("/v1/tasks?limit=abc").errorField()).isEqualTo("limit");
        assertThat(http.get("/v1/tasks?cursor=!!").errorField()).isEqualTo("cursor");
    }

    @Test
    void queues_reportDepthByTierAndPolicy_andPauseResume() {
        Http.Response paused = http.post("/v1/queues/all:pause", "");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("dispatch_paused").asBoolean()).isTrue();
        http.post("/v1/tasks", task("q-core", 1, "t"));
        http.post("/v1/tasks", task("q-batch", 8, "t"));

        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/queues").json().get("queued").asInt() == 2);
        JsonNode queues = http.get("/v1/queues").json();
        assertThat(queues.get("policy").asText()).isEqualTo("priority");
        assertThat(queues.at("/by_tier/core").asInt()).isEqualTo(1);
        assertThat(queues.at("/by_tier/batch").asInt()).isEqualTo(1);
        assertThat(queues.get("by_priority").get(1).asInt()).isEqualTo(1);

        Http.Response resumed = http.post("/v1/queues/all:resume", "");
        assertThat(resumed.json().get("dispatch_paused").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/q-batch").json().get("state").asText().equals("SUCCEEDED"));
    }

    @Test
    void queues_unknownTierOrAction_notFound() {
        assertThat(http.post("/v1/queues/gold:pause", "").status()).isEqualTo(404);
        assertThat(http.post("/v1/queues/all:explode", "").status()).isEqualTo(404);
    }

    @Test
    void queues_pauseOneTier_holdsItsTasksWhileOtherTiersRun_thenResumes() {
        Http.Response paused = http.post("/v1/queues/batch:pause", "");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().at("/tier_modes/batch").asText()).isEqualTo("paused");

        assertThat(http.post("/v1/tasks", "{\"task_id\":\"t-batch\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":8,\"max_tokens\":2}").status()).isEqualTo(202);
        assertThat(http.post("/v1/tasks", "{\"task_id\":\"t-core\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":1,\"max_tokens\":2}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/t-core").json().get("state").asText().equals("SUCCEEDED"));
        // The core task ran to completion while the batch task, on a free GPU, was held back.
        assertThat(http.get("/v1/tasks/t-batch").json().get("state").asText()).isEqualTo("QUEUED");

        assertThat(http.post("/v1/queues/batch:resume", "").json().at("/tier_modes/batch").asText()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/t-batch").json().get("state").asText().equals("SUCCEEDED"));
    }

    @Test
    void queues_drainTier_refusesNewTasksOfThatTierWith503AndRetryAfter() {
        assertThat(http.post("/v1/queues/normal:drain", "").json().at("/tier_modes/normal").asText()).isEqualTo("draining");

        Http.Response refused = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":5}");
        Http.Response core = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":0}");

        // not 409, which a submitting client reads as "this task_id is taken"; worth retrying once the drain ends
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("draining");
        assertThat(refused.headers().firstValue("Retry-After")).contains("10");
        assertThat(refused.json().at("/error/message").asText()).contains("normal tier is draining");
        assertThat(core.status()).isEqualTo(202);
        http.post("/v1/queues/normal:resume", "");
        assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":5}").status()).isEqualTo(202);
    }

    /** all:drain drained every tier and all:resume left them draining: every submission refused, after restarts too. */
    @Test
    void queues_allResume_endsWhatAllDrainBegan_butNotATiersOwnPause() {
        assertThat(http.post("/v1/queues/all:drain", "").json().at("/tier_modes/normal").asText()).isEqualTo("draining");

        Http.Response resumed = http.post("/v1/queues/all:resume", "");

        assertThat(resumed.json().at("/tier_modes").toString()).doesNotContain("draining");
        assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":5}").status()).isEqualTo(202);
        // a tier the operator paused stays paused through both; a lane's drain ends too
        http.post("/v1/queues/batch:pause", "");
        http.post("/v1/queues/p4:drain", "");
        assertThat(http.post("/v1/queues/all:drain", "").json().at("/tier_modes/batch").asText()).isEqualTo("paused");
        Http.Response again = http.post("/v1/queues/all:resume", "");
        assertThat(again.json().at("/tier_modes/batch").asText()).isEqualTo("paused");
        assertThat(again.json().at("/lane_modes").toString()).doesNotContain("draining");
        http.post("/v1/queues/batch:resume", "");
    }

    @Test
    void queues_pauseOnePriorityLane_holdsItOnly_andReportsItsMode() {
        Http.Response paused = http.post("/v1/queues/p4:pause", "");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("lane_modes").get(4).asText()).isEqualTo("paused");
        assertThat(paused.json().get("lane_modes").get(5).asText()).isEqualTo("active");

        http.post("/v1/tasks", task("lane-held", 4, "t"));
        http.post("/v1/tasks", task("lane-free", 5, "t"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !http.get("/v1/tasks/lane-free").json().get("state").asText().equals("QUEUED"));
        assertThat(http.get("/v1/tasks/lane-held").json().get("state").asText()).isEqualTo("QUEUED");

        assertThat(http.post("/v1/queues/p4:resume", "").json().get("lane_modes").get(4).asText()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(5)).until(() -> !http.get("/v1/tasks/lane-held").json().get("state").asText().equals("QUEUED"));
        assertThat(http.post("/v1/queues/p12:pause", "").status()).isEqualTo(404);
    }

    @Test
    void patch_withAPlace_movesTheTaskWithinItsLane_andBadPlacesAre400Or409() {
        http.post("/v1/queues/all:pause", "");
        for (String id : List.of("pa", "pb", "pc")) {
            http.post("/v1/tasks", task(id, 6, "t"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/queues").json().get("queued").asInt() == 3);

        Http.Response front = http.patch("/v1/tasks/pc", "{\"position\":\"front\"}");
        assertThat(front.status()).isEqualTo(200);
        Http.Response after = http.patch("/v1/tasks/pa", "{\"after\":\"pb\"}");
        assertThat(after.status()).isEqualTo(200);
        assertThat(engine.send(new Command.WaitingTasks(10)).join().stream().map(io.queuedeck.engine.task.TaskView::id).toList())
                .containsExactly("pc", "pb", "pa");

        assertThat(http.patch("/v1/tasks/pa", "{\"position\":\"middle\"}").errorField()).isEqualTo("position");
        assertThat(http.patch("/v1/tasks/pa", "{\"before\":\"pb\",\"after\":\"pc\"}").status()).isEqualTo(400);
        assertThat(http.patch("/v1/tasks/pa", "{\"before\":\"nobody\"}").errorField()).isEqualTo("before");
        assertThat(http.patch("/v1/tasks/pa", "{\"priority\":6,\"before\":\"nobody\"}").errorField()).isEqualTo("before");
        Http.Response long_ = http.patch("/v1/tasks/pa", "{\"before\":\"" + "x".repeat(5_000) + "\"}"); // echoed whole
        assertThat(long_.errorField()).isEqualTo("before");
        assertThat(long_.body()).hasSizeLessThan(600);
        assertThat(http.patch("/v1/tasks/pa", "{\"priority\":6,\"after\":\"pa\"}").errorField()).isEqualTo("after");
        // without a priority, front and back keep the task's own lane
        assertThat(http.patch("/v1/tasks/pa", "{\"position\":\"back\"}").json().get("priority").asInt()).isEqualTo(6);
        engine.send(new Command.SwitchPolicy("weighted", io.queuedeck.engine.policy.PolicyConfig.empty())).join();
        Http.Response refused = http.patch("/v1/tasks/pa", "{\"position\":\"front\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("weighted policy orders each lane by rules of its own");
        http.post("/v1/queues/all:resume", "");
    }

    @Test
    void client_withAPriorityCap_sendingAPriorityOutside0To9_getsTheInvalidInputAnswer_notTheCapsRefusal() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0)
                .client("silver-token-0123456789abcdef0123456789", new ClientPolicy("silver", 4, 0, 0))
                .build().start()) {
            Http silver = new Http(guarded.baseUri(), "silver-token-0123456789abcdef0123456789");

            for (Http.Response negative : List.of(silver.post("/v1/tasks", task("s-neg", -1, "t")),
                    silver.post("/v1/tasks", task("s-big", 10, "t")))) {
                assertThat(negative.status()).isEqualTo(400);
                assertThat(negative.errorCode()).isEqualTo("invalid_field");
                assertThat(negative.errorField()).isEqualTo("priority");
            }
            assertThat(silver.post("/v1/tasks", task("s", 6, "t")).status()).isEqualTo(202);
            Http.Response patched = silver.patch("/v1/tasks/s", "{\"priority\":-1}");
            assertThat(patched.status()).isEqualTo(400);
            assertThat(patched.errorField()).isEqualTo("priority");
            assertThat(silver.patch("/v1/tasks/s", "{\"priority\":3}").status()).isEqualTo(403); // over its cap
        }
    }

    @Test
    void client_cannotExceedItsPriorityCap_orItsRate() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0)
                .client("gold-token-0123456789abcdef0123456789ab", ClientPolicy.unlimited("gold"))
                .client("bronze-token-0123456789abcdef0123456789", new ClientPolicy("bronze", 5, 0.5, 3))
                .client("silver-token-0123456789abcdef0123456789", new ClientPolicy("silver", 4, 0, 0))
                .build().start()) {
            Http gold = new Http(guarded.baseUri(), "gold-token-0123456789abcdef0123456789ab");
            Http bronze = new Http(guarded.baseUri(), "bronze-token-0123456789abcdef0123456789");

            assertThat(gold.post("/v1/tasks", task("g", 0, "t")).status()).isEqualTo(202);
            Http.Response tooUrgent = bronze.post("/v1/tasks", task("b", 2, "t"));
            assertThat(tooUrgent.status()).isEqualTo(403);
            assertThat(tooUrgent.errorField()).isEqualTo("priority");
            assertThat(bronze.post("/v1/tasks", task("b", 6, "t")).status()).isEqualTo(202);
            assertThat(bronze.patch("/v1/tasks/b", "{\"priority\":1}").status()).isEqualTo(403);
            Http.Response notAllowed = new Http(guarded.baseUri(), "silver-token-0123456789abcdef0123456789").post("/v1/queues/all:pause", "");
            assertThat(notAllowed.status()).isEqualTo(403);
            assertThat(notAllowed.errorCode()).isEqualTo("queue_control_not_allowed");
            assertThat(gold.post("/v1/queues/p3:pause", "").status()).isEqualTo(200);
            assertThat(gold.post("/v1/queues/p3:resume", "").status()).isEqualTo(200);
            // burst of 3 used up (3 requests above); the next one is over the rate
            Http.Response limited = bronze.get("/v1/tasks/b");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errorCode()).isEqualTo("rate_limited");
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
            assertThat(gold.get("/v1/tasks/b").status()).isEqualTo(200);
        }
    }

    @Test
    void submit_whenQueueIsFull_is429WithRetryAfter() {
        try (ApiServer small = ApiServer.builder(engine).port(0).maxQueued(3).build().start()) {
            Http client = new Http(small.baseUri());
            engine.send(new Command.PauseDispatch(true)).join();
            for (int i = 0; i < 3; i++) {
                assertThat(client.post("/v1/tasks", task("f-" + i, 5, "t")).status()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.latestSnapshot().queued() == 3);

            Http.Response full = client.post("/v1/tasks", task("f-x", 5, "t"));

            assertThat(full.status()).isEqualTo(429);
            assertThat(full.errorCode()).isEqualTo("queue_full");
            assertThat(full.headers().firstValue("Retry-After")).hasValue("1");
        }
    }

    @Test
    void openapi_isServed_andIsTheCheckedInCopy() throws Exception {
        Http.Response response = http.get("/v1/openapi.json");

        assertThat(response.status()).isEqualTo(200);
        JsonNode doc = response.json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        for (String path : List.of("/v1/tasks", "/v1/tasks:batch", "/v1/tasks/{id}", "/v1/queues", "/v1/queues/{action}",
                "/v1/callbacks/dead-letters", "/healthz", "/readyz", "/metrics", "/v1/openapi.json")) {
            assertThat(doc.get("paths").has(path)).as(path).isTrue();
        }
        Path checkedIn = Path.of("..", "docs", "api", "openapi.json");
        assertThat(Files.readString(checkedIn)).isEqualTo(response.body());
    }
}
