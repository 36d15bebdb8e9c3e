package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The O(log n) policies against their documented formulas, computed the slow way: random
 * arrivals, dispatches, decode steps, completions and cancellations fed straight to a policy;
 * at every dispatch the task it hands out must be one of the best by the formula over every
 * task then waiting. (Aging and sjf fix a key when a task joins; weighted splits tasks over
 * tenants and two heaps; if any of that drifted from the formula, a dispatch would show it.)
 */
class PolicyOrderProperties {
    private static final double TOLERANCE = 1e-9;
    private static final String[] TENANTS = {"a", "b", "c", null};

    sealed interface Op {}

    /** A task arrives {@code gapMillis} after the previous operation. */
    record Arrive(long gapMillis, int priority, int promptTokens, int maxTokens, int tenant, int deadlineSeconds)
            implements Op {}

    record Dispatch(long gapMillis) implements Op {}

    /** A decode step of the {@code pick}-th running task, which finishes it when it has no tokens left. */
    record Step(int pick) implements Op {}

    record Cancel(int pick) implements Op {}

    /** An operator gives the {@code pick}-th waiting task a new priority: the loop removes and re-enqueues it. */
    record Reprioritize(int pick, int priority) implements Op {}

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)), Tuple.of(2, Arbitraries.longs().between(0, 3_000)));
        Arbitrary<Op> arrive = Combinators.combine(gap, Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 4_000), Arbitraries.integers().between(1, 60),
                Arbitraries.integers().between(0, TENANTS.length - 1),
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(-1)), Tuple.of(1, Arbitraries.integers().between(0, 90))))
                .as(Arrive::new);
        Arbitrary<Op> dispatch = gap.map(Dispatch::new);
        Arbitrary<Op> step = Arbitraries.integers().between(0, 999).map(Step::new);
        Arbitrary<Op> cancel = Arbitraries.integers().between(0, 999).map(Cancel::new);
        Arbitrary<Op> reprioritize = Combinators.combine(Arbitraries.integers().between(0, 999),
                Arbitraries.integers().between(0, 9)).as(Reprioritize::new);
        return Arbitraries.frequencyOf(Tuple.of(4, arrive), Tuple.of(3, dispatch), Tuple.of(6, step), Tuple.of(1, cancel),
                        Tuple.of(1, reprioritize))
                .list().ofMinSize(1).ofMaxSize(120).withSizeDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void weighted_randomOperations_dispatchesAHighestScoreAsExplained(@ForAll("operations") List<Op> ops,
            @ForAll boolean shortAgeCap) {
        Map<String, String> config = shortAgeCap ? Map.of("max_age_s", "2", "meta.vip", "1") : Map.of("meta.vip", "1");
        SchedulingPolicy policy = PolicyRegistry.create("weighted", PolicyConfig.of(config));
        // The score a user is shown for the task (the breakdown's sum); highest first.
        run(policy, ops, (task, now) -> -policy.explain(task, now).orElseThrow().score());
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void aging_randomOperations_dispatchesAMostUrgent(@ForAll("operations") List<Op> ops) {
        double alpha = 0.5;
        SchedulingPolicy policy = PolicyRegistry.create("aging", PolicyConfig.of(Map.of("alpha", "0.5", "give_up_seconds", "0", "late_give_up_seconds", "0")));
        // ln of the urgency (10 - p) e^(alpha × wait); most urgent first.
        run(policy, ops, (task, now) -> -(Math.log(10 - task.priority()) + alpha * (now - task.arrivedAt()) / 1e9));
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void sjf_randomOperations_dispatchesALeastAgedPredictedWork(@ForAll("operations") List<Op> ops) {
        SjfPolicy policy = (SjfPolicy) PolicyRegistry.create("sjf", NO_GIVE_UP);
        run(policy, ops, (task, now) -> agedPredictedWork(policy, task, now));
    }

    /** Predicted work minus 1 ns per ns waited; smallest first. (Every task here gives max_tokens.) */
    private static double agedPredictedWork(SjfPolicy policy, Task task, long now) {
        return task.contextTokens() * 1e9 / 47_000
                + Math.max(1, policy.predictedTokens(task) - task.generatedTokens()) * 7.4e6 - (now - task.arrivedAt());
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void edf_randomOperations_dispatchesAnEarliestDeadline(@ForAll("operations") List<Op> ops) {
        SchedulingPolicy policy = PolicyRegistry.create("edf", NO_GIVE_UP);
        // Deadline first (none = after all), then priority: one number, smallest first.
        run(policy, ops, (task, now) -> task.hasDeadline() ? task.deadlineAt() / 1e9 : 1e12 + task.priority());
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void fair_randomOperations_dispatchesFromALeastServedTenant(@ForAll("operations") List<Op> ops) {
        FairSharePolicy policy = (FairSharePolicy) PolicyRegistry.create("fair", NO_GIVE_UP);
        run(policy, ops, (task, now) -> policy.counter(task.spec().tenant()));
    }

    // With giving up (decision 0079, the defaults): the same formulas among the tasks that can
    // still meet their objective, then the same among those that cannot. LATE is far beyond any
    // other cost here.

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void aging_givingUp_dispatchesAMostUrgentOfThoseThatCanStillMeetTheirObjective(@ForAll("operations") List<Op> ops) {
        double alpha = 0.5;
        SchedulingPolicy policy = PolicyRegistry.create("aging", PolicyConfig.of(Map.of("alpha", "0.5")));
        run(policy, ops, (task, now) -> (lostObjective(task, now) ? LATE : 0)
                - (Math.log(10 - task.priority()) + alpha * (now - task.arrivedAt()) / 1e9));
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void edf_givingUp_dispatchesAnEarliestDeadlineOfThoseThatCanStillMeetTheirs(@ForAll("operations") List<Op> ops) {
        SchedulingPolicy policy = PolicyRegistry.create("edf");
        // a deadline is lost once passed; without one, the class's objective
        run(policy, ops, (task, now) -> {
            boolean lost = task.hasDeadline() ? now >= task.deadlineAt() : lostObjective(task, now);
            return (lost ? LATE : 0) + (task.hasDeadline() ? task.deadlineAt() / 1e9 : 1e6 + task.priority());
        });
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void sjf_givingUp_dispatchesALeastAgedPredictedWorkOfThoseThatCanStillMeetTheirObjective(
            @ForAll("operations") List<Op> ops) {
        SjfPolicy policy = (SjfPolicy) PolicyRegistry.create("sjf");
        // costs here are nanoseconds: a late task's offset must exceed any of them
        run(policy, ops, (task, now) -> (lostObjective(task, now) ? 1e15 : 0) + agedPredictedWork(policy, task, now));
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void fair_givingUp_dispatchesFromALeastServedTenantOfThoseThatCanStillMeetTheirObjective(
            @ForAll("operations") List<Op> ops) {
        FairSharePolicy policy = (FairSharePolicy) PolicyRegistry.create("fair");
        run(policy, ops, (task, now) -> (lostObjective(task, now) ? LATE : 0) + policy.counter(task.spec().tenant()));
    }

    private static final PolicyConfig NO_GIVE_UP =
            PolicyConfig.of(Map.of("give_up_seconds", "0", "late_give_up_seconds", "0"));
    private static final double LATE = 1e8;

    /** The documented default rule: priorities 3–6 lose theirs after 5 s of wait, 7–9 after 60 s, 0–2 never. */
    private static boolean lostObjective(Task task, long now) {
        long wait = now - task.arrivedAt();
        return task.priority() > 2 && wait >= (task.priority() <= 6 ? 5_000_000_000L : 60_000_000_000L);
    }

    /**
     * Replays {@code ops} on {@code policy}; at each dispatch the task handed out must have the
     * smallest {@code cost} of all waiting tasks (within {@link #TOLERANCE}).
     */
    private static void run(SchedulingPolicy policy, List<Op> ops, ToDoubleBiFunction<Task, Long> cost) {
        List<Task> waiting = new ArrayList<>();
        List<Task> running = new ArrayList<>();
        long now = 0;
        long sequence = 0;
        for (Op op : ops) {
            switch (op) {
                case Arrive a -> {
                    now += a.gapMillis() * 1_000_000;
                    TaskSpec spec = new TaskSpec("t" + sequence, SimHarness.MODEL, "x", a.priority(), null, TENANTS[a.tenant()],
                            null, null, a.maxTokens(), a.promptTokens(), Map.of("vip", "" + (a.priority() % 3) / 2.0));
                    Task task = new Task(spec, sequence++, a.maxTokens(), now);
                    if (a.deadlineSeconds() >= 0) {
                        task.setDeadlineAt(now + a.deadlineSeconds() * 1_000_000_000L);
                    }
                    task.setEnqueuedAt(now);
                    policy.admit(task, now);
                    policy.enqueue(task, now);
                    waiting.add(task);
                }
                case Dispatch d -> {
                    now += d.gapMillis() * 1_000_000;
                    if (waiting.isEmpty()) {
                        assertThat(policy.peek(now)).isNull();
                        assertThat(policy.poll(now)).isNull();
                        continue;
                    }
                    double best = Double.POSITIVE_INFINITY;
                    for (Task task : waiting) {
                        best = Math.min(best, cost.applyAsDouble(task, now));
                    }
                    Task peeked = policy.peek(now);
                    double chosenCost = cost.applyAsDouble(peeked, now);
                    Task polled = policy.poll(now);
                    assertThat(polled).as("poll hands out what peek showed").isSameAs(peeked);
                    assertThat(chosenCost).as("cost of %s at %d ns; best of %s", polled, now, waiting)
                            .isLessThanOrEqualTo(best + TOLERANCE * Math.max(1, Math.abs(best)));
                    waiting.remove(polled);
                    running.add(polled);
                }
                case Step s -> {
                    if (running.isEmpty()) {
                        continue;
                    }
                    Task task = running.get(s.pick() % running.size());
                    task.addToken(now);
                    if (task.remainingTokens() <= 0) {
                        running.remove(task);
                        policy.onCompleted(task, now);
                    } else {
                        policy.onStep(task, now);
                    }
                }
                case Reprioritize r -> {
                    if (waiting.isEmpty()) {
                        continue;
                    }
                    Task task = waiting.get(r.pick() % waiting.size());
                    assertThat(policy.remove(task)).as("remove %s", task).isTrue();
                    task.setPriority(r.priority());
                    policy.enqueue(task, now);
                }
                case Cancel c -> {
                    if (waiting.isEmpty()) {
                        continue;
                    }
                    Task task = waiting.remove(c.pick() % waiting.size());
                    assertThat(policy.remove(task)).as("remove %s", task).isTrue();
                }
            }
            assertThat(policy.size()).isEqualTo(waiting.size());
        }
    }
}
