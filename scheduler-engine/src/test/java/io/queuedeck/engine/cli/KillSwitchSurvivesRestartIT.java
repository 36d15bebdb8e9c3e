package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault kill switch pulled over the API stays pulled after the process dies: the shaded jar is
 * killed with SIGKILL right after the 200, and the restart on the same data directory refuses
 * faults until re-armed; a re-arm survives the same way. Before, every start was armed, and a
 * switch pulled in an incident let faults in again after a crash.
 */
class KillSwitchSurvivesRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private Process serve() throws Exception {
        return ServeProcesses.start(dir, List.of("--data-dir", dir.resolve("data").toString()));
    }

    private HttpResponse<String> post(URI base, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .header("X-QueueDeck-Client", "operator").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private boolean armed(URI base) throws Exception {
        JsonNode faults = JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/v1/faults")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        return faults.get("armed").asBoolean();
    }

    /** Runs {@code action} against a fresh server on the data directory, then kills it with SIGKILL. */
    private void killedAfter(Action action) throws Exception {
        Process process = serve();
        try {
            action.run(ServeProcesses.base(process));
            process.destroyForcibly(); // SIGKILL right after the answers: nothing is written at exit
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private interface Action {
        void run(URI base) throws Exception;
    }

    @Test
    void killSwitchPulled_staysPulledAfterAKillAndRestart_andARearmStaysToo() throws Exception {
        killedAfter(base -> {
            assertThat(armed(base)).isTrue();
            assertThat(post(base, "/v1/faults:disarm", "{}").statusCode()).isEqualTo(200);
        });

        killedAfter(base -> {
            assertThat(armed(base)).as("pulled before the kill").isFalse();
            HttpResponse<String> refused = post(base, "/v1/faults", "{\"kind\":\"slow\"}");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.body()).contains("faults_disarmed");
            assertThat(post(base, "/v1/faults:arm", "{}").statusCode()).isEqualTo(200);
        });

        killedAfter(base -> {
            assertThat(armed(base)).as("re-armed before the kill").isTrue();
            assertThat(post(base, "/v1/faults", "{\"kind\":\"slow\"}").statusCode()).isEqualTo(201);
        });
    }
}
