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
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config version applied over the API is kept before its answer (decision 0105): the shaded jar
 * is killed with SIGKILL right after a {@code PUT /v1/config} answered, and the restart over the
 * same file and directory runs that version with its number; a file changed while the process was
 * down runs as the next version.
 */
class ConfigSurvivesRestartIT {
    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final String FILE = "policy:\n  name: priority\n";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private Process serve(Path config, String... flags) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString(), "serve", "--port", "0",
                "--config", config.toString(), "--data-dir", dir.resolve("data").toString()));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        builder.redirectError(dir.resolve("serve.err").toFile());
        return builder.start();
    }

    /** The start-up line's address, its policy checked (the one that runs, not the file's). */
    private static URI base(Process process, String policy) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = String.valueOf(out.readLine());
        Matcher m = LISTENING.matcher(line);
        assertThat(m.matches()).as("the start-up line").isTrue();
        assertThat(line).contains("(policy " + policy + ",");
        return URI.create(m.group(1));
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The line named the file's policy while --policy's ran. */
    @Test
    void thePolicyFlag_isThePolicyTheStartUpLineNames() throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        Path config = dir.resolve("queuedeck.yaml");
        Files.writeString(config, FILE.replace("priority", "mlfq"));
        Process process = serve(config, "--policy", "fifo");
        try {
            base(process, "fifo");
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aVersionAppliedOverTheApi_runsAfterAKill_andAFileChangedMeanwhileRunsAsTheNext() throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        Path config = dir.resolve("queuedeck.yaml");
        Files.writeString(config, FILE);
        Process first = serve(config);
        try {
            URI base = base(first, "priority");
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(base.resolve("/v1/config"))
                    .header("Content-Type", "application/yaml").header("X-QueueDeck-Client", "config-test")
                    .PUT(HttpRequest.BodyPublishers.ofString(FILE.replace("priority", "edf"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            first.destroyForcibly(); // SIGKILL right after the answer: nothing is written at exit
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }

        Process second = serve(config);
        try {
            URI base = base(second, "edf");
            String status = get(base, "/v1/config").body();
            assertThat(status).contains("\"version\":2").contains("\"name\":\"edf\"");
            assertThat(get(base, "/v1/queues").body()).contains("\"policy\":\"edf\"");
            assertThat(get(base, "/v1/config/history").body()).contains("\"version\":1").contains("\"version\":2");
            second.destroy(); // SIGTERM, a clean stop
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            second.destroyForcibly();
        }

        Files.writeString(config, FILE.replace("priority", "mlfq")); // edited while nothing runs
        Process third = serve(config);
        try {
            URI base = base(third, "mlfq");
            String status = get(base, "/v1/config").body();
            assertThat(status).contains("\"version\":3").contains("\"name\":\"mlfq\"").contains("(changed while stopped)");
            assertThat(get(base, "/v1/queues").body()).contains("\"policy\":\"mlfq\"");
        } finally {
            third.destroy();
            third.waitFor(30, TimeUnit.SECONDS);
            third.destroyForcibly();
        }
    }
}
