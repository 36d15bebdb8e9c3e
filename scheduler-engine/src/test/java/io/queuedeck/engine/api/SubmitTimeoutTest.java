package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.SubmitExpiredException;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A submission the server stops waiting for is answered truthfully: 202 means queued, 503 means
 * not queued, so a client that retries a 503 without a task_id creates no duplicate.
 */
class SubmitTimeoutTest {

    @Test
    void submitsUnderLoad_eachAnswerIs202AndQueuedOr503AndNotQueued() throws Exception {
        try (Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join(); // nothing runs, so every queued task stays findable
            try (ApiServer server = ApiServer.builder(engine).port(0).requestTimeout(Duration.ofMillis(2)).build().start();
                 ExecutorService clients = Executors.newFixedThreadPool(17)) {
                AtomicBoolean loaded = new AtomicBoolean(true);
                // the load: submissions straight into the engine in bursts, so the loop's queue of
                // commands is often longer than the 2 ms the server waits
                Future<?> flood = clients.submit(() -> {
                    for (int burst = 0; loaded.get() && burst < 100; burst++) {
                        List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
                        for (int i = 0; i < 2_000; i++) {
                            sent.add(engine.send(new Command.Submit(new TaskSpec("load-" + burst + "-" + i, "llama-2-7b",
                                    "x", 5, null, null, null, null, 4, null, null))));
                        }
                        sent.forEach(java.util.concurrent.CompletableFuture::join);
                    }
                });
                Map<String, Http.Response> answers = new ConcurrentHashMap<>();
                List<Future<?>> posting = new ArrayList<>();
                for (int c = 0; c < 16; c++) {
                    int client = c;
                    posting.add(clients.submit(() -> {
                        Http http = new Http(server.baseUri());
                        for (int j = 0; j < 60; j++) {
                            String id = "c" + client + "-" + j;
                            answers.put(id, http.post("/v1/tasks", "{\"task_id\":\"" + id
                                    + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}"));
                        }
                    }));
                }
                for (Future<?> f : posting) {
                    f.get();
                }
                loaded.set(false);
                flood.get();

                int refused = 0;
                for (Map.Entry<String, Http.Response> answer : answers.entrySet()) {
                    Http.Response response = answer.getValue();
                    boolean queued = engine.send(new Command.FindTask(answer.getKey())).join().isPresent();
                    assertThat(response.status()).as("%s: %s", answer.getKey(), response.body()).isIn(202, 503);
                    if (response.status() == 503) {
                        refused++;
                        assertThat(response.errorCode()).isEqualTo("engine_timeout");
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                        assertThat(queued).as("%s was refused with 503 but queued", answer.getKey()).isFalse();
                    } else {
                        assertThat(queued).as("%s was accepted with 202 but is not known", answer.getKey()).isTrue();
                    }
                }
                assertThat(answers).hasSize(16 * 60);
                assertThat(refused).as("the load made some submissions wait past the timeout").isPositive();
            }
        }
    }

    @Test
    void submitPastItsAcceptBy_isRefusedAndNotQueued() {
        try (Engine engine = Engine.builder().build()) {
            engine.start();
            TaskSpec spec = new TaskSpec("late", "llama-2-7b", "x", 5, null, null, null, null, 4, null, null);

            Throwable refusal = null;
            try {
                engine.send(new Command.Submit(spec, -1, engine.clock().nanos() - 1)).join();
            } catch (CompletionException e) {
                refusal = e.getCause();
            }

            assertThat(refusal).isInstanceOf(SubmitExpiredException.class).hasMessageContaining("not queued");
            assertThat(engine.send(new Command.FindTask("late")).join()).isEmpty();
            assertThat(engine.send(new Command.Submit(spec, -1, engine.clock().nanos() + 60_000_000_000L)).join().created()).isTrue();
        }
    }
}
