package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory for finished tasks is bounded whatever the idempotency window (decision 0058): only the
 * newest few are kept whole, and an older one is still answered, from the store.
 */
class BoundedIdempotencyTest {
    /** Kept whole, both by the loop's finished-task retention and by the idempotency memory. */
    private static final int CAP = 100;

    @TempDir
    Path dir;

    private static TaskSpec spec(String id, String input) {
        return new TaskSpec(id, "m", input, 5, null, null, null, null, 1, 1, null);
    }

    private static Engine.Builder engine(TaskStore store) {
        return Engine.builder().store(store).idempotencyWindow(Duration.ofHours(24)).rememberedFinished(CAP)
                .finishedRetention(CAP).executor(new SimulatedGpuExecutor(4, "m", GpuProfile.LLAMA2_7B_H100));
    }

    @Test
    void twoHundredThousandFinishedTasks_keepAtMostTheCapWhole_andTheFirstStillAnswers_acrossARestart() {
        VirtualClock clock = new VirtualClock();
        TaskStore store = TaskStore.inMemory();
        Engine engine = engine(store).clock(clock).build();
        engine.start();
        TaskView first = engine.send(new Command.Submit(spec("t-0", "hello"))).join().task();
        int mostRemembered = 0;
        for (int i = 1; i < 200_000; i++) {
            engine.send(new Command.Submit(spec("t-" + i, "hello")));
            if (i % 1_000 == 0) {
                clock.runUntilIdle(); // all finished
                mostRemembered = Math.max(mostRemembered, engine.rememberedFinished());
            }
        }
        clock.runUntilIdle();
        assertThat(engine.send(new Command.CountActive()).join()).isZero();
        assertThat(store.taskCount()).isEqualTo(200_000); // every one is in the store for the window
        assertThat(mostRemembered).isPositive().isLessThanOrEqualTo(CAP);
        assertThat(engine.rememberedFinished()).isLessThanOrEqualTo(CAP);

        assertAnsweredAsTheFirst(engine, first);
        assertThat(engine.rememberedFinished()).isLessThanOrEqualTo(CAP);

        Engine restarted = engine(store).clock(clock).build(); // as after a crash: the old engine is left as it is
        restarted.start();
        assertThat(restarted.rememberedFinished()).isLessThanOrEqualTo(CAP);
        assertAnsweredAsTheFirst(restarted, first);
    }

    @Test
    void onTheSystemClockWithTheEmbeddedStore_anOldFinishedTask_isAnsweredFromTheStore_offTheLoop() {
        TaskView first;
        try (Engine engine = engine(TaskStore.embedded(dir)).build()) {
            engine.start();
            first = engine.send(new Command.Submit(spec("t-0", "hello"))).join().task();
            List<CompletableFuture<SubmitResult>> sent = new ArrayList<>();
            for (int i = 1; i < 3 * CAP; i++) {
                sent.add(engine.send(new Command.Submit(spec("t-" + i, "hello"))));
            }
            sent.forEach(CompletableFuture::join);
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.send(new Command.CountActive()).join() == 0);
            assertThat(engine.rememberedFinished()).isLessThanOrEqualTo(CAP);
            assertAnsweredAsTheFirst(engine, first);
        }
        try (Engine restarted = engine(TaskStore.embedded(dir)).build()) {
            restarted.start();
            assertThat(restarted.rememberedFinished()).isLessThanOrEqualTo(CAP);
            assertAnsweredAsTheFirst(restarted, first);
        }
    }

    @Test
    void finishedTasksWithLargeMetadata_areKeptWholeOnlyUpToTheByteBudget_atRunTimeAndAfterARestart() {
        java.util.Map<String, String> metadata = new java.util.TreeMap<>();
        for (int k = 0; k < 60; k++) {
            metadata.put("k" + k, "v".repeat(1_000)); // about 120 KB against the budget: 60,000 characters
        }
        long budget = 2_000_000; // room for about 16 such tasks, where the count cap (100) would keep them all
        java.util.function.Function<TaskStore, Engine> build = store -> engine(store).maxQueuedBytes(budget).build();
        TaskView first;
        try (Engine engine = build.apply(TaskStore.embedded(dir))) {
            engine.start();
            first = engine.send(new Command.Submit(withMetadata("t-0", metadata))).join().task();
            for (int i = 1; i < 60; i++) {
                if (i % 8 == 0) { // waiting tasks count in the budget too: on a busy machine 16 waited at once, and the 17th was refused
                    await().atMost(Duration.ofSeconds(30)).until(() -> engine.send(new Command.CountActive()).join() == 0);
                }
                engine.send(new Command.Submit(withMetadata("t-" + i, metadata))).join();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.send(new Command.CountActive()).join() == 0);
            assertThat(engine.rememberedFinished()).isBetween(1, 17);
            assertThat(engine.send(new Command.Submit(withMetadata("t-0", metadata))).join().created()).isFalse();
        }
        try (Engine restarted = build.apply(TaskStore.embedded(dir))) {
            restarted.start();
            restarted.send(new Command.CountActive()).join(); // commands run once the store is read back
            assertThat(restarted.rememberedFinished()).isBetween(1, 17);
            SubmitResult again = restarted.send(new Command.Submit(withMetadata("t-0", metadata))).join();
            assertThat(again.created()).as("known by id only after the restart: answered from the store").isFalse();
            assertThat(again.task().sequence()).isEqualTo(first.sequence());
        }
    }

    private static TaskSpec withMetadata(String id, java.util.Map<String, String> metadata) {
        return new TaskSpec(id, "m", "hello", 5, null, null, null, null, 1, 1, metadata);
    }

    /** The first task is not kept whole, so each answer below needs the store. */
    private static void assertAnsweredAsTheFirst(Engine engine, TaskView first) {
        SubmitResult again = engine.send(new Command.Submit(spec("t-0", "hello"))).join();
        assertThat(again.created()).isFalse(); // not a second run
        assertThat(again.task().sequence()).isEqualTo(first.sequence());
        assertThat(again.task().state()).isEqualTo(TaskState.SUCCEEDED);

        assertThatThrownBy(() -> engine.send(new Command.Submit(spec("t-1", "a different input"))).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(TaskConflictException.class);

        assertThat(engine.send(new Command.FindTask("t-2")).join()).get()
                .satisfies(view -> assertThat(view.state()).isEqualTo(TaskState.SUCCEEDED));
        assertThat(engine.send(new Command.FindTask("never-submitted")).join()).isEmpty();
    }
}
