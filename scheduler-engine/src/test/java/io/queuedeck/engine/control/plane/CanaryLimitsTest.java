package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary with tier limits of its own (decision 0081), on a virtual clock: the tasks it classifies
 * (tenant "c") are admitted, shed and timed out by the candidate's limits, the others by the
 * running ones; promote makes the candidate's the running limits, rollback drops them.
 */
class CanaryLimitsTest {
    /** Running: core holds up to 100 waiting tasks, no TTL. */
    private static final String STABLE = "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 100}}\n";
    /** Candidate: core holds 3, and a task waits there at most 10 s. */
    private static final String SMALL = "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 3}, queue_ttl: 10s}\n";
    private static final long SECOND = 1_000_000_000L;

    private VirtualClock clock;
    private Engine engine;
    private CompletionOutbox completions;
    private ConfigPlane plane;
    private int next;

    @BeforeEach
    void start() {
        clock = new VirtualClock();
        ServeConfig running = TestConfigs.parse(STABLE);
        ReleaseClassifier classifier = new ReleaseClassifier(running.priorityRules());
        engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("priority").flow(running.flow()).classifier(classifier).build();
        completions = engine.completions();
        engine.start();
        plane = new ConfigPlane(engine, classifier, running, STABLE, "q.yaml", Path.of("."),
                Map.<String, String>of()::get, "priority");
        engine.send(new Command.PauseDispatch(true)).join(); // tasks wait: queue limits and TTLs are what is tested
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private void startCanary(String candidate) {
        plane.startCanary(new ConfigService.CanaryRequest(TextNode.valueOf(candidate), "tenant", null, List.of("c"), null),
                "test");
    }

    /** A core task (priority 1) of tenant "c" (canary while one runs) or "s"; its view, or the shed exception. */
    private Object submit(boolean canary) {
        String id = "t" + next++;
        try {
            engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", 1, null, canary ? "c" : "s", "chat", null, 32, 16,
                    null), 8)).join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        return view(id);
    }

    private TaskView view(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    private CanaryControl.Status status() {
        return (CanaryControl.Status) plane.canary();
    }

    @Test
    void smallerCoreMaxQueue_shedsCanaryTasksAtItsLimit_whileStableTasksAreAccepted() {
        startCanary(SMALL);
        for (int i = 0; i < 3; i++) {
            assertThat(submit(true)).isInstanceOfSatisfying(TaskView.class,
                    v -> assertThat(v.spec().classification().release()).isEqualTo("canary"));
        }
        assertThat(submit(true)).isInstanceOfSatisfying(ShedException.class, e -> {
            assertThat(e.limit()).isEqualTo("tiers.core.max_queue.tasks");
            assertThat(e.getMessage()).contains("tiers.core.max_queue.tasks is 3, and 3 wait (the canary config's limit)");
        });
        for (int i = 0; i < 20; i++) {
            assertThat(submit(false)).isInstanceOf(TaskView.class); // stable: its limit is 100
        }
        assertThat(submit(true)).isInstanceOf(ShedException.class); // the tier's queue (23) is past the candidate's 3

        ReleaseComparison.Comparison c = status().comparison();
        assertThat(c.canary().flow().shed()).isEqualTo(2);
        assertThat(c.stable().flow().shed()).isZero();
        var flow = engine.send(new Command.TakeSnapshot()).join().flow();
        assertThat(flow.tiers().getFirst().shed()).isEqualTo(2);
        assertThat(flow.releases()).filteredOn(r -> r.release().equals("canary") && r.tier().name().equals("core"))
                .singleElement().satisfies(r -> assertThat(r.shed()).isEqualTo(2));
    }

    @Test
    void candidateMaxQueueBytes_andDegradeSpill_holdCanaryTasksOnly() {
        startCanary("policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 100, bytes: 1}, degrade: spill}\n");
        assertThat(submit(false)).isInstanceOfSatisfying(TaskView.class, v -> assertThat(v.priority()).isEqualTo(1));
        // over the candidate's byte limit, its degrade (spill) sends the task on to normal's first priority
        assertThat(submit(true)).isInstanceOfSatisfying(TaskView.class, v -> {
            assertThat(v.priority()).isEqualTo(3);
            assertThat(v.spec().classification().release()).isEqualTo("canary");
        });
        assertThat(status().comparison().canary().flow().spilled()).isEqualTo(1);
        assertThat(status().comparison().stable().flow().spilled()).isZero();
    }

    @Test
    void candidateQueueTtl_timesOutCanaryTasksOnly() {
        startCanary(SMALL);
        TaskView canary = (TaskView) submit(true);
        TaskView stable = (TaskView) submit(false);
        clock.runUntil(clock.nanos() + 9 * SECOND);
        assertThat(view(canary.id()).state()).isEqualTo(TaskState.QUEUED); // not yet: 10 s
        clock.runUntil(clock.nanos() + 2 * SECOND);

        TaskView timedOut = view(canary.id());
        assertThat(timedOut.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(timedOut.error()).isEqualTo("waited longer than the canary config's tiers.core.queue_ttl (PT10S)");
        assertThat(view(stable.id()).state()).isEqualTo(TaskState.QUEUED); // the running config has no TTL
        completions.drain(100, plane::finished);
        ReleaseComparison.Comparison c = status().comparison();
        assertThat(c.canary().timedOut()).isEqualTo(1);
        assertThat(c.canary().flow().timedOut()).isEqualTo(1);
        assertThat(c.stable().timedOut()).isZero();
        assertThat(c.stable().flow().timedOut()).isZero();
    }

    @Test
    void promote_makesTheCandidatesLimitsTheRunningOnes_forWaitingAndNewTasks() {
        startCanary(SMALL);
        TaskView canary = (TaskView) submit(true);
        TaskView stable = (TaskView) submit(false);
        clock.runUntil(clock.nanos() + 5 * SECOND);
        plane.promoteCanary("test");

        TaskView later = (TaskView) submit(false); // stable, at 5 s: now held to the 10 s TTL
        assertThat(submit(false)).isInstanceOf(ShedException.class); // 3 wait: the promoted max_queue
        clock.runUntil(clock.nanos() + 6 * SECOND); // 11 s
        assertThat(view(canary.id()).state()).isEqualTo(TaskState.TIMED_OUT); // its TTL kept counting from 0 s
        assertThat(view(canary.id()).error()).isEqualTo("waited longer than tiers.core.queue_ttl (PT10S)");
        assertThat(view(stable.id()).state()).isEqualTo(TaskState.QUEUED); // joined under no TTL: none was armed
        assertThat(view(later.id()).state()).isEqualTo(TaskState.QUEUED);
        clock.runUntil(clock.nanos() + 5 * SECOND); // 16 s
        assertThat(view(later.id()).state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(plane.status().version()).isEqualTo(2);
    }

    @Test
    void rollback_dropsTheCandidatesLimits_itsWaitingTasksAreHeldToTheRunningOnes() {
        startCanary(SMALL);
        TaskView canary = (TaskView) submit(true);
        clock.runUntil(clock.nanos() + 5 * SECOND);
        plane.rollbackCanary("test");
        clock.runUntil(clock.nanos() + 60 * SECOND);
        assertThat(view(canary.id()).state()).isEqualTo(TaskState.QUEUED); // no TTL in the running config
        for (int i = 0; i < 10; i++) {
            assertThat(submit(true)).isInstanceOf(TaskView.class); // tenant "c" is stable now: limit 100
        }
        engine.send(new Command.PauseDispatch(false)).join();
        clock.runUntilIdle();
        List<TaskView> done = new java.util.ArrayList<>();
        completions.drain(100, done::add);
        assertThat(done).hasSize(11).allSatisfy(v -> assertThat(v.state()).isEqualTo(TaskState.SUCCEEDED));
    }

    /**
     * A candidate whose TTL is too short for the load times its tasks out: their deadline misses
     * roll the canary back on the first judged window, with the reason.
     */
    @Test
    void canaryWhoseLimitsTimeOutItsTasks_isRolledBackAutomatically() {
        engine.send(new Command.PauseDispatch(false)).join();
        plane.startCanary(new ConfigService.CanaryRequest(TextNode.valueOf(
                "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 100}, queue_ttl: 1ms}\n"), "tenant", null,
                List.of("c"), new ConfigService.AutoRollback(0.2, "30s", 5)), "test");
        long end = clock.nanos() + 10 * 30 * SECOND;
        int i = 0;
        while (clock.nanos() < end && status().running()) {
            for (int k = 0; k < 4; k++) {
                submit(i++ % 2 == 0); // four at once on one slot: three wait, past a 1 ms TTL
            }
            clock.runUntil(clock.nanos() + 2 * SECOND);
            completions.drain(1_000, plane::finished);
        }
        assertThat(status().running()).isFalse();
        assertThat(status().lastEnded().reason()).startsWith("automatic rollback: canary");
        assertThat(status().lastEnded().reason()).containsAnyOf("missed the deadline", "failed", "p99");
    }
}
