package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deadlines on the virtual clock: one GPU that runs one task at a time, so a task queued behind a
 * long one waits past its deadline.
 */
class DeadlineTest {
    private static final Instant ORIGIN = VirtualClock.DEFAULT_ORIGIN;

    private VirtualClock clock = new VirtualClock();
    private final TaskStore store = TaskStore.inMemory();
    private CompletionOutbox outbox;
    private Engine engine = engine(true);

    private Engine engine(boolean enforce) {
        Engine built = Engine.builder().clock(clock).store(store).enforceDeadlines(enforce)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("priority").build();
        outbox = built.completions();
        built.start();
        return built;
    }

    private static TaskSpec spec(String id, Instant deadline, int maxTokens) {
        return new TaskSpec(id, "m", "in " + id, 5, null, null, null, deadline, maxTokens, 10, null);
    }

    private void submit(String id, Instant deadline, int maxTokens) {
        engine.send(new Command.Submit(spec(id, deadline, maxTokens))).join();
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    private List<TaskView> drained() {
        List<TaskView> views = new ArrayList<>();
        outbox.drain(Integer.MAX_VALUE, views::add);
        return views;
    }

    private long timedOut() {
        return engine.send(new Command.TakeSnapshot()).join().counters().timedOut();
    }

    private long at(Instant instant) {
        return clock.toNanos(instant);
    }

    @Test
    void waitingTask_atItsDeadline_leavesTheQueueTimedOut_withItsCompletionAndCount() {
        submit("long", null, 2_000); // holds the only slot for many seconds
        Instant deadline = ORIGIN.plusSeconds(1);
        submit("late", deadline, 10);

        clock.runUntil(at(deadline) - 1);
        assertThat(task("late").state()).isEqualTo(TaskState.QUEUED); // not a nanosecond early
        assertThat(drained()).isEmpty();

        clock.runUntil(at(deadline));
        TaskView late = task("late");
        assertThat(late.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(late.error()).contains("deadline");
        assertThat(late.finishedAt()).isEqualTo(at(deadline));
        assertThat(drained()).extracting(TaskView::id, TaskView::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("late", TaskState.TIMED_OUT));
        assertThat(timedOut()).isEqualTo(1);
        assertThat(engine.send(new Command.WaitingTasks(10)).join()).isEmpty();

        clock.runUntilIdle();
        assertThat(task("long").state()).isEqualTo(TaskState.SUCCEEDED); // the queue went on without it
    }

    /** A deadline centuries back (its nanos saturate) was taken for one far ahead, and reported as another date. */
    @ParameterizedTest
    @ValueSource(strings = {"0001-01-01T00:00:00Z", "1677-09-22T00:00:00Z", "1999-12-31T00:00:00Z"})
    void deadlineLongPast_timesOutAtOnce_namingTheDeadlineGiven(String given) {
        submit("long", null, 2_000); // holds the only slot
        submit("old", Instant.parse(given), 10);

        TaskView old = task("old");
        assertThat(old.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(old.error()).isEqualTo("deadline " + Instant.parse(given) + " passed while the task waited");
    }

    @Test
    void runningTask_pastItsDeadline_isLeftToFinish() {
        Instant deadline = ORIGIN.plusMillis(10);
        submit("running", deadline, 2_000);
        assertThat(task("running").state()).isEqualTo(TaskState.RUNNING);

        clock.runUntilIdle();

        assertThat(task("running").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("running").finishedAt()).isGreaterThan(at(deadline));
        assertThat(timedOut()).isZero();
    }

    @Test
    void taskThatStartsBeforeItsDeadline_neverTimesOut_andItsTimerIsDropped() {
        Instant deadline = ORIGIN.plusSeconds(3_600);
        submit("quick", deadline, 10);

        clock.runUntilIdle(); // would run the deadline timer if it were still armed

        assertThat(task("quick").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(clock.nanos()).isLessThan(at(deadline));
        assertThat(timedOut()).isZero();
    }

    @Test
    void withoutEnforcement_aLateTaskStillRuns() {
        clock = new VirtualClock();
        engine = engine(false);
        submit("long", null, 2_000);
        submit("late", ORIGIN.plusSeconds(1), 10);

        clock.runUntilIdle();

        assertThat(task("late").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(timedOut()).isZero();
    }

    @Test
    void recoveredTask_whoseDeadlinePassedWhileDown_timesOutAtStart_evenWithDispatchPaused() {
        engine.send(new Command.PauseDispatch(true)).join();
        Instant deadline = ORIGIN.plusSeconds(60);
        submit("a", deadline, 10);
        submit("b", ORIGIN.plus(Duration.ofHours(2)), 10);

        clock = new VirtualClock(ORIGIN.plus(Duration.ofHours(1))); // the process was down for an hour
        engine = engine(true);

        assertThat(task("a").state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(task("b").state()).isEqualTo(TaskState.QUEUED);
        assertThat(drained()).extracting(TaskView::id).containsExactly("a");
        assertThat(timedOut()).isEqualTo(1);

        clock = new VirtualClock(ORIGIN.plus(Duration.ofHours(1))); // and once more: a stays finished
        engine = engine(true);
        assertThat(task("a").state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(timedOut()).isZero();
    }
}
