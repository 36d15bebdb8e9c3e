package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.testing.RedisServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The REST API on the Redis store, with redis-server killed under it: a submission is answered 202
 * only once Redis has it, 503 store_unavailable while Redis is down, 202 again once it is back,
 * and what got a 202 is there after Redis and the engine both restart.
 */
class RedisStoreApiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.appendOnlyAlways();

    private static String task(String id) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}";
    }

    @Test
    void redisKilled_submissionsGet503_thenAcceptedOnceBack_andAcceptedTasksSurviveRestarts() throws Exception {
        AtomicReference<String> acceptedAfter = new AtomicReference<>();
        try (Engine engine = Engine.builder().store(TaskStore.redis(REDIS.uri())).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join(); // nothing runs: every accepted task stays queued
            try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
                Http http = new Http(server.baseUri());
                assertThat(http.post("/v1/tasks", task("before")).status()).isEqualTo(202);

                REDIS.kill();
                Http.Response down = http.post("/v1/tasks", task("while-down"));
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.errorCode()).isEqualTo("store_unavailable");

                REDIS.start();
                AtomicInteger attempt = new AtomicInteger();
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    String id = "after-" + attempt.incrementAndGet();
                    int status = http.post("/v1/tasks", task(id)).status();
                    assertThat(status).as("while reconnecting: 202 or 503, nothing else").isIn(202, 503);
                    if (status == 202) {
                        acceptedAfter.set(id);
                    }
                    return status == 202;
                });
            }
        }

        REDIS.kill(); // appendfsync always: every 202 is in the append-only file
        REDIS.start();
        try (Engine engine = Engine.builder().store(TaskStore.redis(REDIS.uri())).build()) {
            engine.start();
            try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
                Http http = new Http(server.baseUri());
                assertThat(http.get("/v1/tasks/before").status()).isEqualTo(200);
                assertThat(http.get("/v1/tasks/" + acceptedAfter.get()).status()).isEqualTo(200);
                assertThat(http.get("/v1/tasks/while-down").status()).isEqualTo(404);
                assertThat(http.get("/v1/tasks/before").json().path("state").asText()).isEqualTo("QUEUED");
            }
        }
    }

    /**
     * A stalled Redis (SIGSTOP) takes the submission's script and answers nothing: the command times
     * out, the client gets 503 store_unavailable, and Redis runs the script when it wakes. The record
     * stayed there, so a restart brought back as accepted a task its client was told was not; the
     * store writer now removes a refused submission's record in its next batch.
     */
    @Test
    void redisStalled_aSubmissionAnswered503_isNotThereAfterARestart() throws Exception {
        REDIS.flushAll();
        String uri = REDIS.uri() + "?timeout=1s";
        try (Engine engine = Engine.builder().store(TaskStore.redis(uri)).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
                Http http = new Http(server.baseUri());
                assertThat(http.post("/v1/tasks", task("s-before")).status()).isEqualTo(202);

                REDIS.stall();
                Http.Response stalled;
                try {
                    stalled = http.post("/v1/tasks", task("s-stalled"));
                } finally {
                    REDIS.wake();
                }
                assertThat(stalled.status()).isEqualTo(503);
                assertThat(stalled.errorCode()).isEqualTo("store_unavailable");
                // a 202 after the wake: every write queued before it, the removal included, is in Redis
                AtomicInteger attempt = new AtomicInteger();
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> http.post("/v1/tasks", task("s-after-" + attempt.incrementAndGet())).status() == 202);
            }
        }

        try (Engine engine = Engine.builder().store(TaskStore.redis(REDIS.uri())).build()) {
            engine.start();
            try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
                Http http = new Http(server.baseUri());
                assertThat(http.get("/v1/tasks/s-before").status()).isEqualTo(200);
                assertThat(http.get("/v1/tasks/s-stalled").status()).as("answered 503: not accepted, after a restart too")
                        .isEqualTo(404);
            }
        }
    }
}
