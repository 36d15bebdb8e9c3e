package io.queuedeck.engine.exec.openai;

import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * An engine whose executor calls real (fake) OpenAI-compatible servers over HTTP, shared by the
 * executor's tests: started by each test, closed after it.
 */
abstract class OpenAiExecutorFixture {
    static final String MODEL = "fake-model";
    static final Duration WAIT = Duration.ofSeconds(10);

    final List<AutoCloseable> closing = new java.util.ArrayList<>();
    Engine engine;
    /** The engine's store; null: none. */
    io.queuedeck.engine.store.TaskStore store;

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    OpenAiExecutor executor;

    FakeOpenAiServer fake(String... models) throws Exception {
        FakeOpenAiServer fake = new FakeOpenAiServer(models.length == 0 ? new String[] {MODEL} : models);
        closing.add(fake);
        return fake;
    }

    void start(Backend... backends) {
        startWith(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(20), backends);
    }

    void startWith(Duration connect, Duration firstToken, Duration total, Backend... backends) {
        OpenAiExecutorBuilder builder = OpenAiExecutor.builder().healthInterval(Duration.ofMillis(50));
        for (Backend b : backends) {
            builder.backend(b.withTimeouts(connect, firstToken, total));
        }
        executor = builder.build();
        closing.add(executor);
        Engine.Builder engineBuilder = Engine.builder().executor(executor).retry(new RetryRule(5, 10_000_000L, 50_000_000L))
                .snapshotInterval(Duration.ofMillis(20));
        if (store != null) {
            engineBuilder.store(store);
        }
        engine = engineBuilder.build();
        engine.start();
    }

    String submit(TaskSpec spec) {
        return engine.send(new Command.Submit(spec)).join().task().id();
    }

    TaskView view(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    TaskView finished(String id) {
        return await().atMost(WAIT).until(() -> view(id), v -> v.state().isFinal());
    }

    /** The instance's token rate, or null before the engine published its first snapshot. */
    Double rate(int instance) {
        io.queuedeck.engine.snapshot.EngineSnapshot latest = engine.latestSnapshot();
        return latest == null ? null : latest.instances().get(instance).backend().tokensPerSecond();
    }

    BackendLoad load(int instance) {
        return engine.latestSnapshot().instances().get(instance).backend();
    }

    InstanceState state(int instance) {
        List<InstanceStatus> status = engine.latestSnapshot().instances();
        return status.get(instance).state();
    }
}
