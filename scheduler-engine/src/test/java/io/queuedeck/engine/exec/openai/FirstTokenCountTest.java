package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * A snapshot taken after a stream's first tokens arrived but before the loop has heard of them
 * counts no token twice. The snapshot used to count what had streamed, and the first-token report,
 * read after it, added one more: a task of 4 tokens ended with 5 (seen once under load). Here the
 * test is the loop, so it decides that the snapshot comes first.
 */
class FirstTokenCountTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void snapshotBeforeTheLoopHearsOfTheFirstToken_countsEachTokenOnce() throws Exception {
        try (FakeOpenAiServer fake = new FakeOpenAiServer("m");
             OpenAiExecutor executor = OpenAiExecutor.builder().healthInterval(Duration.ofMinutes(10))
                     .backend(Backend.at(fake.url()).withModels(List.of("m"))).build()) {
            fake.byDefault(Script.tokens(4));
            HandLoop loop = new HandLoop(new SystemClock());
            executor.bind(loop);
            Task task = new Task(new TaskSpec("t", "m", "q", 5, null, null, null, null, 8, null, null), 0, 8,
                    loop.clock().nanos());
            executor.dispatch(0, task);

            await().atMost(WAIT).until(() -> !loop.posted.isEmpty()); // the first token has streamed
            long snapshotAt = loop.clock().nanos();
            executor.status(); // the snapshot, before the loop reads the report
            await().atMost(WAIT).until(() -> {
                loop.runPosted();
                return !loop.succeeded.isEmpty();
            });

            assertThat(loop.succeeded).containsExactly(task);
            assertThat(task.generatedTokens()).isEqualTo(4);
            assertThat(loop.tokensGenerated).isEqualTo(4);
            assertThat(task.firstTokenAt()).as("the first token's own arrival, not the snapshot's time")
                    .isLessThan(snapshotAt);
        }
    }

    /** The loop, driven by the test's thread: what executors post waits until the test runs it. */
    private static final class HandLoop implements ExecutorContext {
        final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
        final List<Task> succeeded = new ArrayList<>();
        final SystemClock clock;
        int tokensGenerated;

        HandLoop(SystemClock clock) {
            this.clock = clock;
        }

        void runPosted() {
            for (Runnable r; (r = posted.poll()) != null; ) {
                r.run();
            }
        }

        @Override
        public EngineClock clock() {
            return clock;
        }

        @Override
        public void firstToken(Task task) {}

        @Override
        public void tokensGenerated(int count) {
            tokensGenerated += count;
        }

        @Override
        public void succeeded(Task task, String output) {
            succeeded.add(task);
        }

        @Override
        public void failed(Task task, String reason, boolean retryable) {
            throw new AssertionError("failed: " + reason);
        }

        @Override
        public void handedBack(Task task) {
            throw new AssertionError("handed back");
        }

        @Override
        public void stepFinished(int instance, List<Task> batch) {}

        @Override
        public void instanceChanged(int instance) {}

        @Override
        public void post(Runnable action) {
            posted.add(action);
        }
    }
}
