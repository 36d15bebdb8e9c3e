package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.queuedeck.engine.testing.RedisServer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two {@code serve --node} processes with simulated GPUs on one real redis-server (appendonly,
 * fsync always), as operators run them: one is killed with SIGKILL mid-run and the other completes
 * everything it held once the leases expire; Redis is killed and restarted mid-run and the nodes
 * answer 503 (never 202) while it is down and lose nothing they acknowledged.
 */
class ClusterIT {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.appendOnlyAlways();

    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process node(String queue, String name, String lease, String... more) throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "serve", "--port", "0", "--in-memory",
                "--instances", "1", "--redis", REDIS.uri(), "--queue", queue, "--node", name, "--lease", lease,
                "--prefetch", "1"));
        command.addAll(List.of(more));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().put("XDG_CONFIG_HOME", dir.resolve("no-config").toString());
        builder.redirectError(dir.resolve(name + "-" + processes.size() + ".err").toFile()); // a-0.err: the first process
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static URI listening(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("first line on stdout").isNotNull().matches(LISTENING);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).isTrue();
        return URI.create(m.group(1));
    }

    private static HttpResponse<String> submit(URI base, String id, int maxTokens) throws Exception {
        return submit(base, id, maxTokens, null);
    }

    private static HttpResponse<String> submit(URI base, String id, int maxTokens, String callbackUrl) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/tasks")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"" + id
                        + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":" + maxTokens
                        + (callbackUrl == null ? "" : ",\"callback_url\":\"" + callbackUrl + "\"") + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics(URI base) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The shared queue as Redis holds it, read directly (what every node sees). */
    private static final class Raw implements AutoCloseable {
        final RedisClient client = RedisClient.create(REDIS.uri());
        final StatefulRedisConnection<String, String> connection = client.connect();
        final RedisCommands<String, String> redis = connection.sync();
        final String prefix;

        Raw(String queue) {
            prefix = "qd:{" + queue + "}:";
        }

        Map<String, String> task(String id) {
            return redis.hgetall(prefix + "t:" + id);
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }

    @Test
    void nodeKilledMidRun_itsLeasedTasksAreReclaimedAfterTheLease_andCompletedByTheOther_noneLost() throws Exception {
        Process a = node("kill", "a", "PT2S");
        Process b = node("kill", "b", "PT2S"); // the two start side by side
        URI baseA = listening(a);
        URI baseB = listening(b);
        List<String> accepted = new ArrayList<>();
        // about three and a half seconds of decoding each (600 steps of 5.6 ms): one simulated GPU runs up to 32 at once,
        // so a node holds 33 and the shared queue keeps a backlog while a is killed
        for (int i = 0; i < 80; i++) {
            String id = "t" + i;
            assertThat(submit(i % 2 == 0 ? baseA : baseB, id, 600).statusCode()).isEqualTo(202);
            accepted.add(id);
        }
        try (Raw raw = new Raw("kill")) {
            Set<String> heldByA = heldByAUntilItIsKilled(raw, a);
            assertThat(heldByA).isNotEmpty();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> accepted.stream().allMatch(id -> "succeeded".equals(raw.task(id).get("state"))));

            for (String id : heldByA) {
                // reclaimed once its lease expired (an attempt counted) and completed by b
                assertThat(raw.task(id)).as(id).containsEntry("finished_by", "b").containsEntry("attempts", "1")
                        .containsEntry("deliveries", "2");
            }
            Map<String, String> stats = raw.redis.hgetall(raw.prefix + "stats");
            assertThat(stats).containsEntry("acked", "80").containsEntry("enqueued", "80");
            // a was killed, so nothing ran twice to completion: a redelivery only where a's lease expired
            assertThat(stats.getOrDefault("duplicates", "0")).isEqualTo("0");
            assertThat(Long.parseLong(stats.get("redelivered"))).isEqualTo(heldByA.size());
            assertThat(metrics(baseB)).contains("queuedeck_shared_queue_tasks{event=\"redelivered\"} " + heldByA.size());
        }
    }

    /**
     * A node killed while it runs tasks on their last attempt: the other node's reaper dead-letters
     * them in the shared queue and its callbacks tell their clients (decision 0117), so every accepted
     * task calls back exactly once, succeeded or dead-lettered. Before, a task that ended in the queue
     * called back never.
     */
    @Test
    void nodeKilledOnItsTasksLastAttempt_theirDeadLettersCallBackFromTheOtherNode_everyTaskOnce() throws Exception {
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.start(InetAddress.getLoopbackAddress(), 0);
            for (int i = 0; i < 40; i++) {
                receiver.enqueue(new MockResponse.Builder().code(200).build());
            }
            String hosts = "127.0.0.1:" + receiver.getPort();
            Process a = node("ended", "a", "PT2S", "--max-attempts", "1", "--callback-hosts", hosts);
            Process b = node("ended", "b", "PT2S", "--max-attempts", "1", "--callback-hosts", hosts);
            URI baseA = listening(a);
            URI baseB = listening(b);
            String hook = "http://" + hosts + "/hook";
            for (int i = 0; i < 40; i++) { // about three and a half seconds of decoding each: both nodes hold theirs at once
                assertThat(submit(i % 2 == 0 ? baseA : baseB, "t" + i, 600, hook).statusCode()).isEqualTo(202);
            }
            Set<String> heldByA;
            try (Raw raw = new Raw("ended")) {
                heldByA = heldByAUntilItIsKilled(raw, a);
            }
            assertThat(heldByA).isNotEmpty();

            Map<String, String> states = new HashMap<>();
            Map<String, Integer> times = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                RecordedRequest request = receiver.takeRequest(90, TimeUnit.SECONDS);
                assertThat(request).as("callback " + (i + 1) + " of 40").isNotNull();
                JsonNode body = new ObjectMapper().readTree(request.getBody().utf8());
                states.put(body.get("task_id").asText(), body.get("state").asText());
                times.merge(body.get("task_id").asText(), 1, Integer::sum);
            }
            assertThat(times).hasSize(40).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            states.forEach((id, state) -> assertThat(state).as(id).isEqualTo(heldByA.contains(id) ? "DEAD_LETTERED" : "SUCCEEDED"));
            assertThat(metrics(baseB)).contains("queuedeck_node_tasks{event=\"ended_callbacks\"} " + heldByA.size());
        }
    }

    /**
     * What node a held from when both nodes hold work until it is killed (SIGKILL: no acknowledgement,
     * no release). Read while waiting as well as after the kill: on a loaded machine a lease of a's can
     * expire before the kill and b's reaper take the task out of a's set first, and a read after the
     * kill alone missed it (a task dead-lettered that the test then expected to succeed). The tasks
     * decode for seconds, so none of a's finishes between the first read and the kill.
     */
    private static Set<String> heldByAUntilItIsKilled(Raw raw, Process a) throws InterruptedException {
        Set<String> held = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            held.addAll(raw.redis.smembers(raw.prefix + "n:a"));
            return !held.isEmpty() && raw.redis.scard(raw.prefix + "n:b") > 0;
        });
        a.destroyForcibly();
        assertThat(a.waitFor(10, TimeUnit.SECONDS)).isTrue();
        held.addAll(raw.redis.smembers(raw.prefix + "n:a"));
        return held;
    }

    /** A client's requests_per_second holds for its requests to every node together (decision 0120). */
    @Test
    void aClientSendingToBothNodes_getsItsRateOnce() throws Exception {
        String token = "0123456789abcdef0123456789abcdef-client";
        Files.writeString(dir.resolve("app.token"), token);
        Path config = Files.writeString(dir.resolve("queuedeck.yaml"), """
                clients:
                  - name: app
                    token_file: app.token
                    requests_per_second: 4
                    burst: 4
                """);
        Process a = node("clients", "a", "PT30S", "--config", config.toString());
        Process b = node("clients", "b", "PT30S", "--config", config.toString());
        List<URI> bases = List.of(listening(a), listening(b));
        int served = 0, limited = 0;
        long start = System.nanoTime();
        for (int i = 0; System.nanoTime() - start < Duration.ofSeconds(3).toNanos(); i++) {
            int status = HTTP.send(HttpRequest.newBuilder(bases.get(i % 2).resolve("/v1/queues"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                served++;
            } else {
                assertThat(status).isEqualTo(429);
                limited++;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;

        // per node, each would have let burst + rate × elapsed through: here both together did
        assertThat(served).isBetween(4 + 4, (int) Math.ceil(4 + 4 * elapsed));
        assertThat(limited).isPositive();
    }

    /** Two processes as one node shared its processing set and its heartbeat, unseen (decision 0115). */
    @Test
    void aSecondProcessUnderALiveNodesName_isRefused_andAKilledNodesNameIsTakenAgain() throws Exception {
        Process first = node("names", "a", "PT30S");
        listening(first);

        Process twin = node("names", "a", "PT30S");
        assertThat(twin.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(twin.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("a-1.err"))).contains("--node: node name a is taken: another process runs as node a");

        first.destroyForcibly(); // SIGKILL: the name is not given up, only its announcements stop
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Process restarted = node("names", "a", "PT30S");
        listening(restarted); // after at most three seconds of its predecessor's silence
    }

    @Test
    void redisRestartedMidRun_nodesAnswer503NeverA202WhileItIsDown_andLoseNothingAcknowledged() throws Exception {
        Process a = node("restart", "a", "PT5S");
        Process b = node("restart", "b", "PT5S");
        URI baseA = listening(a);
        URI baseB = listening(b);
        List<String> accepted = new ArrayList<>();
        int n = 0;
        for (; n < 40; n++) {
            assertThat(submit(n % 2 == 0 ? baseA : baseB, "t" + n, 100).statusCode()).isEqualTo(202);
            accepted.add("t" + n);
        }

        REDIS.kill();
        int refused = 0;
        try {
            for (int i = 0; i < 10; i++, n++) {
                HttpResponse<String> down = submit(n % 2 == 0 ? baseA : baseB, "t" + n, 100);
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                assertThat(down.body()).contains("\"store_unavailable\"");
                refused++;
            }
        } finally {
            REDIS.start();
        }
        assertThat(refused).isEqualTo(10);
        // back: submissions are taken again once the nodes reconnected
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            return submit(baseA, "after", 100).statusCode() == 202;
        });
        accepted.add("after");

        try (Raw raw = new Raw("restart")) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> accepted.stream().allMatch(id -> "succeeded".equals(raw.task(id).get("state"))));
            for (int i = 40; i < 50; i++) {
                assertThat(raw.task("t" + i)).as("refused with 503, so never queued").isEmpty();
            }
        }
        assertThat(Files.readString(dir.resolve("a-0.err"))).contains("shared queue unreachable");
    }
}
