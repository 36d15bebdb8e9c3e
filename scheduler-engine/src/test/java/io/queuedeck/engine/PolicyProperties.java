package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.snapshot.EngineEvent.TaskTransitioned;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every policy fed the identical random workload (tenants, business classes, deadlines, with and
 * without max_tokens), on engines of 1 to 3 instances with batches of 1 to 4, on a virtual clock.
 */
class PolicyProperties {

    /** A policy and its parameters: every registered policy with its defaults, and the options that change how it runs. */
    record Setup(String policy, Map<String, String> config) {
        @Override
        public String toString() {
            return config.isEmpty() ? policy : policy + config;
        }
    }

    static List<Setup> setups() {
        List<Setup> setups = new ArrayList<>();
        for (String name : PolicyRegistry.names()) {
            setups.add(new Setup(name, Map.of()));
        }
        setups.add(new Setup("priority", Map.of("preemptive", "true")));
        setups.add(new Setup("mlfq", Map.of("q0_ms", "2", "boost_interval_ms", "20", "starvation_threshold_ms", "50", "preempt", "true")));
        setups.add(new Setup("aging", Map.of("alpha", "20")));
        setups.add(new Setup("weighted", Map.of("max_age_s", "0.05", "meta.vip", "2")));
        setups.add(new Setup("fair", Map.of("input_weight", "0", "output_weight", "1")));
        setups.add(new Setup("sjf", Map.of("aging", "0.1")));
        setups.add(new Setup("srpt-oracle", Map.of("preempt", "true")));
        return setups;
    }

    /**
     * One arrival: gap before it, priority, lengths, tenant and business class (an index; the
     * last means none), deadline after arrival in ms (negative: none), whether it gives
     * max_tokens (otherwise its true length is a surprise to the policy), a vip metadata value.
     */
    record Job(long gapMicros, int priority, int promptTokens, int outputTokens, int tenant, int businessClass,
               int deadlineMs, boolean givesMaxTokens, int vipPercent) {

        TaskSpec spec(String id, long arrivalNanos) {
            Instant deadline = deadlineMs < 0 ? null : VirtualClock.DEFAULT_ORIGIN.plusNanos(arrivalNanos + deadlineMs * 1_000_000L);
            return new TaskSpec(id, SimHarness.MODEL, "x", priority, null, TENANTS[tenant], CLASSES[businessClass], deadline,
                    givesMaxTokens ? outputTokens : null, promptTokens, Map.of("vip", Double.toString(vipPercent / 100.0)));
        }
    }

    private static final String[] TENANTS = {"acme", "globex", "initech", null};
    private static final String[] CLASSES = {"chat", "batch", null};

    @Provide
    Arbitrary<List<Job>> workloads() {
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0L)), Tuple.of(3, Arbitraries.longs().between(0, 30_000)));
        Arbitrary<Integer> deadline = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1)), Tuple.of(1, Arbitraries.integers().between(0, 2_000)));
        Arbitrary<Job> job = Combinators.combine(
                gap,
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 2_000),
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers().between(0, TENANTS.length - 1),
                Arbitraries.integers().between(0, CLASSES.length - 1),
                deadline,
                Arbitraries.of(true, false)
        ).as((g, p, prompt, out, tenant, cls, due, gives) -> new Job(g, p, prompt, out, tenant, cls, due, gives, 0))
                .flatMap(j -> Arbitraries.integers().between(0, 100).map(vip -> new Job(j.gapMicros(), j.priority(),
                        j.promptTokens(), j.outputTokens(), j.tenant(), j.businessClass(), j.deadlineMs(),
                        j.givesMaxTokens(), vip)));
        return job.list().ofMinSize(1).ofMaxSize(30).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<Integer> instanceCounts() {
        return Arbitraries.integers().between(1, 3);
    }

    @Provide
    Arbitrary<Integer> batchSizes() {
        return Arbitraries.integers().between(1, 4);
    }

    @Property(tries = 30)
    void everyPolicy_randomWorkload_everyTaskCompletesExactlyOnce(
            @ForAll("workloads") List<Job> jobs, @ForAll("instanceCounts") int instances, @ForAll("batchSizes") int batch) {
        for (Setup setup : setups()) {
            try (SimHarness sim = SimHarness.of(setup.policy(), PolicyConfig.of(setup.config()), instances,
                    GpuProfile.LLAMA2_7B_H100.withMaxBatch(batch))) {
                List<String> ids = submitAtTheirArrival(sim, jobs);

                sim.runUntilAllFinished();

                Map<String, List<TaskState>> moves = new HashMap<>();
                for (EngineEvent event : sim.events()) {
                    if (event instanceof TaskTransitioned t) {
                        moves.computeIfAbsent(t.taskId(), id -> new ArrayList<>()).add(t.to());
                    }
                }
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    TaskView task = sim.task(id);
                    assertThat(task.state()).as("%s under %s", id, setup).isEqualTo(TaskState.SUCCEEDED);
                    assertThat(moves.get(id).stream().filter(s -> s == TaskState.SUCCEEDED))
                            .as("completions of %s under %s", id, setup).hasSize(1);
                    assertThat(moves.get(id).getLast()).as("last move of %s under %s", id, setup).isEqualTo(TaskState.SUCCEEDED);
                    assertThat(task.generatedTokens()).as("tokens of %s under %s", id, setup).isEqualTo(jobs.get(i).outputTokens());
                }
                assertThat(sim.dispatchOrder()).as("first dispatches under %s", setup).hasSize(ids.size())
                        .containsExactlyInAnyOrderElementsOf(ids);
                EngineSnapshot end = sim.snapshot();
                assertThat(end.counters().succeeded()).as(setup.toString()).isEqualTo(ids.size());
                assertThat(end.counters().submitted()).as(setup.toString()).isEqualTo(ids.size());
                assertThat(end.queued()).as(setup.toString()).isZero();
                assertThat(end.running()).as(setup.toString()).isZero();
            }
        }
    }

    /**
     * The same with exclusive resources (a quarter of the tasks need "r1", a quarter "r2"), under
     * the default priority inheritance: tasks set aside for a held resource come back and finish.
     */
    @Property(tries = 20)
    void everyPolicy_randomWorkloadWithExclusiveResources_everyTaskCompletesExactlyOnce(
            @ForAll("workloads") List<Job> jobs, @ForAll("instanceCounts") int instances, @ForAll("batchSizes") int batch) {
        for (Setup setup : setups()) {
            try (SimHarness sim = SimHarness.of(setup.policy(), PolicyConfig.of(setup.config()), instances,
                    GpuProfile.LLAMA2_7B_H100.withMaxBatch(batch))) {
                for (int i = 0; i < jobs.size(); i++) {
                    Job job = jobs.get(i);
                    sim.runUntil(sim.now() + job.gapMicros() * 1_000);
                    TaskSpec spec = job.spec("t" + i, sim.now());
                    if (i % 4 < 2) {
                        spec = new TaskSpec(spec.taskId(), spec.model(), spec.input(), spec.priority(), null, spec.tenant(),
                                spec.businessClass(), spec.deadline(), spec.maxTokens(), spec.promptTokens(),
                                Map.of("exclusive_resource", "r" + (i % 4 + 1), "vip", "0.5"));
                    }
                    sim.submit(spec, job.outputTokens());
                }

                sim.runUntilAllFinished();

                for (int i = 0; i < jobs.size(); i++) {
                    TaskView task = sim.task("t" + i);
                    assertThat(task.state()).as("t%d under %s", i, setup).isEqualTo(TaskState.SUCCEEDED);
                    assertThat(task.generatedTokens()).as("tokens of t%d under %s", i, setup).isEqualTo(jobs.get(i).outputTokens());
                    assertThat(task.priority()).as("priority of t%d after it released what it held, under %s", i, setup)
                            .isEqualTo(jobs.get(i).priority());
                }
                assertThat(sim.dispatchOrder()).as("first dispatches under %s", setup).hasSize(jobs.size());
                EngineSnapshot end = sim.snapshot();
                assertThat(end.counters().succeeded()).as(setup.toString()).isEqualTo(jobs.size());
                assertThat(end.queued()).as(setup.toString()).isZero();
                assertThat(end.queuedByPriority().stream().mapToInt(Integer::intValue).sum()).as(setup.toString()).isZero();
            }
        }
    }

    /**
     * Work conservation: after every event the virtual clock fires, if a task waits and dispatch
     * is not paused then every instance that accepts work has a full batch. Every workload here
     * fits any instance's KV cache many times over (4 × 2,040 tokens of 120,000), so outside the
     * pause nothing excuses an idle slot.
     */
    @Property(tries = 30)
    void everyPolicy_randomWorkload_noSlotIdleWhileATaskWaits(
            @ForAll("workloads") List<Job> jobs, @ForAll("instanceCounts") int instances, @ForAll("batchSizes") int batch,
            @ForAll @LongRange(max = 300_000) long pauseAtMicros, @ForAll @LongRange(max = 100_000) long pauseForMicros,
            @ForAll @LongRange(max = 600_000) long switchAtMicros, @ForAll @IntRange(max = 99) int switchTo) {
        List<Setup> setups = setups();
        for (Setup setup : setups) {
            try (SimHarness sim = SimHarness.of(setup.policy(), PolicyConfig.of(setup.config()), instances,
                    GpuProfile.LLAMA2_7B_H100.withMaxBatch(batch))) {
                VirtualClock clock = sim.clock();
                int[] arrived = {0};
                long at = 0;
                for (int i = 0; i < jobs.size(); i++) {
                    Job job = jobs.get(i);
                    at += job.gapMicros() * 1_000;
                    String id = "t" + i;
                    long arrival = at;
                    clock.schedule(arrival, () -> {
                        sim.submit(job.spec(id, arrival), job.outputTokens());
                        arrived[0]++;
                    });
                }
                // Dispatch paused for a while, and the live policy switched once: conservation
                // must hold again the moment dispatch resumes and right after the switch.
                boolean[] paused = {false};
                clock.schedule(pauseAtMicros * 1_000, () -> {
                    sim.pause(true);
                    paused[0] = true;
                });
                clock.schedule((pauseAtMicros + pauseForMicros) * 1_000, () -> {
                    sim.pause(false);
                    paused[0] = false;
                });
                Setup next = setups.get(switchTo % setups.size());
                clock.schedule(switchAtMicros * 1_000,
                        () -> sim.engine().send(new Command.SwitchPolicy(next.policy(), PolicyConfig.of(next.config()))).join());
                // Waiting tasks, followed through the events (a whole snapshot per event is too slow).
                Set<String> waiting = new HashSet<>();
                int seen = 0;
                long events = 0;
                while (arrived[0] < jobs.size() || sim.activeCount() > 0) {
                    assertThat(clock.runNext()).as("a timer is left while tasks are active, under %s", setup).isTrue();
                    assertThat(++events).as("events under %s", setup).isLessThan(1_000_000);
                    List<EngineEvent> all = sim.events();
                    for (; seen < all.size(); seen++) {
                        if (all.get(seen) instanceof TaskTransitioned t) {
                            if (t.to().isWaiting()) {
                                waiting.add(t.taskId());
                            } else {
                                waiting.remove(t.taskId());
                            }
                        }
                    }
                    if (!waiting.isEmpty() && !paused[0]) {
                        for (InstanceStatus instance : sim.instances()) {
                            if (instance.state().acceptsWork()) {
                                assertThat(instance.running())
                                        .as("under %s (then %s at %d µs) at %d ns, %s waiting: instance %d runs %d of %d",
                                                setup, next, switchAtMicros,
                                                clock.nanos(), waiting, instance.id(), instance.running(),
                                                instance.batchCapacity())
                                        .isEqualTo(instance.batchCapacity());
                            }
                        }
                    }
                }
                assertThat(sim.snapshot().queued()).as(setup.toString()).isZero();
                assertThat(sim.snapshot().counters().succeeded()).as(setup.toString()).isEqualTo(jobs.size());
            }
        }
    }

    private static List<String> submitAtTheirArrival(SimHarness sim, List<Job> jobs) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            sim.runUntil(sim.now() + job.gapMicros() * 1_000);
            String id = "t" + i;
            sim.submit(job.spec(id, sim.now()), job.outputTokens());
            ids.add(id);
        }
        return ids;
    }
}
