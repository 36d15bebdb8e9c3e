package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultyStore;
import io.queuedeck.engine.store.TaskStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A full disk: new work is refused with 503, what was acknowledged stays stored, and work is taken again once space returns. */
class StoreFaultTest {

    @Test
    void storeFull_refusesNewWork503_keepsAcknowledged_recoversWhenCleared(@TempDir Path dir) {
        TaskStore embedded = TaskStore.embedded(dir);
        FaultyStore store = new FaultyStore(embedded);
        Engine engine = Engine.builder().store(store).build();
        engine.start();
        dispatchPaused(engine); // keep the tasks queued, so they stay stored
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.live(timers, System::nanoTime), () -> 0);
        faults.registerStore(store);
        ApiServer server = ApiServer.builder(engine).port(0).faults(faults).build().start();
        try {
            Http http = new Http(server.baseUri());
            assertThat(http.post("/v1/tasks", task("before")).status()).isEqualTo(202);

            Http.Response injected = http.post("/v1/faults", "{\"kind\":\"store_full\"}");
            assertThat(injected.status()).isEqualTo(201);
            Http.Response refused = http.post("/v1/tasks", task("during"));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("store_unavailable");
            assertThat(store.load(Instant.now()).toString()).contains("before").doesNotContain("during");
            // a balancer sends new work elsewhere while nothing new can be made durable (it said "ready")
            Http.Response notReady = http.get("/readyz");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.errorCode()).isEqualTo("not_ready");

            // a change of an accepted task while the disk is full: done here, not yet durable
            assertThat(http.delete("/v1/tasks/before").status()).isEqualTo(503);

            assertThat(http.delete("/v1/faults/" + injected.json().get("id").asText()).status()).isEqualTo(204);
            // with nothing new submitted (a balancer sends nothing to a server that is not ready), the store
            // catches up by itself: the cancel is written, so a restart does not bring "before" back queued
            // to run again; the refused task is never written: "not accepted" holds after a restart too
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> http.get("/readyz").status() == 200);
            java.util.Map<String, io.queuedeck.engine.task.TaskState> stored = new java.util.HashMap<>();
            store.load(Instant.now()).tasks().forEach(t -> stored.put(t.id(), t.state()));
            assertThat(stored).containsEntry("before", io.queuedeck.engine.task.TaskState.CANCELLED).doesNotContainKey("during");

            // the first submission once the disk has room is accepted: it was answered with the outage's stale failure
            Http.Response again = http.post("/v1/faults", "{\"kind\":\"store_full\"}");
            assertThat(http.post("/v1/tasks", task("during-2")).status()).isEqualTo(503);
            assertThat(http.delete("/v1/faults/" + again.json().get("id").asText()).status()).isEqualTo(204);
            assertThat(http.post("/v1/tasks", task("after")).status()).isEqualTo(202);
            assertThat(store.load(Instant.now()).toString()).contains("after").doesNotContain("during-2");
        } finally {
            server.close();
            engine.close();
            timers.shutdownNow();
        }
    }

    private static void dispatchPaused(Engine engine) {
        engine.send(new io.queuedeck.engine.command.Command.PauseDispatch(true)).join();
    }

    private static String task(String id) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":8}";
    }
}
