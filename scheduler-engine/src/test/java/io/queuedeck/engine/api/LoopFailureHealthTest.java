package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An Error that ends the scheduler loop, or a pass of it that never ends, is reported, fails
 * /healthz, and reaches the owner's handler.
 */
class LoopFailureHealthTest {

    /** Runs out of memory (as a real heap would) on the first dispatch; or, {@code stuck}, never returns from it. */
    private static final class ExhaustedExecutor implements Executor {
        private final boolean stuck;
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);

        ExhaustedExecutor(boolean stuck) {
            this.stuck = stuck;
        }

        @Override public void bind(ExecutorContext context) {}
        @Override public int instanceCount() { return 1; }
        @Override public String model(int instance) { return "m"; }
        @Override public boolean canAccept(int instance, Task task) { return true; }
        @Override public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) { return true; }
        @Override public int load(int instance) { return 0; }
        @Override public Optional<String> admissionError(TaskSpec spec) { return Optional.empty(); }
        @Override public void evict(Task task) {}

        @Override
        public void dispatch(int instance, Task task) {
            if (!stuck) {
                throw new OutOfMemoryError("Java heap space (simulated)");
            }
            entered.countDown();
            try {
                release.await(); // as a spinning policy or a hung call would: the pass never ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public List<InstanceStatus> status() {
            return List.of(new InstanceStatus(0, "m", InstanceState.UP, 0, 1, 0, 1, 1.0));
        }
    }

    @Test
    void errorOnTheLoop_failsHealthz_refusesCommands_andCallsTheFailureHandler() {
        CompletableFuture<Throwable> handed = new CompletableFuture<>();
        Engine engine = Engine.builder().executor(new ExhaustedExecutor(false)).snapshotInterval(Duration.ofMillis(20))
                .onLoopFailure(handed::complete).build();
        engine.start();
        try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
            Http http = new Http(server.baseUri());
            assertThat(http.get("/healthz").status()).isEqualTo(200);
            assertThat(engine.alive()).isTrue();

            // dispatched at once: the loop dies, and the waiting submission hears so instead of timing out
            Http.Response submitted = http.post("/v1/tasks", "{\"model\":\"m\",\"input\":\"hi\",\"max_tokens\":4}");
            assertThat(submitted.status()).isEqualTo(503);
            assertThat(submitted.errorCode()).isEqualTo("engine_down");

            assertThat(handed).succeedsWithin(Duration.ofSeconds(5)).isInstanceOf(OutOfMemoryError.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> !engine.alive());
            Http.Response health = http.get("/healthz");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.errorCode()).isEqualTo("engine_down");
            assertThat(engine.send(new Command.TakeSnapshot())).failsWithin(Duration.ofSeconds(1));
        } finally {
            engine.close();
        }
    }

    /** Why: a policy that spun forever froze the engine with /healthz green, and nothing ended the process. */
    @Test
    void aPassThatNeverEnds_failsHealthz_andReachesTheFailureHandler_sayingWhere() {
        CompletableFuture<Throwable> handed = new CompletableFuture<>();
        ExhaustedExecutor hung = new ExhaustedExecutor(true);
        Engine engine = Engine.builder().executor(hung).snapshotInterval(Duration.ofMillis(20))
                .loopStallTimeout(Duration.ofMillis(500)).onLoopFailure(handed::complete).build();
        engine.start();
        try (ApiServer server = ApiServer.builder(engine).port(0).build().start()) {
            Http http = new Http(server.baseUri());
            assertThat(http.get("/healthz").status()).isEqualTo(200);

            engine.send(new Command.Submit(TaskSpec.of("m", "hi", 5, 4)));

            assertThat(handed).succeedsWithin(Duration.ofSeconds(10)).satisfies(stuck -> assertThat(stuck.getMessage())
                    .contains("stuck").contains("ExhaustedExecutor.dispatch"));
            assertThat(engine.alive()).isFalse();
            Http.Response health = http.get("/healthz");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.errorCode()).isEqualTo("engine_down");
        } finally {
            hung.release.countDown();
            engine.close();
        }
    }

    /** Why: a stop waited for the stuck loop's answers with no end, and a second close or SIGTERM did nothing. */
    @Test
    void aGracefulStop_endsWithItsGracePeriod_evenWhenTheLoopNeverAnswers() throws Exception {
        ExhaustedExecutor hung = new ExhaustedExecutor(true);
        Engine engine = Engine.builder().executor(hung).loopStallTimeout(Duration.ofMinutes(10)).onLoopFailure(e -> { })
                .build();
        engine.start();
        try {
            engine.send(new Command.Submit(TaskSpec.of("m", "hi", 5, 4)));
            assertThat(hung.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            boolean finished = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> engine.drain(Duration.ofMillis(300), new java.util.concurrent.CountDownLatch(1)));
            assertThat(finished).isFalse();
            java.util.concurrent.CountDownLatch hurried = new java.util.concurrent.CountDownLatch(0);
            assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> engine.drain(Duration.ofMinutes(10), hurried))).isFalse();
        } finally {
            hung.release.countDown();
            engine.close();
        }
    }
}
