package io.queuedeck.engine.sim;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpus;
import io.queuedeck.engine.exec.sim.VllmProfile;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.Predictor;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Replays a list of arrivals through the real engine (loop, policy, simulated GPUs) on a
 * virtual clock. Every policy sees the identical arrivals; the run is deterministic.
 *
 * @param instances GPU instances
 * @param profile   their performance model
 * @param model      the model they serve (every arrival must ask for it)
 * @param objectives per-class TTFT and TPOT objectives, for goodput
 */
public record Simulation(int instances, GpuModel profile, String model, ServiceObjectives objectives) {

    /** With the default service objectives. */
    public Simulation(int instances, GpuModel profile, String model) {
        this(instances, profile, model, ServiceObjectives.defaults());
    }

    /** Four H100s under vLLM V1's step model with its defaults. */
    public static Simulation defaults() {
        return new Simulation(4, VllmProfile.defaults("h100"), Engine.Builder.DEFAULT_MODEL);
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
        return run(policy, config, arrivals, wallClock, () -> false);
    }

    /** Events between two looks at a stop request: often enough to stop within milliseconds, rare enough to cost nothing. */
    static final int STOP_CHECK_EVENTS = 4_096;

    /**
     * The same, given up when {@code stop} answers true (it is asked every {@value #STOP_CHECK_EVENTS}
     * events): a caller that runs a comparison for someone who may cancel it (the console).
     *
     * @throws CancellationException when {@code stop} asked for it
     */
    public PolicyResult run(String policy, PolicyConfig config, List<Arrival> arrivals, LongSupplier wallClock,
                            BooleanSupplier stop) {
        long wallStart = wallClock.getAsLong();
        config = withBatchAwareOracle(policy, config);
        VirtualClock clock = new VirtualClock();
        SimulatedGpus gpus = profile.newExecutor(instances, model);
        Engine engine = Engine.builder()
                .clock(clock)
                .executor(gpus)
                .policy(policy)
                .policyConfig(config)
                .enforceDeadlines(false) // the figures compare how late each policy finishes deadline work
                .idSupplier(() -> {
                    throw new IllegalStateException("simulated arrivals carry their own ids");
                })
                .build();
        // every finished task's final view, in the order they finished: the figures are computed from them
        CompletionOutbox outbox = engine.completions();
        Map<String, TaskView> finished = new HashMap<>(arrivals.size() * 2);
        engine.start();
        int[] next = {0};
        long[] rejected = {0};
        scheduleNext(engine, clock, arrivals, next, rejected);
        long tokens = 0;
        for (Arrival arrival : arrivals) {
            tokens += arrival.outputTokens();
        }
        long fired = 0;
        while (next[0] < arrivals.size() || finished.size() + rejected[0] < arrivals.size()) {
            if (++fired % STOP_CHECK_EVENTS == 0 && stop.getAsBoolean()) {
                throw new CancellationException("the simulation of " + policy + " was stopped");
            }
            if (!clock.runNext()) {
                throw new IllegalStateException("simulation stalled with "
                        + (arrivals.size() - finished.size() - rejected[0]) + " tasks unfinished");
            }
            outbox.drain(Integer.MAX_VALUE, view -> finished.put(view.id(), view));
        }
        long end = clock.nanos();
        long first = arrivals.isEmpty() ? 0 : arrivals.getFirst().atNanos();
        List<TaskView> done = new ArrayList<>(arrivals.size());
        for (Arrival arrival : arrivals) {
            TaskView view = finished.get(arrival.spec().taskId());
            if (view != null && view.state() == TaskState.SUCCEEDED) {
                done.add(view);
            }
        }
        EngineSnapshot snapshot = engine.send(new Command.TakeSnapshot()).join();
        // Events: every timer fired, plus every per-task state change and every per-task decode step.
        long events = clock.firedCount() + tokens + 3L * arrivals.size() + 2 * snapshot.counters().preemptions();
        Double tau = predictorTau(config, arrivals, done);
        RunFigures run = new RunFigures(policy, done, rejected[0], snapshot.counters().preemptions(), gpus.usage(),
                instances, profile, objectives, first, end, clock::toNanos);
        PolicyResult result = run.result(wallClock.getAsLong() - wallStart, events);
        PolicyResult.Lab lab = result.lab().withTimerEvents(clock.firedCount());
        return result.withLab(tau == null ? lab : lab.withPredictorTau(tau));
    }

    /** Tasks over which the realised Kendall tau is computed (exact τ is O(n²)): an even sample. */
    static final int TAU_SAMPLE = 3_000;

    /**
     * Kendall's τ between the predictions the policy's predictor made and the true lengths, over
     * the completed tasks (an even sample of at most {@value #TAU_SAMPLE}), or null when the policy
     * was given no predictor. The predictions are made again by a fresh predictor of the same
     * kind, fed the arrivals and completions in time order, as the policy's was (a prediction is
     * made on arrival and learning happens on completion, so the replay reproduces them).
     */
    private static Double predictorTau(PolicyConfig config, List<Arrival> arrivals, List<TaskView> done) {
        String spec = config.values().get("predictor");
        if (spec == null || done.isEmpty()) {
            return null;
        }
        String seedText = config.values().get("predictor_seed");
        Predictor predictor = Predictor.parse(spec, seedText == null ? 1 : Long.parseLong(seedText));
        List<TaskView> byFinish = new ArrayList<>(done);
        byFinish.sort(java.util.Comparator.comparingLong(TaskView::finishedAt));
        Map<String, Double> predicted = new HashMap<>(arrivals.size() * 2);
        int f = 0;
        for (Arrival arrival : arrivals) {
            while (f < byFinish.size() && byFinish.get(f).finishedAt() <= arrival.atNanos()) {
                TaskView finished = byFinish.get(f++);
                predictor.learn(finished.spec(), finished.generatedTokens());
            }
            predicted.put(arrival.spec().taskId(), predictor.predict(arrival.spec().taskId(), arrival.spec(),
                    arrival.outputTokens()));
        }
        int n = Math.min(TAU_SAMPLE, done.size());
        double[] truth = new double[n];
        double[] guess = new double[n];
        for (int i = 0; i < n; i++) {
            TaskView task = done.get((int) ((long) i * done.size() / n));
            truth[i] = task.generatedTokens();
            guess[i] = predicted.getOrDefault(task.id(), 0.0);
        }
        return Math.round(Predictor.kendallTau(guess, truth) * 1000) / 1000.0;
    }

    /**
     * Runs every policy in {@code policies} on the same {@code arrivals}, in order, and sets
     * their oracle ratios when {@value PolicyResult#ORACLE} is among them.
     */
    public List<PolicyResult> compare(List<String> policies, Map<String, PolicyConfig> configs, List<Arrival> arrivals,
                                      LongSupplier wallClock) {
        return compare(policies, configs, arrivals, wallClock, Runnable::run);
    }

    /**
     * The same, with each policy's run handed to {@code executor}: runs share nothing (each has
     * its own engine, virtual clock and GPUs), so they may go in parallel and still give the
     * results of a sequential comparison, in the order of {@code policies}.
     */
    public List<PolicyResult> compare(List<String> policies, Map<String, PolicyConfig> configs, List<Arrival> arrivals,
                                      LongSupplier wallClock, Executor executor) {
        return compare(policies, configs, arrivals, wallClock, executor, () -> false);
    }

    /**
     * The same, given up when {@code stop} answers true: every run still going stops within a few
     * thousand events, and one not yet started does not start.
     *
     * @throws CancellationException when {@code stop} asked for it
     */
    public List<PolicyResult> compare(List<String> policies, Map<String, PolicyConfig> configs, List<Arrival> arrivals,
                                      LongSupplier wallClock, Executor executor, BooleanSupplier stop) {
        List<CompletableFuture<PolicyResult>> runs = new ArrayList<>(policies.size());
        for (String name : policies) {
            PolicyConfig config = configs.getOrDefault(name, PolicyConfig.empty());
            runs.add(CompletableFuture.supplyAsync(() -> {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the simulation of " + name + " was stopped before it started");
                }
                return run(name, config, arrivals, wallClock, stop);
            }, executor));
        }
        List<PolicyResult> results = new ArrayList<>(policies.size());
        for (CompletableFuture<PolicyResult> run : runs) {
            try {
                results.add(run.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        return PolicyResult.compareToOracle(results);
    }

    /** Submits the next arrival at its time; one the engine refuses is counted and skipped. */
    private static void scheduleNext(Engine engine, VirtualClock clock, List<Arrival> arrivals, int[] next, long[] rejected) {
        if (next[0] >= arrivals.size()) {
            return;
        }
        Arrival arrival = arrivals.get(next[0]);
        clock.schedule(arrival.atNanos(), () -> {
            next[0]++;
            try {
                engine.send(new Command.Submit(arrival.spec(), arrival.outputTokens())).join();
            } catch (CompletionException refused) {
                rejected[0]++;
            }
            scheduleNext(engine, clock, arrivals, next, rejected);
        });
    }

    /**
     * The oracle weighs a prefill by the batch it stalls; the simulation knows the batch size, so
     * it sets {@code prefill_weight} unless the caller did.
     */
    private PolicyConfig withBatchAwareOracle(String policy, PolicyConfig config) {
        if (!policy.equals("srpt-oracle") || config.values().containsKey("prefill_weight")) {
            return config;
        }
        Map<String, String> values = new java.util.HashMap<>(config.values());
        values.put("prefill_weight", Integer.toString(profile instanceof GpuProfile simple ? simple.maxBatch() : 1));
        return PolicyConfig.of(values);
    }
}
