package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A restart on the same store, for every state a task can be in. A "crash" is an engine left as
 * it is (never closed) and a new one built on its store: only what was written survives.
 */
class RecoveryTest {
    private static final Instant DEADLINE = Instant.parse("2030-01-01T00:00:00Z");

    private final VirtualClock clock = new VirtualClock();
    private final TaskStore store = TaskStore.inMemory();
    private Engine engine = engine(RetryRule.DEFAULT);

    private CompletionOutbox outbox;

    private Engine engine(RetryRule retry) {
        return engine(retry, "m");
    }

    private Engine engine(RetryRule retry, String model) {
        Engine built = Engine.builder().clock(clock).store(store).retry(retry).idempotencyWindow(Duration.ofHours(1))
                .executor(new SimulatedGpuExecutor(1, model, GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("priority").build();
        outbox = built.completions(); // as serve's completion feed does, before the start
        built.start();
        return built;
    }

    private List<String> drainOutbox() {
        return drainViews().stream().map(TaskView::id).toList();
    }

    private List<TaskView> drainViews() {
        List<TaskView> views = new java.util.ArrayList<>();
        outbox.drain(Integer.MAX_VALUE, views::add);
        return views;
    }

    private void crashAndRestart(RetryRule retry) {
        engine = engine(retry); // the old engine is abandoned mid-flight, as a kill -9 would leave it
    }

    private static TaskSpec spec(String id, int priority) {
        return new TaskSpec(id, "m", "in " + id, priority, null, null, null, DEADLINE, 20, 10, null);
    }

    private SubmitResult submit(String id, int priority) {
        return engine.send(new Command.Submit(spec(id, priority))).join();
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    private List<String> waiting() {
        return engine.send(new Command.WaitingTasks(100)).join().stream().map(TaskView::id).toList();
    }

    @Test
    void queuedTasks_comeBackWithPriorityLanePlaceAndDeadline_andDispatchStaysPaused() {
        engine.send(new Command.PauseDispatch(true)).join();
        submit("a", 5);
        submit("b", 5);
        submit("c", 5);
        submit("d", 7);
        engine.send(new Command.Place("c", null, new Placement.Front())).join();
        engine.send(new Command.Reprioritize("d", 2)).join();

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(waiting()).containsExactly("d", "c", "a", "b");
        assertThat(task("d").priority()).isEqualTo(2);
        assertThat(task("a").spec().deadline()).isEqualTo(DEADLINE);
        assertThat(task("a").attempts()).isZero();
        assertThat(engine.send(new Command.TakeSnapshot()).join().dispatchPaused()).isTrue();
    }

    @Test
    void waitingTask_keepsItsArrival_andItsWaitGoesOnAcrossTheRestart() {
        engine.send(new Command.PauseDispatch(true)).join();
        submit("a", 5);
        long arrived = task("a").arrivedAt();
        clock.runUntil(arrived + Duration.ofSeconds(60).toNanos());

        crashAndRestart(RetryRule.DEFAULT);
        clock.runUntil(arrived + Duration.ofSeconds(70).toNanos());

        TaskView a = task("a");
        assertThat(a.arrivedAt()).isEqualTo(arrived);
        assertThat(a.waitedNanos()).isEqualTo(Duration.ofSeconds(70).toNanos());
        assertThat(a.history()).containsExactly(new Task.Transition(null, TaskState.QUEUED, arrived));
        // the oldest wait started again at the restart (42.7 s where the task had waited 14 min)
        assertThat(engine.send(new Command.TakeSnapshot()).join().oldestWaitMs()).isEqualTo(70_000.0);
    }

    /**
     * A new process's clock starts at zero after the task arrived: its wait began below zero, and the
     * oldest wait is still its wait (it read 0 while 67,786 tasks had waited 11 minutes).
     */
    @Test
    void oldestWait_ofATaskThatArrivedBeforeTheNewProcessesClockStarted_isItsWholeWait() {
        engine.send(new Command.PauseDispatch(true)).join();
        submit("a", 5);
        clock.runUntil(task("a").arrivedAt() + Duration.ofMinutes(11).toNanos());
        Instant arrival = clock.toInstant(task("a").arrivedAt());

        VirtualClock newProcess = new VirtualClock(clock.toInstant(clock.nanos())); // its zero is now
        engine = Engine.builder().clock(newProcess).store(store).idempotencyWindow(Duration.ofHours(1))
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).policy("priority").build();
        engine.start();
        newProcess.runUntil(Duration.ofSeconds(5).toNanos());

        assertThat(newProcess.toInstant(task("a").arrivedAt())).isEqualTo(arrival);
        assertThat(engine.send(new Command.TakeSnapshot()).join().oldestWaitMs())
                .isEqualTo(Duration.ofMinutes(11).plusSeconds(5).toMillis(), org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void oldestWait_isTheLongestWaitAfterARestart_whateverTheOrderTasksAreReadBackIn() {
        engine = engine(new RetryRule(3, 1_000_000, 1_000_000));
        submit("retried", 5);
        engine.send(new Command.CrashInstance(0)).join(); // it waits again from its retry on
        clock.runUntil(clock.nanos() + Duration.ofSeconds(1).toNanos());
        engine.send(new Command.PauseDispatch(true)).join();
        submit("old", 5);
        long oldArrived = task("old").arrivedAt();
        clock.runUntil(oldArrived + Duration.ofSeconds(30).toNanos());

        crashAndRestart(RetryRule.DEFAULT);
        clock.runUntil(oldArrived + Duration.ofSeconds(40).toNanos());

        assertThat(engine.send(new Command.TakeSnapshot()).join().oldestWaitMs()).isEqualTo(40_000.0);
        engine.send(new Command.Cancel("old")).join();
        assertThat(engine.send(new Command.TakeSnapshot()).join().oldestWaitMs()).as("then the restarted one")
                .isLessThan(40_000.0).isPositive();
    }

    /** Kept waiting, they held their place and their tenant's share until dispatch dropped them. */
    @Test
    void frontDoorTasks_areCancelledAtTheRestart_theirClientsLeftWithTheOldProcess() {
        engine.send(new Command.PauseDispatch(true)).join();
        engine.send(new Command.Submit(new TaskSpec("chat", "m", "[]", 5, null, "acme", null, null, 20, 10,
                java.util.Map.of("front_door", "true", "input_format", "openai_chat")))).join();
        submit("rest", 5);

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(task("chat").state()).isEqualTo(TaskState.CANCELLED);
        assertThat(task("chat").error()).contains("front-door client's connection ended with the restart");
        assertThat(waiting()).containsExactly("rest");
        assertThat(drainOutbox()).containsExactly("chat");
    }

    @Test
    void finishedTask_readBack_keepsItsArrivalAndWhenItFinished() {
        submit("done", 5);
        long arrived = task("done").arrivedAt();
        clock.runUntilIdle();
        long finished = task("done").finishedAt();
        assertThat(finished).isGreaterThan(arrived);
        clock.runUntil(finished + Duration.ofMinutes(5).toNanos());

        crashAndRestart(RetryRule.DEFAULT);

        TaskView done = task("done"); // it arrived and finished at the restart, end to end 0
        assertThat(done.arrivedAt()).isEqualTo(arrived);
        assertThat(done.finishedAt()).isCloseTo(finished, org.assertj.core.data.Offset.offset(Duration.ofMillis(1).toNanos()));
    }

    @Test
    void requeuedAndDeadLetteredTasks_keepTheirArrival_andCountTheirStateFromTheRestart() {
        engine = engine(new RetryRule(1, 1_000_000, 1_000_000)); // one attempt only
        submit("dead", 5);
        engine.send(new Command.CrashInstance(0)).join();
        clock.runUntilIdle();
        submit("running", 5);
        long deadArrived = task("dead").arrivedAt();
        long runningArrived = task("running").arrivedAt();
        clock.runUntil(clock.nanos() + 1_000_000); // still running: the GPU takes far longer
        assertThat(task("running").state()).isEqualTo(TaskState.RUNNING);
        engine.send(new Command.PauseDispatch(true)).join();

        crashAndRestart(RetryRule.DEFAULT);
        long restartedAt = clock.nanos();
        clock.runUntil(restartedAt + Duration.ofSeconds(5).toNanos());

        TaskView running = task("running");
        assertThat(running.arrivedAt()).isEqualTo(runningArrived);
        assertThat(running.state()).isEqualTo(TaskState.QUEUED);
        assertThat(running.waitedNanos()).isEqualTo(Duration.ofSeconds(5).toNanos()); // its wait before the run is not kept
        TaskView dead = task("dead");
        assertThat(dead.arrivedAt()).isEqualTo(deadArrived);
        assertThat(dead.history()).containsExactly(new Task.Transition(null, TaskState.QUEUED, deadArrived),
                new Task.Transition(TaskState.QUEUED, TaskState.DEAD_LETTERED, restartedAt));
    }

    @Test
    void newTasks_afterRecovery_queueBehindRecoveredOnes_withLaterSequences() {
        engine.send(new Command.PauseDispatch(true)).join();
        submit("a", 5);
        submit("b", 5);
        long highest = task("b").sequence();

        crashAndRestart(RetryRule.DEFAULT);
        submit("c", 5);

        assertThat(waiting()).containsExactly("a", "b", "c");
        assertThat(task("c").sequence()).isGreaterThan(highest);
    }

    @Test
    void runningTask_isRequeuedWithItsAttemptCounted_andFinishes() {
        submit("a", 5);
        assertThat(task("a").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("a").attempts()).isEqualTo(1);

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(task("a").state()).isEqualTo(TaskState.RUNNING); // requeued, then dispatched at once
        assertThat(task("a").attempts()).isEqualTo(2);
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    /**
     * A restart whose instances no longer serve a queued task's model (a backend left out of the
     * new command line): the recovery stopped at the first such task, lost the rest, and the next
     * cancel was a 500. They are kept, waiting, until a restart serves their model again.
     */
    @Test
    void queuedTasksOfAModelNoLongerServed_areKeptWaiting_andRunOnceItIsServedAgain() {
        engine.send(new Command.PauseDispatch(true)).join();
        submit("a", 5);
        submit("b", 5);
        submit("c", 5);

        engine = engine(RetryRule.DEFAULT, "other");
        engine.send(new Command.PauseDispatch(false)).join(); // nothing to dispatch them to

        assertThat(waiting()).containsExactly("a", "b", "c");
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isEqualTo(3);
        engine.send(new Command.Cancel("b")).join();
        assertThat(task("b").state()).isEqualTo(TaskState.CANCELLED);
        assertThatThrownBy(() -> engine.send(new Command.Submit(new TaskSpec("c", "m", "another body", 5, null, null, null,
                DEADLINE, 20, 10, null))).join()).hasCauseInstanceOf(TaskConflictException.class);
        engine.send(new Command.SwitchPolicy("fifo")).join(); // a switch keeps their queue
        assertThat(waiting()).containsExactly("a", "c");

        crashAndRestart(RetryRule.DEFAULT);
        assertThat(task("b").state()).isEqualTo(TaskState.CANCELLED); // before the clock runs past its idempotency window
        clock.runUntilIdle();

        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("c").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void runningTask_onItsLastAttempt_isDeadLettered() {
        engine = engine(new RetryRule(1, 1_000_000, 1_000_000)); // one attempt only
        submit("a", 5);

        crashAndRestart(new RetryRule(1, 1_000_000, 1_000_000));

        assertThat(task("a").state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(task("a").error()).contains("restart");
    }

    @Test
    void retryWaitTask_isRequeued() {
        submit("a", 5);
        engine.send(new Command.CrashInstance(0)).join();
        assertThat(task("a").state()).isEqualTo(TaskState.RETRY_WAIT);
        engine.send(new Command.PauseDispatch(true)).join();

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(task("a").state()).isEqualTo(TaskState.QUEUED);
        assertThat(task("a").attempts()).isEqualTo(1);
        assertThat(task("a").error()).isNotNull();
    }

    @Test
    void deadLetter_comesBackDeadLettered_andCanBeReplayed() {
        engine = engine(new RetryRule(1, 1_000_000, 1_000_000)); // one attempt only
        submit("a", 5);
        engine.send(new Command.CrashInstance(0)).join();
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.DEAD_LETTERED);

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(task("a").state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByTier()).containsEntry(Tier.DEAD_LETTER, 1);
        engine.send(new Command.RetryDeadLetter("a")).join();
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void pausedAndDrainingLanesAndTiers_keepTheirModes_andParkedTasksStayParked() {
        engine.send(new Command.SetTierMode(Tier.BATCH, TierMode.PAUSED)).join();
        engine.send(new Command.SetLaneMode(3, TierMode.DRAINING)).join();
        submit("bulk", 8);

        crashAndRestart(RetryRule.DEFAULT);
        clock.runUntil(clock.nanos() + Duration.ofMinutes(1).toNanos()); // not to its deadline, years away

        var snapshot = engine.send(new Command.TakeSnapshot()).join();
        assertThat(snapshot.tierModes()).containsEntry(Tier.BATCH, TierMode.PAUSED);
        assertThat(snapshot.laneModes().get(3)).isEqualTo(TierMode.DRAINING);
        assertThat(task("bulk").state()).isEqualTo(TaskState.QUEUED);
        assertThatThrownBy(() -> submit("late", 3)).hasCauseInstanceOf(io.queuedeck.engine.task.DrainingException.class);
    }

    /**
     * Instances an operator took offline or drains stay so across a restart (decision 0118); one
     * brought back stays in service, and a hold on an index that now has another model is dropped.
     * Before, every instance came back in service: a server under maintenance took work again.
     */
    @Test
    void instancesTakenOfflineOrDraining_stayOutOfServiceAcrossARestart() {
        Engine three = Engine.builder().clock(clock).store(store)
                .executor(new SimulatedGpuExecutor(3, "m", GpuProfile.LLAMA2_7B_H100)).build();
        three.start();
        three.send(new Command.SetInstanceOnline(0, false)).join();
        three.send(new Command.DrainInstance(1, true)).join();
        three.send(new Command.SetInstanceOnline(2, false)).join();
        three.send(new Command.SetInstanceOnline(2, true)).join();

        Engine again = Engine.builder().clock(clock).store(store)
                .executor(new SimulatedGpuExecutor(3, "m", GpuProfile.LLAMA2_7B_H100)).build();
        again.start();
        var instances = again.send(new Command.TakeSnapshot()).join().instances();
        assertThat(instances.get(0).state()).isEqualTo(InstanceState.OFFLINE);
        assertThat(instances.get(1).draining()).isTrue();
        assertThat(instances.get(1).state().acceptsWork()).isTrue();
        assertThat(instances.get(2).state().acceptsWork()).isTrue();
        assertThat(instances.get(2).draining()).isFalse();

        Engine otherModel = Engine.builder().clock(clock).store(store)
                .executor(new SimulatedGpuExecutor(3, "another-model", GpuProfile.LLAMA2_7B_H100)).build();
        otherModel.start();
        assertThat(otherModel.send(new Command.TakeSnapshot()).join().instances())
                .allSatisfy(gpu -> assertThat(gpu.state().acceptsWork() && !gpu.draining()).isTrue());
    }

    @Test
    void finishedTask_notYetHandedOn_goesToTheOutboxAgain_andOneHandedOnDoesNot() {
        submit("a", 5);
        submit("b", 5);
        clock.runUntilIdle();
        List<TaskView> finished = drainViews();
        assertThat(finished).extracting(TaskView::id).containsExactly("a", "b");
        engine.completionsHandedOn(finished.subList(0, 1)); // b's callback was not yet recorded when the process died

        crashAndRestart(RetryRule.DEFAULT);

        List<TaskView> again = drainViews();
        assertThat(again).extracting(TaskView::id).containsExactly("b");
        engine.completionsHandedOn(again);
        crashAndRestart(RetryRule.DEFAULT);
        assertThat(drainOutbox()).isEmpty();
    }

    @Test
    void finishedTask_answersAnIdenticalResubmission_afterARestart_untilTheWindowPasses() {
        submit("a", 5);
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        int generated = task("a").generatedTokens();

        crashAndRestart(RetryRule.DEFAULT);

        assertThat(task("a").state()).as("known after the restart").isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("a").generatedTokens()).as("tokens it generated").isEqualTo(generated).isPositive();
        SubmitResult again = submit("a", 5);
        assertThat(again.created()).isFalse();
        assertThat(again.task().state()).isEqualTo(TaskState.SUCCEEDED);
        assertThatThrownBy(() -> submit("a", 6)).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TaskConflictException.class);

        clock.runUntil(clock.nanos() + Duration.ofHours(1).toNanos());
        crashAndRestart(RetryRule.DEFAULT);
        assertThat(store.taskCount()).isZero(); // its record expired with the window
        assertThat(submit("a", 5).created()).isTrue();
    }

    /** Why: the id stayed taken after its window, until a restart, against docs/durability.md. */
    @Test
    void finishedTask_afterItsWindow_freesItsId_withoutARestart_evenForADifferentBody() {
        submit("a", 5);
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThatThrownBy(() -> submit("a", 6)).as("within the window").isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TaskConflictException.class);

        clock.runUntil(clock.nanos() + Duration.ofHours(1).toNanos());

        SubmitResult reused = submit("a", 6);
        assertThat(reused.created()).isTrue();
        assertThat(task("a").priority()).isEqualTo(6);
        clock.runUntilIdle();
        assertThat(task("a").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(engine.send(new Command.ListTasks(new io.queuedeck.engine.task.TaskQuery(null, null, -1, 100))).join().tasks())
                .extracting(TaskView::id).containsExactly("a"); // the first is no longer listed under the id
    }
}
