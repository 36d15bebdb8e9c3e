package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.fault.ActiveFault;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP-level faults of a real backend, injected through the fault catalogue against two real
 * local OpenAI-compatible servers: 5xx, 429 with Retry-After and a stalled stream hit exactly one
 * backend, the executor handles each as it would from a real server, and clearing restores it.
 */
class BackendHttpFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private FakeOpenAiServer a;
    private FakeOpenAiServer b;
    private OpenAiExecutor executor;
    private Engine engine;
    private ScheduledExecutorService timers;
    private FaultCatalogue faults;

    @BeforeEach
    void start() throws Exception {
        a = new FakeOpenAiServer("model-a");
        b = new FakeOpenAiServer("model-b");
        a.byDefault(Script.tokens(3));
        b.byDefault(Script.tokens(3));
        executor = OpenAiExecutor.builder().healthInterval(Duration.ofMillis(50))
                .backend(Backend.at(a.url()).withModels(List.of("model-a"))
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(20)))
                .backend(Backend.at(b.url()).withModels(List.of("model-b"))
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(20)))
                .build();
        engine = Engine.builder().executor(executor).retry(new RetryRule(3, 10_000_000L, 50_000_000L))
                .snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
        faults.registerBackends(executor.faults());
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
        executor.close();
        timers.shutdownNow();
        a.close();
        b.close();
    }

    private ActiveFault inject(String target, Map<String, Double> parameters) {
        return faults.inject(new FaultSpec(FaultKind.HTTP, new BlastRadius(BlastRadius.Scope.BACKEND, target), parameters, null));
    }

    private TaskView finished(String model) {
        String id = engine.send(new Command.Submit(TaskSpec.of(model, "hi", 5, 3))).join().task().id();
        return await().atMost(WAIT).until(() -> engine.send(new Command.FindTask(id)).join().orElseThrow(), v -> v.state().isFinal());
    }

    @Test
    void status503_onOneBackend_failsItsAttemptsOnlyAndClears() {
        ActiveFault fault = inject("model-a", Map.of("status", 503.0));

        TaskView onA = finished("model-a");
        TaskView onB = finished("model-b");

        assertThat(onA.state()).isEqualTo(TaskState.DEAD_LETTERED); // three attempts, each a 503
        assertThat(onA.attempts()).isEqualTo(3);
        assertThat(onA.error()).contains("503");
        assertThat(a.requests()).as("answered before the server").isEmpty();
        assertThat(onB.state()).as("blast radius: one backend").isEqualTo(TaskState.SUCCEEDED);

        faults.clear(fault.id());

        assertThat(finished("model-a").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(a.requests()).hasSize(1);
    }

    @Test
    void status429_withRetryAfter_pausesTheBackendThenSucceeds() {
        inject(a.url(), Map.of("status", 429.0, "retry_after_s", 2.0, "fraction", 0.5)); // every other request

        TaskView done = finished("model-a");

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(a.requests()).as("the first request was answered 429 before the server").hasSize(1);
        assertThat((done.finishedAt() - done.arrivedAt()) / 1e9).as("paused for its Retry-After").isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void stalledStream_reachesTheServer_isEndedByTheReadTimeoutAndRetried() {
        ActiveFault fault = inject("model-a", Map.of("stall", 1.0, "fraction", 0.5));

        TaskView done = finished("model-a");

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2); // the stalled one, then one that streamed
        assertThat(a.requests()).as("a stall happens after the request reached the server").hasSize(2);
        assertThat((done.finishedAt() - done.arrivedAt()) / 1e9).as("the 1 s read timeout ended it").isGreaterThanOrEqualTo(1.0);
        faults.clear(fault.id());
    }

    @Test
    void unknownBackend_isRefusedFieldPrecisely() {
        assertThatThrownBy(() -> inject("no-such-model", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("target: no backend is 'no-such-model'; backends: ");
        assertThatThrownBy(() -> inject("model-a", Map.of("status", 404.0)))
                .hasMessageContaining("parameters.status: must be 429 or 500..599");
    }

    @Test
    void aFaultTheExecutorCannotAct_isRefusedOnItsKind_andNothingStaysInForce() {
        // it was a 500 with UnsupportedOperationException in the log
        assertThatThrownBy(() -> faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.NODE, Map.of("factor", 2.0), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kind: slow cannot act here: this executor cannot slow instances down");
        assertThat(faults.active()).isEmpty();
    }
}
