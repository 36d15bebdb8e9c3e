package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console as a child process (headless Monocle), stopped by SIGTERM as a logout or a system
 * stop would: it stops as closing its window does, closes its store and exits 0.
 */
class ConsoleSignalTest {
    @TempDir
    Path dir;

    private List<String> console(Path data, int port) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dglass.platform=Monocle", "-Dmonocle.platform=Headless", "-Dprism.order=sw", "-Djava.awt.headless=true",
                "-Dheadless.geometry=1920x1080-32", "-Dqueuedeck.settings=" + dir.resolve("console.properties"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                "--data-dir", data.toString(), "--api-port", Integer.toString(port), "--load", "0", "--gpus", "1",
                "--shutdown-grace", "2s"));
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    @Test
    void sigterm_stopsGracefully_closesTheStore_andExitsZero() throws Exception {
        int port = freePort();
        Path data = dir.resolve("data");
        List<String> command = console(data, port);
        Path out = dir.resolve("console.log");
        Process console = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(base.resolve("/healthz")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
            HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama-2-7b\",\"input\":\"kept\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

            console.destroy(); // SIGTERM

            assertThat(console.waitFor(60, TimeUnit.SECONDS)).as("the console stopped").isTrue();
            String log = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(console.exitValue()).as(log).isZero();
            assertThat(data.resolve("tasks.db-wal")).as("the store was closed: its log is folded back").doesNotExist();
        } finally {
            console.destroyForcibly();
        }
    }

    /**
     * A second console on a data directory in use (here: held by this test's store) says why in its
     * window and stays until it is closed, instead of vanishing at once with exit code 0; then exit 2.
     */
    @Test
    void dataDirectoryInUse_theWindowSaysWhy_andStays_thenTheProcessExitsTwo() throws Exception {
        Path data = dir.resolve("held");
        try (io.queuedeck.engine.store.TaskStore holder = io.queuedeck.engine.store.TaskStore.embedded(data)) {
            Path out = dir.resolve("second.log");
            Process console = new ProcessBuilder(console(data, freePort())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(out, StandardCharsets.UTF_8)
                        .contains("is in use by another running QueueDeck"));
                assertThat(console.waitFor(3, TimeUnit.SECONDS)).as("the window stays until it is closed").isFalse();

                console.destroy(); // SIGTERM, as closing the window: the refusal's exit code

                assertThat(console.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(console.exitValue()).as(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo(2);
            } finally {
                console.destroyForcibly();
            }
        }
    }
}
