package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A server with the default callback policy (no allow-list) over HTTP: inside destinations and
 * credentials are a 400 on {@code callback_url} at submission, single or batch, and nothing is queued.
 */
class CallbackUrlPolicyTest {
    private ScheduledExecutorService feedThread;
    private Engine engine;
    private CallbackDispatcher callbacks;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() {
        feedThread = Executors.newSingleThreadScheduledExecutor();
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        callbacks = CallbackDispatcher.builder(engine.clock(), feedThread).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).callbacks(callbacks).build().start();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        callbacks.close();
        feedThread.shutdownNow();
    }

    private static String task(String id, String url) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"callback_url\":\"" + url + "\"}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http://169.254.169.254/latest/meta-data/  | a cloud metadata service",
            "http://[fd00:ec2::254]/                   | a cloud metadata service",
            "http://metadata.google.internal/          | internal",
            "http://10.0.0.1/                          | private",
            "http://2852039166/                        | a cloud metadata service",
            "http://127.0.0.1:22/                      | loopback",
            "http://127.0.0.1:8080/v1/queues/all:pause | loopback",
            "http://[::ffff:127.0.0.1]/                | loopback",
            "http://user:pass@hooks.example.com/       | must not carry credentials"})
    void submit_insideOrCredentialedCallback_is400OnCallbackUrl(String url, String why) {
        Http.Response response = http.post("/v1/tasks", task("evil", url));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorField()).isEqualTo("callback_url");
        assertThat(response.json().path("error").path("message").asText()).contains(why).doesNotContain("pass@");
        assertThat(http.get("/v1/tasks/evil").status()).isEqualTo(404);
    }

    @Test
    void submitBatch_insideCallback_is400OnThatTasksCallbackUrl() {
        Http.Response response = http.post("/v1/tasks:batch", "{\"tasks\":[" + task("ok-1", "https://hooks.example.com/cb")
                + "," + task("evil-2", "http://0x7f.1/") + "]}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("tasks[1].callback_url").contains("loopback");
        assertThat(http.get("/v1/tasks/ok-1").status()).as("a batch is all or nothing").isEqualTo(404);
    }

    @Test
    void submit_publicCallback_isAccepted() {
        assertThat(http.post("/v1/tasks", task("fine", "https://hooks.example.com/cb?api_key=k")).status()).isEqualTo(202);
    }
}
