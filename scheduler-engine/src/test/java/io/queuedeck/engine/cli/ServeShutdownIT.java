package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the shaded jar while concurrent clients submit: every request gets an answer (no
 * connection closed on a client mid-request), every answer is 202 or 503, readiness fails, the
 * process exits 0 within its grace period, and after a restart on the same directory every task
 * that got a 202 runs to the end (none lost) while none that got a 503 exists.
 */
class ServeShutdownIT {
    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");

    @Test
    void sigtermUnderLoad_everyRequestAnswered202Or503_exitZeroWithinGrace_andNoAcceptedTaskLost() throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toString(), "serve", "--port", "0",
                "--shutdown-grace", "20");
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        // the default state directory, under a fresh XDG_DATA_HOME: never the user's own
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        Process process = builder.start();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = LISTENING.matcher(String.valueOf(out.readLine()));
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                running.add(clients.submit(() -> {
                    // each client submits until the server tells it to stop, as a client behind a balancer would
                    while (true) {
                        String id = "term-" + next.getAndIncrement();
                        HttpResponse<String> answer;
                        try {
                            answer = http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":256}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                        } catch (Exception e) {
                            failures.add(e);
                            return;
                        }
                        statuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        if (answer.statusCode() == 202) {
                            accepted.add(id);
                        } else {
                            refused.add(id);
                            if (answer.statusCode() == 503) {
                                assertThat(answer.body()).contains("shutting_down");
                                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                            }
                            return;
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() >= 300);
            long signalled = System.nanoTime();
            process.toHandle().destroy(); // SIGTERM

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            for (Future<?> f : running) {
                f.get(25, TimeUnit.SECONDS);
            }
            assertThat(process.waitFor(25, TimeUnit.SECONDS)).as("stopped within the 20 s grace period").isTrue();
            assertThat((System.nanoTime() - signalled) / 1e9).isLessThan(22.0);
            assertThat(process.exitValue()).isZero();
            assertThat(failures).as("requests left without an answer").isEmpty();
            assertThat(statuses.keySet()).containsOnly(202, 503).contains(503);
            List<String> rest = out.lines().toList();
            assertThat(rest).last().isEqualTo("QueueDeck API stopped");
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(err).doesNotContain("Exception").doesNotContain("SEVERE");
        } finally {
            clients.shutdownNow();
            process.destroyForcibly();
        }

        Process again = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = LISTENING.matcher(String.valueOf(out.readLine()));
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));
            HttpClient http = HttpClient.newHttpClient();
            Set<String> unfinished = ConcurrentHashMap.newKeySet();
            unfinished.addAll(accepted);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (String id : List.copyOf(unfinished)) {
                    HttpResponse<String> task = http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(task.statusCode()).as("accepted task %s after the restart", id).isEqualTo(200);
                    if (task.body().contains("\"state\":\"SUCCEEDED\"")) {
                        unfinished.remove(id);
                    }
                }
                assertThat(unfinished).as("accepted tasks not yet finished after the restart").isEmpty();
            });
            for (String id : refused) {
                assertThat(http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("refused task %s", id).isEqualTo(404);
            }
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
            again.destroyForcibly();
        }
    }

    /**
     * SIGTERM while {@code serve} still starts (here: asking a backend for its models, which does
     * not answer yet) ends it at once with status 0 and a line saying so. It used to exit 143, the
     * JVM's own answer to SIGTERM, which a supervisor reads as a failure.
     */
    @Test
    void sigtermWhileStarting_exitsZeroAtOnce_andSaysNothingWasAccepted() throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer backend = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/v1/models", exchange -> {
            asked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.start();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toString(), "serve", "--port", "0", "--in-memory",
                "--backend", "http://127.0.0.1:" + backend.getAddress().getPort());
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        Path dir = Files.createTempDirectory("queuedeck-xdg");
        builder.environment().put("XDG_CONFIG_HOME", dir.toString());
        builder.redirectErrorStream(true);
        builder.redirectOutput(dir.resolve("serve.out").toFile()); // Process.destroy closes the pipes
        Process process = builder.start();
        try {
            assertThat(asked.await(60, TimeUnit.SECONDS)).as("serve asked the backend for its models").isTrue();

            process.destroy(); // SIGTERM

            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited without waiting for the backend").isTrue();
            String said = Files.readString(dir.resolve("serve.out"));
            assertThat(process.exitValue()).as(said).isZero();
            assertThat(said).contains("stopped while starting").doesNotContain("listening");
        } finally {
            release.countDown();
            process.destroyForcibly();
            backend.stop(0);
        }
    }
}
