package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client reads what it just changed: with snapshots published every 3 s, {@code GET /v1/queues}
 * and {@code GET /v1/instances} right after a pause or a drain show it (they lagged by up to a
 * snapshot interval). Each change follows a fresh publication, so the next one is seconds away.
 */
class ReadYourChangesTest {
    private Engine engine;
    private ApiServer server;
    private Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofSeconds(3)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).build().start();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    @Test
    void aPausedTier_andADrainedInstance_showAtOnce() {
        assertThat(http.get("/v1/queues").json().at("/tier_modes/batch").asText()).isEqualTo("active");
        justPublished();
        assertThat(http.post("/v1/queues/batch:pause", "").status()).isEqualTo(200);
        assertThat(http.get("/v1/queues").json().at("/tier_modes/batch").asText()).isEqualTo("paused");

        justPublished();
        assertThat(http.post("/v1/queues/all:pause", "").status()).isEqualTo(200);
        assertThat(http.get("/v1/queues").json().at("/dispatch_paused").asBoolean()).isTrue();

        justPublished();
        assertThat(http.post("/v1/instances/0:drain", "").status()).isEqualTo(200);
        assertThat(http.get("/v1/instances").json().at("/instances/0/draining").asBoolean()).isTrue();
    }

    /** Waits for the next published snapshot: the one after it is a whole interval away. */
    private void justPublished() {
        var before = engine.latestSnapshot();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> engine.latestSnapshot() != before);
    }
}
