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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as an operator runs it: {@code java -jar queuedeck-engine.jar serve} logs one line
 * when it listens, serves, and stops cleanly on SIGTERM.
 */
class ServeJarIT {
    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");

    private static Process start(String... args) throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        // the default state directory, under a fresh XDG_DATA_HOME: never the user's own
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        return builder.start();
    }

    /** A changed HOME is where its state goes, as the XDG spec says: Java's user.home read the password database instead. */
    @Test
    void serve_withoutADataDir_keepsItsStateUnderHome() throws Exception {
        Path home = Files.createTempDirectory("queuedeck-home");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toString(), "serve", "--port", "0");
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.environment().remove("XDG_DATA_HOME");
        builder.environment().remove("XDG_CONFIG_HOME");
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        try {
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).isNotNull().matches(LISTENING).contains("state in " + home.resolve(".local/share/queuedeck"));
            assertThat(home.resolve(".local/share/queuedeck")).isDirectory();
        } finally {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void serve_logsOneLine_serves_andStopsCleanlyOnSigterm() throws Exception {
        Process process = start("serve", "--port", "0");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertThat(first).as("first line on stdout").isNotNull().matches(LISTENING);
            Matcher m = LISTENING.matcher(first);
            assertThat(m.matches()).isTrue();
            URI base = URI.create(m.group(1));

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> submitted = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(submitted.statusCode()).isEqualTo(202);

            process.toHandle().destroy(); // SIGTERM, leaving our ends of its pipes open (Process.destroy closes them)
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s of SIGTERM").isTrue();
            assertThat(process.exitValue()).isZero(); // a graceful stop, not the JVM's 143 for a signal
            assertThat(out.readLine()).isEqualTo("QueueDeck API stopped");
            assertThat(out.readLine()).isNull();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(err).doesNotContain("Exception").doesNotContain("SEVERE");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void serve_onAnOpenAddressWithoutToken_refusesWithOneLine() throws Exception {
        Process process = start("serve", "--host", "0.0.0.0", "--port", "0");
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(2);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("error: refusing to bind the API to 0.0.0.0 without a bearer token");
            assertThat(Files.exists(JAR)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** Reads the listening line and answers the base URI. */
    private static URI listening(Process process, BufferedReader out) throws Exception {
        String first = out.readLine();
        assertThat(first).as("first line on stdout (stderr: %s)", first == null
                ? new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8) : "").isNotNull().matches(LISTENING);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).isTrue();
        return URI.create(m.group(1));
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(URI uri, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void stop(Process process) throws Exception {
        process.toHandle().destroy();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s of SIGTERM").isTrue();
    }

    /**
     * A data directory's disk with less room than {@code store.min_free_mb} fails readiness while the
     * server lives and still takes work (decision 0119): a balancer sends new work elsewhere before a
     * write fails. A floor of a million MiB is more than this disk has.
     */
    @Test
    void serve_onADiskUnderItsFloor_isAliveButNotReady_andStillTakesWork() throws Exception {
        Path config = Files.writeString(dir.resolve("queuedeck.yaml"), "store:\n  min_free_mb: 1000000\n");
        Process process = start("serve", "--port", "0", "--config", config.toString());
        try {
            URI base = listening(process, new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
            HttpResponse<String> ready = get(base.resolve("/readyz"));
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("MiB free, under store.min_free_mb (1000000 MiB)");
            assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
            assertThat(post(base.resolve("/v1/tasks"), "{\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}").statusCode())
                    .isEqualTo(202);
            stop(process);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void serve_withConfigAndDataDir_limitsTenants_andKeepsDeadLettersAndTheAuditTrailAcrossARestart() throws Exception {
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.start(java.net.InetAddress.getLoopbackAddress(), 0);
            // loopback is refused unless the allow-list names it, with the receiver's port
            Path config = Files.writeString(dir.resolve("queuedeck.yaml"), """
                    server: {port: 1}   # the --port flag wins
                    tenants:
                      rates: {acme: {requests_per_second: 0.2, burst: 1}}
                    callbacks: {max_attempts: 1, allowed_hosts: ["127.0.0.1:%1$d", "localhost:%1$d"]}
                    """.formatted(receiver.getPort()));
            String dataDir = dir.resolve("state").toString();
            String[] args = {"serve", "--config", config.toString(), "--port", "0", "--data-dir", dataDir};
            receiver.enqueue(new MockResponse.Builder().code(400).build());
            String task = "{\"task_id\":\"%s\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4,"
                    + "\"tenant\":\"acme\",\"callback_url\":\"" + receiver.url("/hook") + "\"}";

            Process first = start(args);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
                URI base = listening(first, out);
                assertThat(base.getPort()).isNotEqualTo(1);
                assertThat(post(base.resolve("/v1/tasks"), task.formatted("cb-1")).statusCode()).isEqualTo(202);
                HttpResponse<String> limited = post(base.resolve("/v1/tasks"), task.formatted("cb-2"));
                assertThat(limited.statusCode()).isEqualTo(429);
                assertThat(limited.body()).contains("\"tenant_rate_limited\"").contains("\"field\":\"tenant\"");
                // the next token is 5 s after the first request; a slow machine may take a second of it before asking
                assertThat(limited.headers().firstValue("Retry-After"))
                        .hasValueSatisfying(seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 5));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> get(base.resolve("/v1/callbacks/dead-letters")).body().contains("\"cb-1\""));
                assertThat(post(base.resolve("/v1/queues/p7:pause"), "").statusCode()).isEqualTo(200); // audited

                Process second = start(args);
                try {
                    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(second.exitValue()).isEqualTo(2);
                    assertThat(new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                            .startsWith("error: data directory " + dataDir + " is in use by another running QueueDeck");
                } finally {
                    second.destroyForcibly();
                }
                stop(first);
            } finally {
                first.destroyForcibly();
            }
            assertThat(receiver.takeRequest(5, TimeUnit.SECONDS)).isNotNull(); // the 400

            receiver.enqueue(new MockResponse.Builder().code(204).build());
            Process restarted = start(args);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(restarted.getInputStream(), StandardCharsets.UTF_8));
                URI base = listening(restarted, out);
                assertThat(get(base.resolve("/v1/callbacks/dead-letters")).body()).contains("\"task_id\":\"cb-1\"");
                // the audit trail is kept in the data directory (docs/durability.md), not only in memory
                assertThat(get(base.resolve("/v1/audit")).body()).contains("\"action\":\"queue.pause\"", "\"target\":\"p7:pause\"");

                assertThat(post(base.resolve("/v1/callbacks/dead-letters/cb-1/replay"), "").statusCode()).isEqualTo(202);

                RecordedRequest replayed = receiver.takeRequest(10, TimeUnit.SECONDS);
                assertThat(replayed).isNotNull();
                assertThat(replayed.getHeaders().get("Idempotency-Key")).isEqualTo("cb-1");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> get(base.resolve("/v1/callbacks/dead-letters")).body().equals("{\"dead_letters\":[],\"total\":0}"));
                stop(restarted);
                String err = new String(restarted.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(err).doesNotContain("Exception").doesNotContain("SEVERE");
            } finally {
                restarted.destroyForcibly();
            }
        }
    }
}
