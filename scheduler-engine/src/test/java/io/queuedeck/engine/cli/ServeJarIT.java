package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

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
        return builder.start();
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
            assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM: the JVM's orderly exit on that signal
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
}
