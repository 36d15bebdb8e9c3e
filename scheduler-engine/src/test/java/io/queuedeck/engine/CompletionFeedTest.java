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
}
