package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An instance an operator took offline or drains stays so after the process dies (decision 0118):
 * the shaded jar is killed with SIGKILL right after the answers, and the restart on the same data
 * directory comes back with the same instances out of service. Before, every instance came back in
 * service, and a server taken out for maintenance took work again. The same for a node of a queue
 * shared in Redis (decision 0122), which keeps its holds there under its name.
 */
class InstanceHoldsSurviveRestartIT {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private Process serve(boolean node) throws Exception {
        List<String> args = new ArrayList<>(List.of("--instances", "3", "--data-dir", dir.resolve("data").toString()));
        if (node) {
            args.addAll(List.of("--redis", REDIS.uri(), "--node", "a", "--queue", "holds"));
        }
        return ServeProcesses.start(dir, args);
    }

    private int act(URI base, String action) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/instances/" + action))
                .header("X-QueueDeck-Client", "operator").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private JsonNode instances(URI base) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/v1/instances")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("instances");
    }

    @ParameterizedTest(name = "node of a shared queue: {0}")
    @ValueSource(booleans = {false, true})
    void instancesTakenOfflineOrDraining_areSoAfterAKillAndRestart(boolean node) throws Exception {
        Process first = serve(node);
        try {
            URI base = ServeProcesses.base(first);
            assertThat(act(base, "0:offline")).isEqualTo(200);
            assertThat(act(base, "1:drain")).isEqualTo(200);
            assertThat(act(base, "2:offline")).isEqualTo(200);
            assertThat(act(base, "2:online")).isEqualTo(200); // back in service before the kill
            first.destroyForcibly(); // SIGKILL right after the answers: nothing is written at exit
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }

        Process second = serve(node);
        try {
            JsonNode instances = instances(ServeProcesses.base(second));
            assertThat(instances.get(0).get("state").asText()).isEqualToIgnoringCase("offline");
            assertThat(instances.get(1).get("draining").asBoolean()).isTrue();
            assertThat(instances.get(2).get("state").asText()).isNotEqualToIgnoringCase("offline");
            assertThat(instances.get(2).get("draining").asBoolean()).isFalse();
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
            second.destroyForcibly();
        }
    }
}
