package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.time.Duration;

/**
 * The tokenless loopback server refuses what a web page could forge in a browser (a cross-site
 * form post, a text/plain fetch, a rebound host name), while programs on the machine (curl with
 * JSON, a client header) are served as before.
 */
class ForgedRequestTest {
    private static final String TASK = "{\"model\":\"llama-2-7b\",\"input\":\"hi\"}";

    private Engine engine;
    private ApiServer server;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private RawHttp.Answer send(String method, String path, String body, String... headers) {
        return RawHttp.send(server.port(), method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + (headers.length == 0 ? "" : "\r\n" + String.join("\r\n", headers)), body);
    }

    private boolean paused() {
        return engine.send(new Command.TakeSnapshot()).join().dispatchPaused();
    }

    @Test
    void crossSiteFormPost_toPauseDispatch_isRefused_andDispatchRuns() {
        RawHttp.Answer answer = send("POST", "/v1/queues/all:pause", "", "Origin: http://evil.example",
                "Content-Type: text/plain");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("\"code\":\"origin_not_allowed\"");
        assertThat(paused()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
    void simpleContentType_withoutOrigin_cannotChangeState(String contentType) {
        RawHttp.Answer pause = send("POST", "/v1/queues/all:pause", "", "Content-Type: " + contentType);
        RawHttp.Answer submit = send("POST", "/v1/tasks", TASK, "Content-Type: " + contentType);

        assertThat(pause.status()).isEqualTo(415);
        assertThat(pause.body()).contains("X-QueueDeck-Client");
        assertThat(submit.status()).isEqualTo(415);
        assertThat(paused()).isFalse();
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().submitted()).isZero();
    }

    // the first header was read alone: a loopback Origin before a foreign one let the request through
    @ParameterizedTest
    @ValueSource(strings = {"Origin: http://127.0.0.1|Origin: http://evil.example",
            "Sec-Fetch-Site: same-origin|Sec-Fetch-Site: cross-site"})
    void aForeignOriginOrCrossSiteBehindAnAllowedOne_isRefused(String headers) {
        RawHttp.Answer answer = send("POST", "/v1/queues/all:pause", "",
                (headers + "|X-QueueDeck-Client: x").split("\\|"));

        assertThat(answer.status()).as(answer.body()).isEqualTo(403);
        assertThat(answer.body()).contains("\"code\":\"origin_not_allowed\"");
        assertThat(paused()).isFalse();
    }

    @Test
    void crossSiteFetchMetadata_isRefusedEvenWithJson() {
        RawHttp.Answer answer = send("POST", "/v1/tasks", TASK, "Content-Type: application/json",
                "Sec-Fetch-Site: cross-site");

        assertThat(answer.status()).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "127.0.0.1.evil.example", "[fe80::1]", "10.0.0.1"})
    void foreignHost_isRefused_evenForReads(String host) {
        RawHttp.Answer answer = RawHttp.send(server.port(), "GET /v1/tasks HTTP/1.1\r\nHost: " + host, "");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.body()).contains("\"code\":\"host_not_allowed\"");
    }

    /** An empty Host names no host: the refusal says so, not that it names another. */
    @Test
    void emptyHost_isRefused_sayingItIsEmpty() {
        RawHttp.Answer answer = RawHttp.send(server.port(), "GET /v1/tasks HTTP/1.1\r\nHost: ", "");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("\"code\":\"host_not_allowed\"").contains("the Host header is empty");
    }

    /** HTTP/1.0 may leave Host out; a request naming no host names no allowed one either. */
    @Test
    void http10WithoutHost_isRefused_andChangesNothing() {
        RawHttp.Answer answer = RawHttp.send(server.port(), "POST /v1/queues/all:pause HTTP/1.0\r\nX-QueueDeck-Client: a", "");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("\"code\":\"host_not_allowed\"").contains("missing");
        assertThat(RawHttp.send(server.port(), "GET /v1/queues HTTP/1.1\r\nHost: 127.0.0.1", "").body())
                .contains("\"dispatch_paused\":false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "127.0.0.1", "127.0.0.2:1", "[::1]:9000", "LOCALHOST"})
    void loopbackHost_isServed(String host) {
        RawHttp.Answer answer = RawHttp.send(server.port(), "GET /v1/tasks HTTP/1.1\r\nHost: " + host, "");

        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void curlWithJson_andClientHeader_stillWork() {
        RawHttp.Answer submitted = send("POST", "/v1/tasks", TASK, "Content-Type: application/json", "User-Agent: curl/8.5.0");
        String id = submitted.body().replaceAll(".*\"task_id\":\"([^\"]+)\".*", "$1");
        RawHttp.Answer paused = send("POST", "/v1/queues/p9:pause", "", "X-QueueDeck-Client: ops-script");
        RawHttp.Answer resumed = send("POST", "/v1/queues/p9:resume", "", "Content-Type: application/json");
        RawHttp.Answer cancelled = send("DELETE", "/v1/tasks/" + id, "", "X-QueueDeck-Client: cli");
        RawHttp.Answer bareDelete = send("DELETE", "/v1/tasks/" + id, "");
        RawHttp.Answer sameOrigin = send("POST", "/v1/queues/p9:resume", "", "Content-Type: application/json",
                "Origin: http://localhost:3000");

        assertThat(submitted.status()).isEqualTo(202);
        assertThat(paused.status()).isEqualTo(200);
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(cancelled.status()).isIn(200, 409); // 409 when it already finished
        assertThat(bareDelete.status()).isEqualTo(415);
        assertThat(sameOrigin.status()).isEqualTo(200);
        assertThat(send("GET", "/v1/tasks/" + id, "").status()).isEqualTo(200);
    }

    @Test
    void tokenServer_leavesOriginAndHostToTheToken() {
        String token = "t".repeat(32);
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken(token).build().start()) {
            RawHttp.Answer answer = RawHttp.send(guarded.port(), "GET /v1/tasks HTTP/1.1\r\nHost: api.example.com"
                    + "\r\nAuthorization: Bearer " + token, "");

            assertThat(answer.status()).isEqualTo(200);
        }
    }
}
