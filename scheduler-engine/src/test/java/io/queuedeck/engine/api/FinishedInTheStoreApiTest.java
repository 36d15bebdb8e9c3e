package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.store.TaskStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finished task the loop no longer holds whole (decision 0058) is answered from the store: its
 * GET shows it, and cancelling or moving it is a conflict (409), as for one that finished a moment
 * ago, never "no such task" (404).
 */
class FinishedInTheStoreApiTest {
    private static final int CAP = 10;

    @TempDir
    Path dir;

    @Test
    void oldFinishedTask_getAnswers_cancelAndPatchAre409_anUnknownIdStays404() {
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).idempotencyWindow(Duration.ofHours(1))
                .rememberedFinished(CAP).finishedRetention(CAP)
                .executor(new SimulatedGpuExecutor(4, "llama-2-7b", GpuProfile.LLAMA2_7B_H100)).build();
             ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
            engine.start();
            Http http = new Http(server.baseUri());
            for (int i = 0; i < 4 * CAP; i++) {
                assertThat(http.post("/v1/tasks", "{\"task_id\":\"t-" + i + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":2}")
                        .status()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.send(new Command.CountActive()).join() == 0);
            assertThat(engine.rememberedFinished()).isLessThanOrEqualTo(CAP);

            assertThat(http.get("/v1/tasks/t-0").json().get("state").asText()).isEqualTo("SUCCEEDED");
            Http.Response cancel = http.delete("/v1/tasks/t-0");
            assertThat(cancel.status()).isEqualTo(409);
            assertThat(cancel.errorCode()).isEqualTo("conflict");
            assertThat(cancel.json().at("/error/message").asText()).contains("already SUCCEEDED");
            assertThat(http.patch("/v1/tasks/t-0", "{\"priority\":1}").status()).isEqualTo(409);
            assertThat(http.patch("/v1/tasks/t-0", "{\"position\":\"front\"}").status()).isEqualTo(409);

            assertThat(http.delete("/v1/tasks/never-submitted").status()).isEqualTo(404);
        }
    }
}
