package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise against a real crash: the shaded jar as a child process takes thousands
 * of submissions with callbacks, is killed with SIGKILL at a random moment, and is started again
 * on the same directory. Every task that got a 2xx must finish and its callback arrive; none that
 * was refused may appear. Submissions cut off by the kill have no answer: either outcome is allowed.
 */
class DurableCrashIT {
    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final int TASKS = 3_000;
    private static final Path LOGS = Path.of("target", "it-logs", "DurableCrashIT.log");

    @TempDir
    Path dataDir;

    private static Process start(String... args) throws IOException {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        // the servers' logs, kept for a failure to be read: a callback never seen once, with nothing to show why
        Files.createDirectories(LOGS.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(LOGS.toFile()));
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        return builder.start();
    }

    private static URI listening(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("start-up line").isNotNull();
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).as(first).isTrue();
        Thread.ofPlatform().daemon().start(() -> { // the rest of its output joins the log, and never fills the pipe
            try (var log = Files.newOutputStream(LOGS, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = out.readLine()) != null) {
                    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        return URI.create(m.group(1));
    }

    /**
     * What the restarted server says of each accepted task whose callback never came, and its data
     * directory as it stood, kept beside the logs: without them a failure showed only the ids.
     */
    private String whyNotCalledBack(HttpClient client, URI base, Set<String> accepted, Set<String> called, Process server)
            throws IOException, InterruptedException {
        StringBuilder why = new StringBuilder("accepted but never called back; the restarted server says:");
        for (String id : accepted.stream().filter(id -> !called.contains(id)).sorted().toList()) {
            HttpResponse<String> task = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            why.append("\n  ").append(id).append(": ").append(task.statusCode()).append(' ').append(task.body());
        }
        HttpResponse<String> dead = client.send(HttpRequest.newBuilder(base.resolve("/v1/callbacks/dead-letters")).build(),
                HttpResponse.BodyHandlers.ofString());
        why.append("\n  callback dead letters: ").append(dead.statusCode()).append(' ').append(dead.body());
        String metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        metrics.lines().filter(line -> line.startsWith("queuedeck_callback")).forEach(line -> why.append("\n  ").append(line));
        server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        Path kept = LOGS.resolveSibling("DurableCrashIT-data-" + System.currentTimeMillis());
        try (var files = Files.walk(dataDir)) {
            for (Path file : files.toList()) {
                Files.copy(file, kept.resolve(dataDir.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return why.append("\n  its data directory, as the kill left it: ").append(kept.toAbsolutePath()).toString();
    }

    @Test
    void killedAtARandomMoment_everyAcceptedTaskFinishesAfterTheRestart_andItsCallbackArrives() throws Exception {
        Set<String> called = ConcurrentHashMap.newKeySet();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            called.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.start();
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String[] args = {"serve", "--port", "0", "--data-dir", dataDir.toString(), "--instances", "4",
                "--callback-hosts", "127.0.0.1:" + receiver.getAddress().getPort()}; // loopback only when listed
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        Process first = start(args);
        try {
            URI tasks = listening(first).resolve("/v1/tasks");
            int killAfter = ThreadLocalRandom.current().nextInt(300, TASKS / 2);
            AtomicBoolean killed = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger();
            try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
                for (int c = 0; c < 16; c++) {
                    clients.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < TASKS; ) {
                            String id = "crash-" + i;
                            int priority = i % 10 == 9 ? 42 : i % 10; // every tenth is refused: no such priority
                            String body = "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\","
                                    + "\"max_tokens\":4,\"priority\":" + priority + ",\"callback_url\":\"" + hook + "\"}";
                            try {
                                HttpResponse<String> response = client.send(HttpRequest.newBuilder(tasks)
                                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                if (response.statusCode() / 100 == 2) {
                                    accepted.add(id);
                                    if (accepted.size() >= killAfter && killed.compareAndSet(false, true)) {
                                        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                                    }
                                } else {
                                    refused.add(id);
                                }
                            } catch (IOException e) {
                                // cut off by the kill: no answer, so either outcome is allowed
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    });
                }
            }
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(killed).as("killed mid-load").isTrue();
        } finally {
            first.destroyForcibly();
        }
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(300);
        assertThat(refused).isNotEmpty();

        Process second = start(args);
        try {
            URI base = listening(second);
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> called.containsAll(accepted));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(whyNotCalledBack(client, base, accepted, called, second), e);
            }
            for (String id : accepted) {
                HttpResponse<String> task = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(task.statusCode()).as(id).isEqualTo(200);
                assertThat(task.body()).as(id).contains("\"state\":\"SUCCEEDED\"");
            }
            for (String id : refused) {
                HttpResponse<String> task = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(task.statusCode()).as(id).isEqualTo(404);
            }
            assertThat(called).doesNotContainAnyElementsOf(refused);
        } finally {
            second.destroy();
            second.waitFor(20, TimeUnit.SECONDS);
            second.destroyForcibly();
            receiver.stop(0);
        }
    }
}
