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
 * {@code serve --redis --redis-fault-proxy} in its own process on a real redis-server: a network
 * fault on {@code backend:redis} through {@code POST /v1/faults} cuts the running server's Redis
 * (503 store_unavailable) and slows it (latency), and clearing it brings 202s back, while
 * redis-server itself keeps running. The server is started from the test classpath, not the jar,
 * so this runs in the unit-test phase.
 */
class ServeRedisFaultProxyTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger ids = new AtomicInteger();

    @TempDir
    Path dir;

    @Test
    void redisFault_onARunningServe_cutsAndSlowsItsRedis_andClears() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--port", "0", "--in-memory", "--redis", REDIS.uri() + "/4",
                "--redis-fault-proxy"));
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        builder.redirectError(dir.resolve("serve.err").toFile());
        Process serve = builder.start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("first line on stdout; stderr: " + Files.readString(dir.resolve("serve.err")))
                    .isNotNull().matches(LISTENING)
                    .contains("queue in Redis at " + REDIS.uri() + "/4").contains("Redis through a fault proxy (backend:redis)");
            Matcher m = LISTENING.matcher(first);
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));
            assertThat(submit(base).statusCode()).isEqualTo(202);

            HttpResponse<String> cut = post(base, "/v1/faults", "{\"kind\":\"network\",\"target\":\"backend:redis\",\"parameters\":{\"down\":1}}");
            assertThat(cut.statusCode()).as(cut.body()).isEqualTo(201);
            String cutId = JSON.readTree(cut.body()).get("id").asText();
            // the engine's client meets the cut at its next write
            HttpResponse<String> refused = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> submit(base), r -> r.statusCode() == 503);
            assertThat(refused.body()).contains("\"store_unavailable\"");
            assertThat(REDIS.running()).as("redis-server itself still runs").isTrue();

            assertThat(delete(base, "/v1/faults/" + cutId)).isEqualTo(204);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> submit(base).statusCode() == 202);

            HttpResponse<String> slow = post(base, "/v1/faults", "{\"kind\":\"network\",\"target\":\"backend:redis\",\"parameters\":{\"latency_ms\":400}}");
            assertThat(slow.statusCode()).as(slow.body()).isEqualTo(201);
            long start = System.nanoTime();
            assertThat(submit(base).statusCode()).isEqualTo(202);
            assertThat(System.nanoTime() - start).as("an acknowledged write waits for the slowed Redis").isGreaterThanOrEqualTo(400_000_000L);
            JsonNode listed = JSON.readTree(HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/faults")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(listed.get("faults").get(0).get("target").asText()).isEqualTo("backend:redis");
        } finally {
            serve.destroy(); // SIGTERM: a graceful stop
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }

    private HttpResponse<String> submit(URI base) throws Exception {
        return post(base, "/v1/tasks", "{\"task_id\":\"p-" + ids.incrementAndGet()
                + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}");
    }

    private static HttpResponse<String> post(URI base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int delete(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json").DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
