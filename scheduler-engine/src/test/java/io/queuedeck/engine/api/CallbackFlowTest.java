package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.metrics.EngineMetrics;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Submit over HTTP, finish in the engine, receive the result at the task's callback_url. */
class CallbackFlowTest {
    private ScheduledExecutorService feedThread;
    private Engine engine;
    private EngineMetrics metrics;
    private CompletionFeed feed;
    private CallbackDispatcher callbacks;
    private ApiServer server;
    private MockWebServer receiver;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        feedThread = Executors.newSingleThreadScheduledExecutor();
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        metrics = new EngineMetrics(engine::latestSnapshot);
        callbacks = CallbackDispatcher.builder(engine.clock(), feedThread)
                .maxAttempts(2)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .allowedHosts(java.util.List.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort()))
                .listener(metrics.callbackListener())
                .build();
        feed = new CompletionFeed(engine, feedThread).onFinished(metrics::recordFinished).onFinished(callbacks::deliver);
        engine.start();
        feed.start(1);
        server = ApiServer.builder(engine).port(0).metrics(metrics).callbacks(callbacks).build().start();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        server.close();
        feed.close();
        engine.close();
        callbacks.close();
        feedThread.shutdownNow();
        receiver.close();
    }

    private String task(String id, int maxTokens) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hello\",\"max_tokens\":" + maxTokens
                + ",\"callback_url\":\"" + receiver.url("/hook") + "\"}";
    }

    @Test
    void succeededTask_postsItsResultToTheCallbackUrl() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        assertThat(http.post("/v1/tasks", task("cb-1", 8)).status()).isEqualTo(202);

        RecordedRequest request = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        JsonNode body = Http.JSON.readTree(request.getBody().utf8());
        assertThat(body.get("task_id").asText()).isEqualTo("cb-1");
        assertThat(body.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("output").asText()).isNotBlank();
        assertThat(body.get("generated_tokens").asInt()).isEqualTo(8);
        assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo("cb-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> scrape().contains("queuedeck_callbacks_delivered_total 1.0"));
    }

    @Test
    void cancelledTask_postsItsCancellation() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        engine.send(new Command.PauseDispatch(true)).join();
        http.post("/v1/tasks", task("cb-c", 8));

        assertThat(http.delete("/v1/tasks/cb-c").status()).isEqualTo(200);

        RecordedRequest request = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(Http.JSON.readTree(request.getBody().utf8()).get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void taskStillWaitingAtItsDeadline_postsItsTimeOut_andIsCounted() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        engine.send(new Command.PauseDispatch(true)).join(); // it waits, whatever the machine's speed
        String body = "{\"task_id\":\"cb-late\",\"model\":\"llama-2-7b\",\"input\":\"hello\",\"max_tokens\":8,"
                + "\"deadline\":\"" + java.time.Instant.now().plusMillis(300) + "\",\"callback_url\":\"" + receiver.url("/hook") + "\"}";

        assertThat(http.post("/v1/tasks", body).status()).isEqualTo(202);

        RecordedRequest request = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        JsonNode sent = Http.JSON.readTree(request.getBody().utf8());
        assertThat(sent.get("task_id").asText()).isEqualTo("cb-late");
        assertThat(sent.get("state").asText()).isEqualTo("TIMED_OUT");
        assertThat(http.get("/v1/tasks/cb-late").json().get("state").asText()).isEqualTo("TIMED_OUT");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> scrape().contains("queuedeck_tasks_completed_total{outcome=\"timed_out\"} 1.0"));
    }

    @Test
    void refusedCallback_isListedAsADeadLetter_andReplays() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(410).build());
        http.post("/v1/tasks", task("cb-dead", 4));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/v1/callbacks/dead-letters").json().get("dead_letters").size() == 1);
        JsonNode dead = http.get("/v1/callbacks/dead-letters").json().get("dead_letters").get(0);
        assertThat(dead.get("task_id").asText()).isEqualTo("cb-dead");
        assertThat(dead.get("last_error").asText()).isEqualTo("HTTP 410");

        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(http.post("/v1/callbacks/dead-letters/cb-dead/replay", "{}").status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.getRequestCount() == 2);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> http.get("/v1/callbacks/dead-letters").json().get("dead_letters").isEmpty());
        assertThat(http.post("/v1/callbacks/dead-letters/cb-dead/replay", "{}").status()).isEqualTo(404);
    }

    @Test
    void submission_withCallbackOffTheAllowList_is400AndQueuesNothing() {
        Http.Response response = http.post("/v1/tasks",
                "{\"task_id\":\"evil\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"callback_url\":\"http://10.1.2.3/x\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("callback_url");
        assertThat(http.get("/v1/tasks/evil").status()).isEqualTo(404);
    }

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
