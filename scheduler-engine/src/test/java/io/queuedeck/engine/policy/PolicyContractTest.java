package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every registered policy must do, whatever order it chooses. */
class PolicyContractTest {

    static List<String> policies() {
        return PolicyRegistry.names();
    }

    @ParameterizedTest
    @MethodSource("policies")
    void registry_everyPolicy_createdUnderItsOwnName(String name) {
        assertThat(PolicyRegistry.create(name).name()).isEqualTo(name);
    }

    /**
     * Why: a task an operator placed is never given up on (decision 0010), and {@code fair} asked
     * again and again whether its placed head had lost its objective, moving nothing: the
     * scheduler loop spun forever, and the engine with it.
     */
    @ParameterizedTest
    @MethodSource("policies")
    void aPlacedTaskPastItsObjective_isServed_andThePolicyAnswersAtOnce(String name) {
        SchedulingPolicy policy = PolicyRegistry.create(name);
        io.queuedeck.engine.task.Task placed = new io.queuedeck.engine.task.Task(SimHarness.spec("placed", 5, 4, 10), 1, 10, 0);
        placed.setPlaced(true);
        io.queuedeck.engine.task.Task other = new io.queuedeck.engine.task.Task(SimHarness.spec("other", 5, 4, 10), 2, 10, 0);
        for (io.queuedeck.engine.task.Task task : List.of(placed, other)) {
            policy.admit(task, 0);
            policy.enqueue(task, 0);
        }
        long late = 120_000_000_000L; // past every give-up time
        List<String> served = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> java.util.stream.Stream.of(policy.poll(late), policy.poll(late)).map(t -> t.id()).toList());
        assertThat(served).containsExactlyInAnyOrder("placed", "other");
    }

    @ParameterizedTest
    @MethodSource("policies")
    void cancel_queuedTask_leavesTheQueueAndNeverRuns(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.pause(true);
            sim.submit("a", 3, 10, 2);
            sim.submit("b", 3, 10, 2);
            sim.submit("c", 3, 10, 2);

            TaskView cancelled = sim.engine().send(new Command.Cancel("b")).join();

            assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
            EngineSnapshot snapshot = sim.snapshot();
            assertThat(snapshot.queued()).isEqualTo(2);
            assertThat(snapshot.queuedByPriority().get(3)).isEqualTo(2);
            assertThat(snapshot.counters().cancelled()).isEqualTo(1);
            sim.pause(false);
            sim.runUntilAllFinished();
            assertThat(sim.dispatchOrder()).containsExactly("a", "c");
            assertThat(sim.task("b").firstDispatchAt()).isEqualTo(-1);
            assertThat(sim.task("b").history()).extracting(t -> t.to()).containsExactly(TaskState.QUEUED, TaskState.CANCELLED);
            assertThat(sim.snapshot().counters().succeeded()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void cancel_runningTask_freesTheSlotForTheNext(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.submit("long", 3, 10, 100);
            sim.submit("next", 3, 10, 2);
            sim.runUntil(SimHarness.millis(20));

            sim.engine().send(new Command.Cancel("long")).join();
            sim.runUntilAllFinished();

            TaskView cancelled = sim.task("long");
            assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(cancelled.finishedAt()).isEqualTo(SimHarness.millis(20));
            assertThat(sim.task("next").firstDispatchAt()).isEqualTo(SimHarness.millis(20));
            assertThat(sim.task("next").state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(sim.snapshot().instances().getFirst().kvUsedTokens()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void cancel_finishedTask_conflictAndNothingChanges(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.submit("a", 3, 10, 2);
            sim.runUntilAllFinished();

            assertThatThrownBy(() -> sim.engine().send(new Command.Cancel("a")).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(TaskConflictException.class);
            assertThat(sim.task("a").state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(sim.snapshot().counters().cancelled()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void commands_unknownTaskOrBadPriority_refused(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.pause(true);
            sim.submit("a", 3, 10, 2);

            assertThatThrownBy(() -> sim.engine().send(new Command.Cancel("nope")).join()).hasCauseInstanceOf(TaskNotFoundException.class);
            assertThatThrownBy(() -> sim.engine().send(new Command.Reprioritize("nope", 1)).join()).hasCauseInstanceOf(TaskNotFoundException.class);
            assertThatThrownBy(() -> sim.engine().send(new Command.Reprioritize("a", 10)).join()).hasCauseInstanceOf(InvalidTaskException.class);
            assertThat(sim.task("a").priority()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void reprioritize_queuedTask_takesEffectAtOnce(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.pause(true);
            sim.submit("a", 4, 10, 2);

            TaskView view = sim.engine().send(new Command.Reprioritize("a", 1)).join();

            assertThat(view.priority()).isEqualTo(1);
            assertThat(sim.snapshot().queuedByPriority().get(1)).isEqualTo(1);
            assertThat(sim.snapshot().queuedByPriority().get(4)).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void dispatch_whilePaused_nothingStartsUntilResumed(String policy) {
        try (SimHarness sim = SimHarness.oneAtATime(policy)) {
            sim.pause(true);
            sim.submit("a", 3, 10, 2);
            sim.runUntil(SimHarness.millis(1_000));

            assertThat(sim.task("a").state()).isEqualTo(TaskState.QUEUED);
            sim.pause(false);
            assertThat(sim.task("a").state()).isEqualTo(TaskState.RUNNING);
            assertThat(sim.task("a").waitedNanos()).isEqualTo(SimHarness.millis(1_000));
        }
    }
}
