package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/** Every task that ends is reported exactly once, in its final state; a retried failure is not an end. */
class CompletionFeedTest {
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final List<TaskView> finished = new CopyOnWriteArrayList<>();
    private Engine engine;
    private CompletionFeed feed;

    @BeforeEach
    void start() {
        engine = Engine.builder().build();
        feed = new CompletionFeed(engine, thread).onFinished(finished::add);
        engine.start();
        feed.start(1);
    }

    @AfterEach
    void stop() {
        feed.close();
        engine.close();
        thread.shutdownNow();
    }

    @Test
    void everyEnd_isReportedOnce_evenWhenAnInstanceCrashesMidRun() {
        int tasks = 40;
        for (int i = 0; i < tasks; i++) {
            engine.send(new Command.Submit(new TaskSpec("f" + i, "llama-2-7b", "hi", i % 10, null, null, null, null, 200, null, null))).join();
        }
        engine.send(new Command.CrashInstance(0)).join(); // its tasks fail, wait, and run again elsewhere
        engine.send(new Command.Cancel("f39")).exceptionally(e -> null).join();

        await().atMost(Duration.ofSeconds(30)).until(() -> finished.size() >= tasks);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> finished.size() == tasks);

        Map<String, Long> perTask = finished.stream().collect(Collectors.groupingBy(TaskView::id, Collectors.counting()));
        assertThat(perTask).hasSize(tasks).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        assertThat(finished).allSatisfy(view -> assertThat(view.state().isFinal()).isTrue());
        assertThat(finished).noneMatch(view -> view.state() == TaskState.RETRY_WAIT || view.state() == TaskState.FAILED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().retried()).as("the crash made some tasks retry").isPositive();
    }

    /** A flush that failed was not heard: the batch was marked handed on, and a crash then lost its callbacks. */
    @Test
    void aBatchWhoseFlushFailed_isHandedOnAgainAfterARestart_oneFlushedIsNot() {
        io.queuedeck.engine.store.TaskStore store = io.queuedeck.engine.store.TaskStore.inMemory();
        java.util.concurrent.atomic.AtomicBoolean durable = new java.util.concurrent.atomic.AtomicBoolean(false);
        Engine first = Engine.builder().store(store).build();
        List<TaskView> seen = new CopyOnWriteArrayList<>();
        CompletionFeed firstFeed = new CompletionFeed(first, thread).onFinished(seen::add).afterBatch(durable::get);
        first.start();
        firstFeed.start(1);
        first.send(new Command.Submit(new TaskSpec("lost", "llama-2-7b", "hi", 5, null, null, null, null, 4, null, null))).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 1);
        durable.set(true);
        first.send(new Command.Submit(new TaskSpec("kept", "llama-2-7b", "hi", 5, null, null, null, null, 4, null, null))).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 2);
        firstFeed.close(); // then left as a kill -9 leaves it, once the store has what it wrote
        await().atMost(Duration.ofSeconds(10)).until(() -> store.load(java.time.Instant.now()).tasks().stream()
                .anyMatch(t -> t.id().equals("kept") && t.handedOn()));

        Engine second = Engine.builder().store(store).build();
        List<TaskView> again = new CopyOnWriteArrayList<>();
        var outbox = second.completions(); // before the start, as serve's feed opens it
        second.start();
        try {
            second.send(new Command.TakeSnapshot()).join(); // after the recovery
            outbox.drain(Integer.MAX_VALUE, again::add);
            assertThat(again).extracting(TaskView::id).containsExactly("lost");
        } finally {
            second.close();
            first.close();
        }
    }
}
