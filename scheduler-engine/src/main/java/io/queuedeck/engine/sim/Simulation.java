package io.queuedeck.engine.sim;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EngineSnapshot;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.loop.SchedulerLoop;
import io.queuedeck.engine.loop.VirtualClock;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.metrics.LatencyStats;
import io.queuedeck.engine.policy.PolicyConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Replays a list of arrivals through the real engine (loop, policy, simulated GPUs) on a
 * virtual clock. Every policy sees the identical arrivals; the run is deterministic.
 *
 * @param instances GPU instances
 * @param profile   their performance model
 * @param model     the model they serve (every arrival must ask for it)
 */
public record Simulation(int instances, GpuProfile profile, String model) {

    public static Simulation defaults() {
        return new Simulation(4, GpuProfile.LLAMA2_7B_H100, Engine.Builder.DEFAULT_MODEL);
    }

    /** Runs {@code arrivals} under {@code policy} until every task has finished; wall time is not measured (0). */
    public PolicyResult run(String policy, PolicyConfig config, List<Arrival> arrivals) {
        return run(policy, config, arrivals, () -> 0L);
    }

    /**
     * Runs {@code arrivals} under {@code policy} until every task has finished, measuring the
     * real time it took with {@code wallClock} (the CLI passes System::nanoTime; the engine
     * itself reads no system time, see ArchitectureTest).
     */
    public PolicyResult run(String policy, PolicyConfig config, List<Arrival> arrivals, LongSupplier wallClock) {
        long wallStart = wallClock.getAsLong();
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder()
                .clock(clock)
                .executor(new SimulatedGpuExecutor(instances, model, profile))
                .policy(policy)
                .policyConfig(config)
                .idSupplier(() -> {
                    throw new IllegalStateException("simulated arrivals carry their own ids");
                })
                .build();
        engine.start();
        SchedulerLoop loop = engine.loopOnVirtualClock();
        int[] next = {0};
        scheduleNext(engine, clock, arrivals, next);
        long tokens = 0;
        for (Arrival arrival : arrivals) {
            tokens += arrival.outputTokens();
        }
        while (next[0] < arrivals.size() || loop.activeCount() > 0) {
            if (!clock.runNext()) {
                throw new IllegalStateException("simulation stalled with " + loop.activeCount() + " tasks unfinished");
            }
        }
        long end = clock.nanos();
        long first = arrivals.isEmpty() ? 0 : arrivals.getFirst().atNanos();
        EngineSnapshot snapshot = loop.snapshot();
        // Events: every timer fired, plus every per-task state change and every per-task decode step.
        long events = clock.firedCount() + tokens + 3L * arrivals.size() + 2 * snapshot.counters().preemptions();
        return result(policy, loop.latency(), snapshot, (end - first) / 1e9, wallClock.getAsLong() - wallStart, events);
    }

    private static void scheduleNext(Engine engine, VirtualClock clock, List<Arrival> arrivals, int[] next) {
        if (next[0] >= arrivals.size()) {
            return;
        }
        Arrival arrival = arrivals.get(next[0]);
        clock.schedule(arrival.atNanos(), () -> {
            next[0]++;
            engine.submit(arrival.spec(), arrival.outputTokens()).join();
            scheduleNext(engine, clock, arrivals, next);
        });
    }

    private static PolicyResult result(String policy, LatencyMetrics latency, EngineSnapshot snapshot, double makespanS,
                                       long wallNanos, long events) {
        LatencyMetrics.Stats total = latency.total();
        Map<String, PolicyResult.ClassResult> byPriority = new LinkedHashMap<>();
        for (int p = 0; p < snapshot.byPriority().size(); p++) {
            LatencyMetrics.Stats stats = latency.priority(p);
            if (stats.endToEnd().count() > 0) {
                byPriority.put(Integer.toString(p), classResult(stats));
            }
        }
        long tasks = total.endToEnd().count();
        return new PolicyResult(policy, tasks, round(makespanS > 0 ? tasks / makespanS : 0), round(makespanS),
                round(total.endToEnd().meanMs()), round(total.endToEnd().p50Ms()), round(total.endToEnd().p99Ms()),
                round(total.ttft().meanMs()), round(total.ttft().p99Ms()), round(total.queueWait().meanMs()),
                round(total.queueWait().p99Ms()), snapshot.counters().preemptions(), byPriority,
                wallNanos / 1_000_000, events);
    }

    private static PolicyResult.ClassResult classResult(LatencyMetrics.Stats stats) {
        LatencyStats e2e = stats.endToEnd();
        return new PolicyResult.ClassResult(e2e.count(), round(e2e.meanMs()), round(e2e.p50Ms()), round(e2e.p99Ms()),
                round(stats.ttft().meanMs()), round(stats.ttft().p99Ms()), round(stats.queueWait().meanMs()));
    }

    /** Two decimals: enough for milliseconds, and stable text for byte-identical reports. */
    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
