package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Every endpoint and error shape, against the real server on an ephemeral loopback port. */
class ApiServerTest extends ApiServerFixture {
    @Test
    void submit_validTask_answers202WithLocationAndState() {
        Http.Response response = http.post("/v1/tasks", task("a-1", 3));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/tasks/a-1");
        assertThat(response.json().get("task_id").asText()).isEqualTo("a-1");
        assertThat(response.json().get("state").asText()).isIn("QUEUED", "RUNNING");
        // Accepted means the engine holds it: it can be read back at once.
        assertThat(http.get("/v1/tasks/a-1").status()).isEqualTo(200);
    }

    @Test
    void submit_withoutId_generatesOne() {
        Http.Response response = http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"hi\"}");

        assertThat(response.status()).isEqualTo(202);
        String id = response.json().get("task_id").asText();
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/tasks/" + id);
    }

    /** A surrogate pair escaped is one character (only a lone half is refused); it comes back as sent. */
    @Test
    void submit_escapedSurrogatePair_isAccepted() {
        assertThat(http.post("/v1/tasks", "{\"task_id\":\"pair\",\"model\":\"llama-2-7b\",\"input\":\"x\\ud83d\\ude00\","
                + "\"metadata\":{\"k\":\"x\\ud83d\\ude00\"}}").status())
                .isEqualTo(202);
        assertThat(http.get("/v1/tasks/pair").json().at("/metadata/k").asText()).isEqualTo("x\uD83D\uDE00");
    }

    @Test
    void submit_sameIdSameBody_answers200WithTheExistingTask() {
        assertThat(http.post("/v1/tasks", task("dup", 4)).status()).isEqualTo(202);

        Http.Response again = http.post("/v1/tasks", task("dup", 4));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("task_id").asText()).isEqualTo("dup");
        assertThat(again.json().get("priority").asInt()).isEqualTo(4);
    }

    @Test
    void submit_sameIdWithEmptyMetadata_isTheSameTask() {
        String bare = "{\"task_id\":\"meta\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}";
        assertThat(http.post("/v1/tasks", bare).status()).isEqualTo(202);

        Http.Response again = http.post("/v1/tasks", bare.replace("}", ",\"metadata\":{}}")); // was 409

        assertThat(again.status()).isEqualTo(200);
        assertThat(http.post("/v1/tasks", bare.replace("}", ",\"priority\":5}")).status())
                .as("without priority rules, no priority is 5").isEqualTo(200);
    }

    @Test
    void submit_sameIdDifferentBody_answers409() {
        assertThat(http.post("/v1/tasks", task("dup", 4)).status()).isEqualTo(202);

        Http.Response other = http.post("/v1/tasks", task("dup", 5));

        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("conflict");
        assertThat(other.json().at("/error/message").asText()).contains("dup");
    }

    @Test
    void get_finishedTask_hasStateTimestampsOutputAndAttempts() {
        http.post("/v1/tasks", task("done", 1));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/v1/tasks/done").json().get("state").asText().equals("SUCCEEDED"));
        var json = http.get("/v1/tasks/done").json();

        assertThat(json.get("output").asText()).isNotBlank();
        assertThat(json.get("attempts").asInt()).isEqualTo(1);
        assertThat(json.get("generated_tokens").asInt()).isEqualTo(16);
        assertThat(json.has("submitted_at")).isTrue();
        assertThat(json.has("finished_at")).isTrue();
        assertThat(json.get("e2e_ms").asDouble()).isPositive();
    }

    @Test
    void get_unknownTask_answers404() {
        Http.Response response = http.get("/v1/tasks/nope");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("not_found");
    }

    @Test
    void delete_waitingTask_cancelsIt_thenSecondCancelIs409() {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("c", 5));

        Http.Response cancelled = http.delete("/v1/tasks/c");
        Http.Response again = http.delete("/v1/tasks/c");

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(again.status()).isEqualTo(409);
        assertThat(http.delete("/v1/tasks/unknown").status()).isEqualTo(404);
    }

    @Test
    void patch_priority_movesTheTask() {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("p", 8));

        Http.Response response = http.patch("/v1/tasks/p", "{\"priority\": 1}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("priority").asInt()).isEqualTo(1);
        assertThat(http.get("/v1/tasks/p").json().get("priority").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"priority\": 12}       | 400 | priority",
            "{\"priority\": \"1\"}    | 400 | priority",
            "{}                       | 400 | priority",
            "{\"priority\": 1, \"x\": 2} | 400 | x",
            "{\"priority\":           | 400 | ",
    })
    void patch_badBody_answers400NamingTheField(String body, int status, String field) {
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("p", 8));

        Http.Response response = http.patch("/v1/tasks/p", body);

        assertThat(response.status()).isEqualTo(status);
        if (field != null) {
            assertThat(response.errorField()).isEqualTo(field);
        }
        assertThat(http.get("/v1/tasks/p").json().get("priority").asInt()).isEqualTo(8);
    }

    @Test
    void patch_unknownTask_answers404() {
        assertThat(http.patch("/v1/tasks/ghost", "{\"priority\": 1}").status()).isEqualTo(404);
    }

    @Test
    void search_withACursor_isRefusedOnTheCursor() {
        Http.Response response = http.get("/v1/tasks?sort=priority&cursor=o"); // the cursor was ignored: page one again

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("cursor");
    }

    @Test
    void wrongMethod_answers405AsJson() {
        Http.Response response = http.send(http.request("/v1/tasks/x").header("X-QueueDeck-Client", "test").PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.errorCode()).isEqualTo("method_not_allowed");
        assertThat(response.json().path("error").path("message").asText()).isEqualTo("PUT is not allowed on /v1/tasks/x");
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, PATCH, DELETE, HEAD");
    }

    @Test
    void unknownMethod_isNamedAsSent() {
        Http.Response response = http.send(http.request("/v1/tasks").header("X-QueueDeck-Client", "test")
                .method("FOO", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(response.json().path("error").path("message").asText()).startsWith("FOO is not allowed on /v1/tasks");
    }

    @Test
    void unknownExpectation_is417WithItsOwnCode() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-QueueDeck-Client: test\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 417").contains("\"code\":\"expectation_failed\"").contains("100-continue");
        }
    }

    @Test
    void unknownHttpVersion_is505WithItsOwnCode() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write("GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 505").contains("\"code\":\"http_version_not_supported\"");
        }
    }

    @Test
    void http2RequestLine_is426_namingTheProtocolToUse() throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            socket.getOutputStream().write("GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 426").contains("\r\nUpgrade: HTTP/1.1\r\n").contains("\"code\":\"upgrade_required\"");
        }
    }

    @Test
    void head_answersWhatGetWould_withoutTheBody() {
        java.util.function.Function<String, Http.Response> head = path -> http.send(http.request(path)
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()));

        assertThat(head.apply("/v1/tasks/no-such-task").status()).as("GET is 404; HEAD was 200").isEqualTo(404);
        assertThat(head.apply("/healthz").status()).isEqualTo(200);
        assertThat(head.apply("/v1/tasks?limit=0").status()).isEqualTo(400);
        assertThat(head.apply("/healthz").body()).isEmpty();
        server.drain();
        assertThat(head.apply("/readyz").status()).as("a balancer probing by HEAD sees the drain").isEqualTo(503);
    }

    @Test
    void listing_withAParameterItDoesNotRead_is400OnIt() {
        Http.Response typo = http.get("/v1/tasks?priorty=1"); // it listed every task

        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.errorField()).isEqualTo("priorty");
        assertThat(http.get("/v1/tasks?priority=1&limit=5").status()).isEqualTo(200);
        // the largest 64-bit cursor wrapped round and answered the first page again
        assertThat(http.get("/v1/tasks?cursor=" + Listings.cursor(Long.MAX_VALUE)).errorField()).isEqualTo("cursor");
        // a cursor cut short or mistyped is refused, not read as a place past the end (an empty last page)
        for (String damaged : new String[] {"abc", "ZZZZ", "AAAA", "0", Long.toString(5, 36)}) {
            assertThat(http.get("/v1/tasks?limit=2&cursor=" + damaged).errorField()).as(damaged).isEqualTo("cursor");
        }
        assertThat(http.get("/v1/tasks?limit=2&cursor=" + Listings.cursor(5)).status()).isEqualTo(200);
    }

    @Test
    void everyEndpoint_refusesAParameterItDoesNotRead_andAnEmptyOne() {
        for (String path : List.of("/v1/audit?actr=ops", "/v1/operations?tenant=acme", "/v1/queues?tier=core",
                "/v1/tiers/batch/parked?state=queued", "/v1/tasks/t1?fields=id")) {
            Http.Response refused = http.get(path);
            assertThat(refused.status()).as(path).isEqualTo(400);
            assertThat(refused.errorField()).as(path).isEqualTo(path.substring(path.indexOf('?') + 1, path.indexOf('=')));
        }
        for (String path : List.of("/v1/tasks?state=", "/v1/tasks?tenant=&limit=5", "/v1/audit?actor=", "/v1/tiers/batch/parked?q=")) {
            Http.Response blank = http.get(path); // each of them used to answer as if the filter were not there
            assertThat(blank.status()).as(path).isEqualTo(400);
            assertThat(blank.body()).as(path).contains("is empty");
        }
        // without a shared queue, tier and scope used to be ignored, so tier=core listed every tier
        assertThat(http.get("/v1/tasks?tier=core").errorField()).isEqualTo("tier");
        assertThat(http.get("/v1/tasks?scope=cluster").errorField()).isEqualTo("scope");
        assertThat(http.get("/v1/tasks?scope=node&limit=5").status()).isEqualTo(200);
        assertThat(http.get("/v1/audit?actor=ops&limit=5").status()).isEqualTo(200);
        assertThat(http.get("/healthz?probe=lb").status()).as("probes send what their tools send").isEqualTo(200);
    }

    @Test
    void theHttpStacksStartUpChatter_isNotLogged_itsWarningsAre() {
        // nine INFO lines of Jetty and Javalin on every start, "your Javalin version is 530 days old" among them
        assertThat(java.util.logging.Logger.getLogger("io.javalin.util.JavalinLogger").isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("org.eclipse.jetty.server.Server").isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("org.eclipse.jetty.server.Server").isLoggable(java.util.logging.Level.WARNING)).isTrue();
    }

    @Test
    void unknownEndpoint_answers404AsJson() {
        Http.Response response = http.get("/v1/nothing-here");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("not_found");
        assertThat(response.json().path("error").path("message").asText()).isEqualTo("no such endpoint: GET /v1/nothing-here");
    }

    @Test
    void healthAndReadiness_answer200() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/readyz").status() == 200);
    }

    @Test
    void readyz_withEveryInstanceOffline_answers503() {
        for (int i = 0; i < 4; i++) {
            engine.send(new Command.SetInstanceOnline(i, false)).join();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/readyz").status() == 503);
        assertThat(http.get("/readyz").errorCode()).isEqualTo("not_ready");
    }

    @Test
    void nonLoopbackBind_withoutToken_refusesToStart() {
        assertThatThrownBy(() -> ApiServer.builder(engine).host("0.0.0.0").port(0).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a bearer token");
    }

    @Test
    void token_requiredOnV1_butNotOnProbes() {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken("s3cret-0123456789abcdef0123456789abcdef").build().start()) {
            Http anonymous = new Http(guarded.baseUri());
            Http wrong = new Http(guarded.baseUri(), "nope");
            Http client = new Http(guarded.baseUri(), "s3cret-0123456789abcdef0123456789abcdef");

            Http.Response refused = anonymous.post("/v1/tasks", task("t", 5));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.errorCode()).isEqualTo("unauthorized");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(wrong.get("/v1/tasks/t").status()).isEqualTo(401);
            assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
            assertThat(client.post("/v1/tasks", task("t", 5)).status()).isEqualTo(202);
            assertThat(client.get("/v1/tasks/t").status()).isEqualTo(200);
        }
    }
}
