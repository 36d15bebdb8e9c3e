package io.queuedeck.engine;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.snapshot.EngineEvent.TaskTransitioned;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random command sequences against an engine on a virtual clock: whatever operators and faults
 * do, every task ends exactly once and the books balance.
 */
class EngineProperties {
    private static final int INSTANCES = 2;
    /** Small batches, so queues build up and preemption and ordering matter. */
    private static final GpuProfile PROFILE = GpuProfile.LLAMA2_7B_H100.withMaxBatch(2);
    private static final Set<TaskState> FINAL_STATES = Set.of(TaskState.SUCCEEDED, TaskState.CANCELLED, TaskState.DEAD_LETTERED);

    sealed interface Command {}

    record Submit(int priority, int promptTokens, int outputTokens) implements Command {}

    record Cancel(int pick) implements Command {}

    record Reprioritize(int pick, int priority) implements Command {}

    record Pause(boolean pause) implements Command {}

    record Crash(int instance) implements Command {}

    record Online(int instance, boolean online) implements Command {}

    record SwitchPolicy(String name, Map<String, String> config) implements Command {}

    record Advance(long micros) implements Command {}

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(PolicyRegistry.names());
    }

    @Provide
    Arbitrary<List<Command>> commands() {
        Arbitrary<Command> submit = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 3_000),
                Arbitraries.integers().between(1, 40)).as(Submit::new);
        Arbitrary<Command> cancel = Arbitraries.integers().between(0, 999).map(Cancel::new);
        Arbitrary<Command> reprioritize = Combinators.combine(
                Arbitraries.integers().between(0, 999), Arbitraries.integers().between(0, 9)).as(Reprioritize::new);
        Arbitrary<Command> pause = Arbitraries.of(true, false).map(Pause::new);
        Arbitrary<Command> crash = Arbitraries.integers().between(0, INSTANCES - 1).map(Crash::new);
        Arbitrary<Command> online = Combinators.combine(
                Arbitraries.integers().between(0, INSTANCES - 1), Arbitraries.of(true, false)).as(Online::new);
        Arbitrary<Command> switchPolicy = Arbitraries.oneOf(
                policies().map(name -> new SwitchPolicy(name, Map.of())),
                Arbitraries.just(new SwitchPolicy("priority", Map.of("preemptive", "true"))),
                Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 20))
                        .as((levels, q0) -> new SwitchPolicy("mlfq", Map.of("levels", "" + levels, "q0_ms", "" + q0,
                                "boost_interval_ms", "50", "starvation_threshold_ms", "200"))));
        Arbitrary<Command> advance = Arbitraries.longs().between(0, 60_000).map(Advance::new);
        Arbitrary<Command> command = Arbitraries.frequencyOf(
                Tuple.of(8, submit), Tuple.of(6, advance), Tuple.of(2, cancel), Tuple.of(2, reprioritize),
                Tuple.of(1, pause), Tuple.of(1, crash), Tuple.of(1, online), Tuple.of(1, switchPolicy));
        return command.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 200)
    void anyCommands_afterRunningToTheEnd_everyTaskFinishedExactlyOnceAndBooksBalance(
            @ForAll("policies") String policy, @ForAll("commands") List<Command> commands) {
        try (SimHarness sim = SimHarness.of(policy, PolicyConfig.empty(), INSTANCES, PROFILE)) {
            Engine engine = sim.engine();
            List<String> ids = new ArrayList<>();
            for (Command command : commands) {
                switch (command) {
                    case Submit s -> {
                        String id = "t" + ids.size();
                        sim.submit(id, s.priority(), s.promptTokens(), s.outputTokens());
                        ids.add(id);
                    }
                    case Cancel c -> {
                        if (!ids.isEmpty()) {
                            engine.cancel(ids.get(c.pick() % ids.size())); // may be refused: already finished
                        }
                    }
                    case Reprioritize r -> {
                        if (!ids.isEmpty()) {
                            engine.reprioritize(ids.get(r.pick() % ids.size()), r.priority());
                        }
                    }
                    case Pause p -> engine.pauseDispatch(p.pause()).join();
                    case Crash c -> engine.crashInstance(c.instance()).join();
                    case Online o -> engine.setInstanceOnline(o.instance(), o.online()).join();
                    case SwitchPolicy s -> engine.switchPolicy(s.name(), PolicyConfig.of(s.config())).join();
                    case Advance a -> sim.runUntil(sim.now() + a.micros() * 1_000);
                }
                sim.drain();
                assertBooksConsistent(sim.snapshot(), engine.loopOnVirtualClock().activeCount());
            }

            engine.pauseDispatch(false).join();
            for (int i = 0; i < INSTANCES; i++) {
                engine.setInstanceOnline(i, true).join();
            }
            sim.runUntilAllFinished();

            Map<String, List<TaskState>> moves = movesByTask(sim.events());
            for (String id : ids) {
                TaskView task = sim.task(id);
                List<TaskState> taskMoves = moves.get(id);
                assertThat(task.state()).as(id).isIn(FINAL_STATES);
                assertThat(taskMoves.stream().filter(FINAL_STATES::contains)).as("final moves of %s", id).hasSize(1);
                assertThat(taskMoves.stream().filter(s -> s == TaskState.SUCCEEDED))
                        .as("completions of %s", id).hasSize(task.state() == TaskState.SUCCEEDED ? 1 : 0);
                assertThat(taskMoves).as("events of %s match its history", id)
                        .isEqualTo(task.history().stream().map(Task.Transition::to).toList());
                if (task.state() == TaskState.SUCCEEDED) {
                    assertThat(task.generatedTokens()).as(id).isEqualTo(task.outputTokens());
                }
            }
            EngineSnapshot end = sim.snapshot();
            EngineSnapshot.Counters counters = end.counters();
            assertThat(counters.submitted()).isEqualTo(ids.size());
            assertThat(counters.succeeded() + counters.cancelled() + counters.deadLettered()).isEqualTo(counters.submitted());
            assertThat(counters.succeeded()).isEqualTo(countIn(sim, ids, TaskState.SUCCEEDED));
            assertThat(counters.cancelled()).isEqualTo(countIn(sim, ids, TaskState.CANCELLED));
            assertThat(counters.deadLettered()).isEqualTo(countIn(sim, ids, TaskState.DEAD_LETTERED));
            assertThat(end.queued()).isZero();
            assertThat(end.running()).isZero();
            assertBooksConsistent(end, 0);
            for (InstanceStatus instance : end.instances()) {
                assertThat(instance.kvUsedTokens()).as("KV left reserved on instance %d", instance.id()).isZero();
            }
        }
    }

    /** Ids of waiting tasks, in submission order. */
    @Property(tries = 200)
    void priorityPolicy_tasksWaitingTogether_dispatchedByPriorityThenSubmission(
            @ForAll("arrivals") List<Tuple.Tuple2<Integer, Long>> arrivals) {
        try (SimHarness sim = SimHarness.oneAtATime("priority")) {
            for (int i = 0; i < arrivals.size(); i++) {
                sim.runUntil(sim.now() + arrivals.get(i).get2() * 1_000);
                sim.submit("t" + i, arrivals.get(i).get1(), 10, 3);
            }
            sim.runUntilAllFinished();

            // Replay the events in order. Whenever a task is dispatched, no task that was waiting
            // at that same moment may be more urgent (smaller number, or same number but earlier).
            Map<String, Integer> waiting = new LinkedHashMap<>();
            int dispatched = 0;
            for (EngineEvent event : sim.events()) {
                if (event instanceof TaskTransitioned t) {
                    if (t.to() == TaskState.QUEUED) {
                        waiting.put(t.taskId(), t.priority());
                    } else if (t.to() == TaskState.RUNNING) {
                        waiting.remove(t.taskId());
                        dispatched++;
                        int sequence = Integer.parseInt(t.taskId().substring(1));
                        for (Map.Entry<String, Integer> other : waiting.entrySet()) {
                            int otherSequence = Integer.parseInt(other.getKey().substring(1));
                            boolean moreUrgent = other.getValue() < t.priority()
                                    || (other.getValue() == t.priority() && otherSequence < sequence);
                            assertThat(moreUrgent).as("%s (p%d) dispatched while %s (p%d) waited", t.taskId(),
                                    t.priority(), other.getKey(), other.getValue()).isFalse();
                        }
                    }
                }
            }
            assertThat(dispatched).isEqualTo(arrivals.size());
        }
    }

    /** (priority, gap before arrival in µs); gaps are often zero so that tasks pile up. */
    @Provide
    Arbitrary<List<Tuple.Tuple2<Integer, Long>>> arrivals() {
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0L)), Tuple.of(2, Arbitraries.longs().between(0, 40_000)));
        return Combinators.combine(Arbitraries.integers().between(0, 9), gap).as(Tuple::of).list().ofMinSize(1).ofMaxSize(40);
    }

    private static void assertBooksConsistent(EngineSnapshot snapshot, int active) {
        assertThat(snapshot.queuedByPriority().stream().mapToInt(Integer::intValue).sum())
                .as("queued by priority").isEqualTo(snapshot.queued());
        assertThat(snapshot.queuedByLevel().stream().mapToInt(Integer::intValue).sum())
                .as("queued by level").isEqualTo(snapshot.queued());
        assertThat(snapshot.instances().stream().mapToInt(InstanceStatus::running).sum())
                .as("running on instances").isEqualTo(snapshot.running());
        assertThat(snapshot.queuedByPriority()).allSatisfy(n -> assertThat(n).isNotNegative());
        assertThat(snapshot.queued() + snapshot.running()).isLessThanOrEqualTo(active);
        for (InstanceStatus instance : snapshot.instances()) {
            assertThat(instance.kvUsedTokens()).isBetween(0L, instance.kvCapacityTokens());
            assertThat(instance.running()).isBetween(0, instance.batchCapacity());
        }
    }

    private static Map<String, List<TaskState>> movesByTask(List<EngineEvent> events) {
        Map<String, List<TaskState>> moves = new HashMap<>();
        for (EngineEvent event : events) {
            if (event instanceof TaskTransitioned t) {
                moves.computeIfAbsent(t.taskId(), id -> new ArrayList<>()).add(t.to());
            }
        }
        return moves;
    }

    private static long countIn(SimHarness sim, List<String> ids, TaskState state) {
        return ids.stream().filter(id -> sim.task(id).state() == state).count();
    }
}
