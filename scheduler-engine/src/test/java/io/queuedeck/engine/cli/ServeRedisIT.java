package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code serve --redis} as an operator runs it, on a real redis-server with appendonly: 202 while
 * Redis is up, 503 store_unavailable while it is killed, 202 again once it is back; and after both
 * the server (SIGKILL) and Redis (SIGKILL) die, a new server on the same Redis has every task that
 * got a 202 and none that got a 503.
 */
class ServeRedisIT {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.appendOnlyAlways();

    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private Process start(String errFile) throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "serve", "--port", "0",
                "--data-dir", dir.resolve("callbacks").toString(), "--redis", REDIS.uri() + "/3"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        builder.redirectError(dir.resolve(errFile).toFile());
        return builder.start();
    }

    private static URI listening(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("first line on stdout").isNotNull().matches(LISTENING);
        assertThat(first).contains("queue in Redis at " + REDIS.uri() + "/3");
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).isTrue();
        return URI.create(m.group(1));
    }

    private static HttpResponse<String> submit(URI base, String id) throws Exception {
        // the task may run and finish meanwhile: a finished one is still found by id within the idempotency window
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/tasks")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"" + id
                        + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int find(URI base, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void serveOnRedis_answers503WhileRedisIsDown_andKeepsEvery202AcrossKills() throws Exception {
        List<String> accepted = new ArrayList<>();
        Process first = start("first.err");
        try {
            URI base = listening(first);
            assertThat(submit(base, "up-1").statusCode()).isEqualTo(202);
            accepted.add("up-1");

            REDIS.kill();
            HttpResponse<String> down = submit(base, "down-1");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"store_unavailable\"");

            REDIS.start();
            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                String id = "up-again-" + attempt.incrementAndGet();
                int status = submit(base, id).statusCode();
                assertThat(status).isIn(202, 503);
                if (status == 202) {
                    accepted.add(id);
                }
                return status == 202;
            });
            first.destroyForcibly(); // SIGKILL: no graceful stop
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }

        REDIS.kill();
        REDIS.start();
        Process second = start("second.err");
        try {
            URI base = listening(second);
            for (String id : accepted) {
                assertThat(find(base, id)).as("task %s got a 202", id).isEqualTo(200);
            }
            assertThat(find(base, "down-1")).isEqualTo(404);
        } finally {
            second.destroyForcibly();
        }
        // the failed writes are logged where the operator looks, and so is their end; the clean restart logs no error
        assertThat(Files.readString(dir.resolve("first.err"))).contains("task store write failed: ")
                .contains("task store write succeeded again after ");
        assertThat(Files.readString(dir.resolve("second.err"))).doesNotContain("SEVERE").doesNotContain("Exception");
    }
}
