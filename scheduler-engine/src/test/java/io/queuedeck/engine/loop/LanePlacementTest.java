package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionException;

class LanePlacementTest {
    private final VirtualClock clock = new VirtualClock();
    private Engine engine;

    private Engine start(String policy) {
        engine = Engine.builder()
                .clock(clock)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy(policy)
                .build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private void submit(String id, int priority) {
        engine.send(new Command.Submit(new TaskSpec(id, "m", "", priority, null, null, null, null, 20, 10, null))).join();
    }

    private List<String> lane(int priority) {
        return engine.send(new Command.WaitingTasks(100)).join().stream().filter(t -> t.priority() == priority).map(TaskView::id).toList();
    }

    /** Ids in the order they first ran, once everything has run on the one slot. */
    private List<String> runOrder() {
        engine.send(new Command.PauseDispatch(false)).join();
        clock.runUntil(clock.nanos() + 600_000_000_000L); // bounded: a policy with ticks never lets the clock go idle
        return engine.send(new Command.ListTasks(new io.queuedeck.engine.task.TaskQuery(null, null, -1, 1000))).join().tasks().stream()
                .sorted(Comparator.comparingLong(TaskView::firstDispatchAt)).map(TaskView::id).toList();
    }

    /** The inspector showed a task dragged to P0 as only "queued": its moves by hand are in its view. */
    @Test
    void movesByHand_areInTheTasksView_oldestFirst() {
        start("priority");
        submit("a", 5);
        submit("b", 2);
        clock.runUntil(clock.nanos() + 1_000_000_000L);
        engine.send(new Command.Reprioritize("a", 2)).join();
        clock.runUntil(clock.nanos() + 1_000_000_000L);
        engine.send(new Command.Place("a", null, new Placement.Before("b"))).join();
        engine.send(new Command.Reprioritize("b", 2)).join(); // its own priority: no move

        TaskView a = engine.send(new Command.FindTask("a")).join().orElseThrow();
        assertThat(a.movedByHand()).extracting(io.queuedeck.engine.task.Task.Moved::from, io.queuedeck.engine.task.Task.Moved::to,
                io.queuedeck.engine.task.Task.Moved::where).containsExactly(
                org.assertj.core.groups.Tuple.tuple(5, 2, null), org.assertj.core.groups.Tuple.tuple(2, 2, "before b"));
        assertThat(a.movedByHand().get(1).at() - a.movedByHand().get(0).at()).isEqualTo(1_000_000_000L);
        assertThat(engine.send(new Command.FindTask("b")).join().orElseThrow().movedByHand()).isEmpty();
    }

    // a late task (5 s past arrival for P3-6) goes behind those that can still meet their
    // objective when it reaches the head; one the operator placed at the front is served there
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"priority", "mlfq"})
    void lateTaskPlacedAtTheFront_isServedFirst_notGivenUpBehindTheLane(String policy) {
        start(policy);
        for (String id : List.of("a", "b", "c")) {
            submit(id, 5);
        }
        clock.runUntil(clock.nanos() + 10_000_000_000L); // dispatch paused: they only wait
        submit("d", 5);
        submit("e", 5);

        engine.send(new Command.Place("c", 5, Placement.front())).join();

        assertThat(lane(5)).containsExactly("c", "a", "b", "d", "e");
        assertThat(runOrder()).containsExactly("c", "d", "e", "a", "b");
    }

    @Test
    void eachPlacement_putsTheTaskThere_andDispatchFollowsTheLane() {
        start("priority");
        for (String id : List.of("a", "b", "c", "d")) {
            submit(id, 4);
        }
        submit("urgent", 1);

        engine.send(new Command.Place("d", 4, Placement.front())).join();
        assertThat(lane(4)).containsExactly("d", "a", "b", "c");
        engine.send(new Command.Place("a", 4, Placement.back())).join();
        assertThat(lane(4)).containsExactly("d", "b", "c", "a");
        engine.send(new Command.Place("c", 4, Placement.before("d"))).join();
        assertThat(lane(4)).containsExactly("c", "d", "b", "a");
        engine.send(new Command.Place("c", 4, Placement.after("b"))).join();
        assertThat(lane(4)).containsExactly("d", "b", "c", "a");

        assertThat(runOrder()).containsExactly("urgent", "d", "b", "c", "a");
    }

    @Test
    void placingInAnotherLane_changesPriorityAndPlace_inOneStep() {
        start("priority");
        submit("x", 2);
        submit("y", 2);
        submit("moved", 7);

        TaskView moved = engine.send(new Command.Place("moved", 2, Placement.before("y"))).join();

        assertThat(moved.priority()).isEqualTo(2);
        assertThat(lane(2)).containsExactly("x", "moved", "y");
        assertThat(lane(7)).isEmpty();
        assertThat(engine.send(new Command.TakeSnapshot()).join().queuedByPriority().get(2)).isEqualTo(3);
    }

    @Test
    void fifo_keepsTheMoveAcrossLanes_sinceItOrdersByRankAlone() {
        start("fifo");
        submit("p1", 1);
        submit("p5", 5);
        submit("late", 5);

        engine.send(new Command.Place("late", 5, Placement.front())).join();

        assertThat(runOrder()).containsExactly("late", "p1", "p5");
    }

    @Test
    void manyMovesToOneSpot_renumberTheRanks_andKeepEveryOtherTaskInOrder() {
        start("priority");
        for (int i = 0; i < 6; i++) {
            submit("t" + i, 3);
        }
        // each move lands between t3 and the task placed just before it: the gap halves every time
        for (int i = 0; i < 50; i++) {
            engine.send(new Command.Place(i % 2 == 0 ? "t0" : "t5", 3, Placement.before("t3"))).join();
        }
        // the last move put t5 just before t3, and t0 just before t5
        assertThat(lane(3)).containsExactly("t1", "t2", "t0", "t5", "t3", "t4");
        assertThat(runOrder()).containsExactly("t1", "t2", "t0", "t5", "t3", "t4");
    }

    @Test
    void mlfq_aTaskPlacedAtTheFront_takesTheLeadersLevel_andRunsFirst() {
        start("mlfq");
        engine.send(new Command.Submit(new TaskSpec("long-prompt", "m", "", 4, null, null, null, null, 10, 5_000, null))).join();
        submit("short-a", 4);
        submit("short-b", 4);
        // a long prompt skips MLFQ's first levels: it lists (and would run) after the short ones
        assertThat(lane(4)).containsExactly("short-a", "short-b", "long-prompt");
        int shortLevel = engine.send(new Command.FindTask("short-a")).join().orElseThrow().level();

        TaskView placed = engine.send(new Command.Place("long-prompt", 4, Placement.front())).join();

        assertThat(placed.level()).isEqualTo(shortLevel);
        assertThat(lane(4)).containsExactly("long-prompt", "short-a", "short-b");
        assertThat(runOrder()).containsExactly("long-prompt", "short-a", "short-b");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"weighted", "aging", "edf", "fair", "sjf"})
    void policyWithItsOwnLaneOrder_refusesAPlace_withTheReason(String policy) {
        start(policy);
        submit("a", 4);
        submit("b", 4);

        assertThatThrownBy(() -> engine.send(new Command.Place("b", 4, Placement.front())).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(TaskConflictException.class)
                .hasMessageContaining("the " + policy + " policy orders each lane by rules of its own");
        assertThat(lane(4)).containsExactly("a", "b");
    }

    @Test
    void badPlacements_areRefused_andChangeNothing() {
        start("priority");
        submit("a", 4);
        submit("b", 4);
        submit("other", 6);

        assertThatThrownBy(() -> engine.send(new Command.Place("a", 4, Placement.before("other"))).join())
                .hasCauseInstanceOf(InvalidTaskException.class).hasMessageContaining("not waiting in the priority 4 lane");
        assertThatThrownBy(() -> engine.send(new Command.Place("a", 4, Placement.after("a"))).join())
                .hasCauseInstanceOf(InvalidTaskException.class).hasMessageContaining("next to itself");
        assertThatThrownBy(() -> engine.send(new Command.Place("a", 10, Placement.front())).join())
                .hasCauseInstanceOf(InvalidTaskException.class).hasMessageContaining("between 0 and 9");
        assertThatThrownBy(() -> engine.send(new Command.Place("nope", 4, Placement.front())).join())
                .hasCauseInstanceOf(io.queuedeck.engine.task.TaskNotFoundException.class);
        assertThat(lane(4)).containsExactly("a", "b");

        engine.send(new Command.PauseDispatch(false)).join();
        assertThat(engine.send(new Command.FindTask("a")).join().orElseThrow().state()).isEqualTo(TaskState.RUNNING);
        assertThatThrownBy(() -> engine.send(new Command.Place("a", 4, Placement.back())).join())
                .hasCauseInstanceOf(TaskConflictException.class).hasMessageContaining("only a waiting task");
    }
}
