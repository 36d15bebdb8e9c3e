package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.metrics.EngineMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} fails while the data directory's disk has less room than its floor (decision
 * 0119): a real server over the real disk of a temporary directory, the floor set above and below
 * what that disk has free.
 */
class DiskFloorTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private Engine engine;
    private ApiServer server;

    private URI start(long floor) {
        engine = Engine.builder().build();
        engine.start();
        EngineMetrics metrics = new EngineMetrics(engine::latestSnapshot);
        server = ApiServer.builder(engine).port(0).metrics(metrics).diskFloor(dir, floor).build().start();
        return server.baseUri();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFloorAboveWhatTheDiskHasFree_failsReadiness_withHowMuchIsFree() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        URI base = start(free + (1L << 40)); // a terabyte more than there is

        HttpResponse<String> ready = get(base, "/readyz");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"not_ready\"").contains("the data directory's disk has ")
                .contains("MiB free, under store.min_free_mb");
        assertThat(get(base, "/healthz").statusCode()).as("alive, only not ready").isEqualTo(200);
        assertThat(get(base, "/metrics").body()).contains("queuedeck_data_dir_free_bytes ")
                .contains("queuedeck_data_dir_free_floor_bytes ");
    }

    @Test
    void aFloorUnderWhatTheDiskHasFree_orNone_leavesReadinessToTheRest() throws Exception {
        URI base = start(1);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> get(base, "/readyz").statusCode() == 200); // once the first snapshot is out
        stop();
        URI none = start(0);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> get(none, "/readyz").statusCode() == 200);
    }
}
