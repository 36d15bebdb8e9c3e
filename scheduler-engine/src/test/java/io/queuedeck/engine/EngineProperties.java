package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.snapshot.EngineEvent.TaskTransitioned;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Random command sequences against an engine on a virtual clock: whatever operators and faults
 * do, every task ends exactly once and the books balance.
 */
class EngineProperties {
    private static final int INSTANCES = 2;
    /** Small batches, so queues build up and preemption and ordering matter. */
    private static final GpuProfile PROFILE = GpuProfile.LLAMA2_7B_H100.withMaxBatch(2);
    private static final Set<TaskState> FINAL_STATES = Set.of(TaskState.SUCCEEDED, TaskState.CANCELLED, TaskState.DEAD_LETTERED);

    /** One step of a scenario; steps that name a task pick one of those submitted so far. */
    sealed interface Step {}

    record Submit(int priority, int promptTokens, int outputTokens, boolean poison) implements Step {}

    record Cancel(int pick) implements Step {}

    /** A cluster node handing a task back (decision 0116): a waiting one leaves without an outcome. */
    record Withdraw(int pick) implements Step {}

    record Reprioritize(int pick, int priority) implements Step {}

    record Place(int pick, int priority, int anchorPick, int where) implements Step {}

    record RetryDeadLetter(int pick) implements Step {}

    record Pause(boolean pause) implements Step {}

    record TierMode(io.queuedeck.engine.tier.Tier tier, io.queuedeck.engine.tier.TierMode mode) implements Step {}

    record LaneMode(int priority, io.queuedeck.engine.tier.TierMode mode) implements Step {}

    record Crash(int instance) implements Step {}

    record Online(int instance, boolean online) implements Step {}

    record SwitchPolicy(String name, Map<String, String> config) implements Step {}

    record Advance(long micros) implements Step {}

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(PolicyRegistry.names());
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> submit = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 3_000),
                Arbitraries.integers().between(1, 40),
                Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true))).as(Submit::new);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 999);
        Arbitrary<Step> cancel = pick.map(Cancel::new);
        Arbitrary<Step> withdraw = pick.map(Withdraw::new);
        Arbitrary<Step> reprioritize = Combinators.combine(pick, Arbitraries.integers().between(0, 9)).as(Reprioritize::new);
        Arbitrary<Step> place = Combinators.combine(pick, Arbitraries.integers().between(0, 9), pick,
                Arbitraries.integers().between(0, 3)).as(Place::new);
        Arbitrary<Step> retry = pick.map(RetryDeadLetter::new);
        Arbitrary<Step> pause = Arbitraries.of(true, false).map(Pause::new);
        Arbitrary<Step> tierMode = Combinators.combine(
                Arbitraries.of(io.queuedeck.engine.tier.Tier.CORE, io.queuedeck.engine.tier.Tier.NORMAL,
                        io.queuedeck.engine.tier.Tier.BATCH),
                Arbitraries.of(io.queuedeck.engine.tier.TierMode.class)).as(TierMode::new);
        Arbitrary<Step> laneMode = Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.of(io.queuedeck.engine.tier.TierMode.class)).as(LaneMode::new);
        Arbitrary<Step> crash = Arbitraries.integers().between(0, INSTANCES - 1).map(Crash::new);
        Arbitrary<Step> online = Combinators.combine(
                Arbitraries.integers().between(0, INSTANCES - 1), Arbitraries.of(true, false)).as(Online::new);
        Arbitrary<Step> switchPolicy = Arbitraries.oneOf(
                policies().map(name -> new SwitchPolicy(name, Map.of())),
                Arbitraries.just(new SwitchPolicy("priority", Map.of("preemptive", "true"))),
                Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 20))
                        .as((levels, q0) -> new SwitchPolicy("mlfq", Map.of("levels", "" + levels, "q0_ms", "" + q0,
                                "boost_interval_ms", "50", "starvation_threshold_ms", "200"))));
        Arbitrary<Step> advance = Arbitraries.longs().between(0, 60_000).map(Advance::new);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(8, submit), Tuple.of(6, advance), Tuple.of(2, cancel), Tuple.of(1, withdraw), Tuple.of(2, reprioritize),
                Tuple.of(2, place), Tuple.of(1, retry), Tuple.of(1, pause), Tuple.of(1, tierMode), Tuple.of(1, laneMode),
                Tuple.of(1, crash), Tuple.of(1, online), Tuple.of(1, switchPolicy));
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    /**
     * Whatever clients, operators and faults do: no task is lost or duplicated, every final state
     * a task reaches is in the completion outbox exactly once (a replayed dead letter reaches two),
     * and the books balance after every step. Commands the engine refuses (a finished task, a
     * place under a scoring policy, a draining lane) change nothing.
     */
    @Property(tries = 200)
    void anySteps_afterRunningToTheEnd_everyTaskFinishedOnceAndEveryFinalStateInTheOutboxOnce(
            @ForAll("policies") String policy, @ForAll("steps") List<Step> steps) {
        try (SimHarness sim = SimHarness.of(policy, PolicyConfig.empty(), INSTANCES, PROFILE)) {
            Engine engine = sim.engine();
            List<String> ids = new ArrayList<>();
            Set<String> withdrawn = new java.util.HashSet<>();
            for (Step step : steps) {
                switch (step) {
                    case Submit s -> {
                        String id = "t" + (ids.size() + withdrawn.size()); // a withdrawn task's id is not used again
                        TaskSpec spec = SimHarness.spec(id, s.priority(), s.promptTokens(), s.outputTokens());
                        if (s.poison()) {
                            spec = new TaskSpec(id, spec.model(), spec.input(), spec.priority(), null, null, null, null,
                                    spec.maxTokens(), spec.promptTokens(), Map.of(SimulatedGpuExecutor.POISON_KEY, "true"));
                        }
                        if (engine.send(new Command.Submit(spec, s.outputTokens())).handle((r, e) -> e == null).join()) {
                            ids.add(id); // a draining lane or tier refuses it
                        }
                    }
                    case Cancel c -> send(engine, ids, c.pick(), id -> new Command.Cancel(id));
                    case Withdraw w -> {
                        if (!ids.isEmpty()) {
                            List<String> gone = engine.send(new Command.Withdraw(List.of(ids.get(w.pick() % ids.size())))).join();
                            ids.removeAll(gone);
                            withdrawn.addAll(gone);
                        }
                    }
                    case Reprioritize r -> send(engine, ids, r.pick(), id -> new Command.Reprioritize(id, r.priority()));
                    case Place p -> send(engine, ids, p.pick(), id -> new Command.Place(id, p.priority(),
                            placement(p.where(), ids.get(p.anchorPick() % ids.size()))));
                    case RetryDeadLetter r -> send(engine, ids, r.pick(), id -> new Command.RetryDeadLetter(id));
                    case Pause p -> engine.send(new Command.PauseDispatch(p.pause())).join();
                    case TierMode t -> engine.send(new Command.SetTierMode(t.tier(), t.mode())).join();
                    case LaneMode l -> engine.send(new Command.SetLaneMode(l.priority(), l.mode())).join();
                    case Crash c -> engine.send(new Command.CrashInstance(c.instance())).join();
                    case Online o -> engine.send(new Command.SetInstanceOnline(o.instance(), o.online())).join();
                    case SwitchPolicy s -> engine.send(new Command.SwitchPolicy(s.name(), s.config())).join();
                    case Advance a -> sim.runUntil(sim.now() + a.micros() * 1_000);
                }
                sim.drain();
                assertBooksConsistent(sim.snapshot(), sim.activeCount());
            }

            engine.send(new Command.PauseDispatch(false)).join();
            for (io.queuedeck.engine.tier.Tier tier : List.of(io.queuedeck.engine.tier.Tier.CORE,
                    io.queuedeck.engine.tier.Tier.NORMAL, io.queuedeck.engine.tier.Tier.BATCH)) {
                engine.send(new Command.SetTierMode(tier, io.queuedeck.engine.tier.TierMode.ACTIVE)).join();
            }
            for (int p = 0; p <= 9; p++) {
                engine.send(new Command.SetLaneMode(p, io.queuedeck.engine.tier.TierMode.ACTIVE)).join();
            }
            for (int i = 0; i < INSTANCES; i++) {
                engine.send(new Command.SetInstanceOnline(i, true)).join();
            }
            sim.runUntilAllFinished();

            Map<String, List<TaskState>> moves = movesByTask(sim.events());
            Map<String, List<TaskState>> outboxed = new HashMap<>();
            for (TaskView view : sim.completions()) {
                outboxed.computeIfAbsent(view.id(), id -> new ArrayList<>()).add(view.state());
            }
            // and a withdrawn one only if it had ended before (a dead letter replayed, then withdrawn)
            assertThat(outboxed.keySet()).as("the outbox holds the submitted tasks and no other").containsAll(ids)
                    .allMatch(id -> ids.contains(id) || withdrawn.contains(id));
            for (String id : withdrawn) {
                assertThat(engine.send(new Command.FindTask(id)).join()).as("withdrawn %s", id).isEmpty();
            }
            for (String id : ids) {
                TaskView task = sim.task(id);
                List<TaskState> taskMoves = moves.get(id);
                assertThat(task.state()).as(id).isIn(FINAL_STATES);
                assertThat(outboxed.get(id)).as("final states of %s in the outbox, in order", id)
                        .isEqualTo(taskMoves.stream().filter(FINAL_STATES::contains).toList());
                assertThat(outboxed.get(id).getLast()).as("last outbox view of %s", id).isEqualTo(task.state());
                assertThat(taskMoves.stream().filter(s -> s == TaskState.SUCCEEDED))
                        .as("completions of %s", id).hasSizeLessThanOrEqualTo(1);
                assertThat(taskMoves).as("events of %s match its history", id)
                        .isEqualTo(task.history().stream().map(Task.Transition::to).toList());
                if (task.state() == TaskState.SUCCEEDED) {
                    assertThat(task.generatedTokens()).as(id).isEqualTo(task.outputTokens());
                }
            }
            EngineSnapshot end = sim.snapshot();
            EngineSnapshot.Counters counters = end.counters();
            long replays = 0; // dead letters an operator queued again
            for (List<TaskState> taskMoves : moves.values()) {
                for (int i = 1; i < taskMoves.size(); i++) {
                    if (taskMoves.get(i - 1) == TaskState.DEAD_LETTERED && taskMoves.get(i) == TaskState.QUEUED) {
                        replays++;
                    }
                }
            }
            assertThat(counters.submitted()).isEqualTo(ids.size() + withdrawn.size());
            assertThat(counters.succeeded() + counters.cancelled() + counters.deadLettered())
                    .as("every end, a replayed dead letter's counted twice, a withdrawn task's none")
                    .isEqualTo(counters.submitted() - withdrawn.size() + replays);
            assertThat(counters.succeeded()).isEqualTo(countIn(sim, ids, TaskState.SUCCEEDED));
            assertThat(counters.cancelled()).isEqualTo(countIn(sim, ids, TaskState.CANCELLED));
            assertThat(end.queuedByTier().get(io.queuedeck.engine.tier.Tier.DEAD_LETTER))
                    .isEqualTo((int) countIn(sim, ids, TaskState.DEAD_LETTERED));
            assertThat(end.queued()).isZero();
            assertThat(end.running()).isZero();
            assertBooksConsistent(end, 0);
            for (InstanceStatus instance : end.instances()) {
                assertThat(instance.kvUsedTokens()).as("KV left reserved on instance %d", instance.id()).isZero();
            }
        }
    }

    /** Sends a command about one of the tasks so far (if any); the engine may refuse it, which changes nothing. */
    private static void send(Engine engine, List<String> ids, int pick,
                             java.util.function.Function<String, Command<?>> command) {
        if (!ids.isEmpty()) {
            engine.send(command.apply(ids.get(pick % ids.size()))).handle((r, e) -> null).join();
        }
    }

    private static Placement placement(int where, String anchor) {
        return switch (where) {
            case 0 -> Placement.front();
            case 1 -> Placement.back();
            case 2 -> Placement.before(anchor);
            default -> Placement.after(anchor);
        };
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
        int byLevel = snapshot.queuedByLevel().stream().mapToInt(Integer::intValue).sum();
        boolean allLanesRun = java.util.stream.IntStream.rangeClosed(0, 9).allMatch(snapshot::laneRuns);
        if (allLanesRun) {
            assertThat(byLevel).as("queued by level").isEqualTo(snapshot.queued());
        } else {
            assertThat(byLevel).as("queued by level, parked tasks in none").isLessThanOrEqualTo(snapshot.queued());
        }
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
