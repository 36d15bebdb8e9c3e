package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.testing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --node} in its own process on a real redis-server, and a {@code FLUSHALL} under it
 * (decision 0130): the node says so in its log, on {@code /metrics} and on {@code GET /v1/cluster},
 * stays ready, and takes the next submission. Started from the test classpath, not the jar, so this
 * runs in the unit-test phase.
 */
class ServeNodeDataLossTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final Pattern TIMES = Pattern.compile("(?m)^queuedeck_shared_queue_data_loss\\{what=\"times\"} (\\d+)(\\.0)?$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger ids = new AtomicInteger();

    @TempDir
    Path dir;

    @Test
    void aFlushAllUnderAServeNode_isLogged_onMetrics_andOnTheClusterView_andTheNodeStaysReadyAndTakesWork() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--port", "0", "--in-memory", "--redis", REDIS.uri(), "--node", "gpu-a",
                "--lease", "PT3S"));
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        Path err = dir.resolve("serve.err");
        builder.redirectError(err.toFile());
        Process serve = builder.start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("first line on stdout; stderr: " + Files.readString(err)).isNotNull().matches(LISTENING);
            Matcher m = LISTENING.matcher(first);
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));
            assertThat(submit(base).statusCode()).isEqualTo(202);
            assertThat(timesOnMetrics(base)).isZero();
            assertThat(cluster(base).has("data_loss")).isFalse();

            REDIS.flushAll();

            // an announcement a second: found within one, and a little for a busy machine to run the node's thread
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> timesOnMetrics(base) == 1);
            JsonNode loss = cluster(base).path("data_loss");
            assertThat(loss.path("times").asLong()).isEqualTo(1);
            assertThat(loss.path("marker_gone").asBoolean()).isTrue();
            assertThat(loss.path("written_by").asText()).isEqualTo("gpu-a");
            assertThat(loss.path("message").asText()).startsWith("Redis lost the shared queue's data");
            assertThat(Files.readString(err)).contains("node gpu-a of the shared queue qd:{default}:*: Redis lost the"
                    + " shared queue's data");
            assertThat(get(base, "/readyz").statusCode()).as("the node works: readiness stays").isEqualTo(200);
            assertThat(submit(base).statusCode()).isEqualTo(202);
        } finally {
            serve.destroy(); // SIGTERM: a graceful stop
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }

    private static long timesOnMetrics(URI base) throws Exception {
        Matcher m = TIMES.matcher(get(base, "/metrics").body());
        assertThat(m.find()).as("queuedeck_shared_queue_data_loss{what=\"times\"} on /metrics").isTrue();
        return Long.parseLong(m.group(1));
    }

    private static JsonNode cluster(URI base) throws Exception {
        HttpResponse<String> answer = get(base, "/v1/cluster");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(URI base) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/tasks")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"n-" + ids.incrementAndGet()
                        + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
