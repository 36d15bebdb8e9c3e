package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.StoreBusyException;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.store.StoredTask;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.testing.GatedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On the system clock: a submission is answered only once it is durable, and the loop never waits for the disk. */
class EngineDurableTest {
    @TempDir
    Path dir;

    private static TaskSpec spec(String id) {
        return new TaskSpec(id, Engine.Builder.DEFAULT_MODEL, "hi", 5, null, null, null, null, 8, 4, null);
    }

    @Test
    void submission_isAnsweredOnlyAfterItsWriteIsDurable_whileTheLoopGoesOn() {
        GatedStore store = new GatedStore();
        try (Engine engine = Engine.builder().store(store).build()) {
            engine.start();
            CompletableFuture<SubmitResult> submitted = engine.send(new Command.Submit(spec("a")));

            // the loop has run the submission (commands run in order) and still answers queries
            assertThat(engine.send(new Command.FindTask("a")).join()).isPresent();
            assertThat(submitted).isNotDone();
            assertThat(store.taskCount()).isZero();

            store.gate.countDown();
            assertThat(submitted.join().created()).isTrue();
            List<StoredTask> stored = store.load(Instant.now()).tasks();
            assertThat(stored).extracting(StoredTask::id).contains("a");
        }
    }

    @Test
    void failedWrite_failsTheSubmission() {
        GatedStore store = new GatedStore();
        store.failing = true;
        store.gate.countDown();
        try (Engine engine = Engine.builder().store(store).build()) {
            engine.start();
            CompletableFuture<SubmitResult> submitted = engine.send(new Command.Submit(spec("a")));
            await().atMost(Duration.ofSeconds(10)).until(submitted::isDone);
            assertThat(submitted).isCompletedExceptionally();
            assertThat(submitted.exceptionNow()).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("disk full");
        }
    }

    @Test
    void storeFarBehind_refusesNewTasks_withoutQueueingThem_andTakesThemAgainOnceCaughtUp() {
        GatedStore store = new GatedStore();
        try (Engine engine = Engine.builder().store(store).build()) {
            engine.start();
            List<CompletableFuture<SubmitResult>> answers = new ArrayList<>();
            for (int i = 0; i < 40_000; i++) { // the writer is stuck on its first batch: each task owes a write and an answer
                answers.add(engine.send(new Command.Submit(spec("t" + i))));
            }
            await().atMost(Duration.ofSeconds(5)).until(answers.getLast()::isDone);
            int firstRefused = 0;
            while (!answers.get(firstRefused).isDone()) {
                firstRefused++;
            }
            assertThat(firstRefused).as("tasks taken before the store was too far behind").isGreaterThan(10_000);
            for (int i = firstRefused; i < answers.size(); i++) {
                assertThat(answers.get(i).exceptionNow()).isInstanceOf(StoreBusyException.class).hasMessageContaining("writes behind");
                assertThat(engine.send(new Command.FindTask("t" + i)).join()).as("refused t%d was not queued", i).isEmpty();
            }

            store.gate.countDown();
            CompletableFuture.allOf(answers.subList(0, firstRefused).toArray(CompletableFuture[]::new)).join();
            assertThat(engine.send(new Command.Submit(spec("after"))).join().created()).isTrue();
        }
    }

    @Test
    void embeddedStore_2000ConcurrentSubmissions_allComeBackAfterARestart() {
        List<CompletableFuture<SubmitResult>> answers = new ArrayList<>();
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            for (int i = 0; i < 2_000; i++) {
                answers.add(engine.send(new Command.Submit(spec("t" + i))));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
        }
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).build()) {
            engine.start();
            assertThat(engine.send(new Command.CountActive()).join()).isEqualTo(2_000);
            assertThat(engine.send(new Command.FindTask("t1999")).join().orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        }
    }
}
