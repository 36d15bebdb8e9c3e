package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How the loop ends tasks whose executor reports failures (not only crashes). */
class SchedulerLoopFailureTest {

    /** One slot; every task fails 1 ms after it starts, retryable or not as configured. */
    private static final class FailingExecutor implements Executor {
        private final boolean retryable;
        private final List<Task> running = new ArrayList<>();
        private ExecutorContext context;

        FailingExecutor(boolean retryable) {
            this.retryable = retryable;
        }

        @Override public void bind(ExecutorContext context) { this.context = context; }
        @Override public int instanceCount() { return 1; }
        @Override public String model(int instance) { return "m"; }
        @Override public boolean canAccept(int instance, Task task) { return running.isEmpty(); }
        @Override public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) { return true; }
        @Override public int load(int instance) { return running.size(); }
        @Override public Optional<String> admissionError(TaskSpec spec) { return Optional.empty(); }
        @Override public void evict(Task task) { running.remove(task); }

        @Override
        public void dispatch(int instance, Task task) {
            running.add(task);
            context.clock().scheduleAfter(1_000_000, () -> {
                if (running.remove(task)) {
                    context.failed(task, "rejected by the server", retryable);
                }
            });
        }

        @Override
        public List<InstanceStatus> status() {
            return List.of(new InstanceStatus(0, "m", InstanceState.UP, running.size(), 1, 0, 1, 1.0));
        }
    }

    private static Engine engine(VirtualClock clock, boolean retryable) {
        return Engine.builder().clock(clock).executor(new FailingExecutor(retryable))
                .retry(new RetryRule(2, 1_000_000, 1_000_000)).build();
    }

    @Test
    void failed_notRetryable_deadLetteredAtOnceAndBooksBalance() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock, false)) {
            engine.start();
            engine.send(new Command.Submit(TaskSpec.of("m", "hi", 5, 4).withTaskId("t"))).join();

            clock.runUntilIdle();

            TaskView t = engine.send(new Command.FindTask("t")).join().orElseThrow();
            assertThat(t.state().isFinal()).as("state %s is final", t.state()).isTrue();
            assertThat(t.state()).isEqualTo(TaskState.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.error()).isEqualTo("rejected by the server");
            EngineSnapshot.Counters counters = engine.send(new Command.TakeSnapshot()).join().counters();
            assertThat(counters.failed()).isEqualTo(1);
            assertThat(counters.retried()).isZero();
            assertThat(counters.succeeded() + counters.cancelled() + counters.deadLettered()).isEqualTo(counters.submitted());
            assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByTier()).containsEntry(Tier.DEAD_LETTER, 1);
        }
    }

    @Test
    void failed_retryable_retriedUntilAttemptsRunOutThenDeadLettered() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock, true)) {
            engine.start();
            engine.send(new Command.Submit(TaskSpec.of("m", "hi", 5, 4).withTaskId("t"))).join();

            clock.runUntilIdle();

            TaskView t = engine.send(new Command.FindTask("t")).join().orElseThrow();
            assertThat(t.state()).isEqualTo(TaskState.DEAD_LETTERED);
            assertThat(t.attempts()).isEqualTo(2);
            assertThat(t.history()).extracting(Task.Transition::to).containsExactly(TaskState.QUEUED,
                    TaskState.RUNNING, TaskState.FAILED, TaskState.RETRY_WAIT, TaskState.QUEUED,
                    TaskState.RUNNING, TaskState.FAILED, TaskState.DEAD_LETTERED);
            EngineSnapshot.Counters counters = engine.send(new Command.TakeSnapshot()).join().counters();
            assertThat(counters.failed()).isEqualTo(2);
            assertThat(counters.retried()).isEqualTo(1);
            assertThat(counters.deadLettered()).isEqualTo(1);
        }
    }
}
