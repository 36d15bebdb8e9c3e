package io.queuedeck.engine.sim;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.VllmProfile;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * A policy comparison on a trace, as {@code simulate --trace TRACE --load LOAD --seed SEED
 * --priorities RULE --tenants N --deadlines RULE --instances N --gpu GPU --policy P,…} runs it, with
 * the command's defaults for the rest (vLLM V1's step model with the GPU's defaults, the default
 * service objectives, no policy parameters): for a caller that runs it on a thread of its own and
 * may stop it (the console). The same arguments give the command's figures.
 *
 * @param trace      a trace file, or a shipped trace's name ({@link Trace#load})
 * @param load       offered load as a fraction of the GPUs' saturated capacity, in (0, 10]
 * @param seed       seed of the random priority, tenant and predictor rules
 * @param priorities priority of rows without one: keep, prompt or mix:P=SHARE,… ({@link TraceReplay})
 * @param policies   the policies to run, in report order; {@value PolicyResult#ORACLE} is added
 *                   last when missing, since every figure is read against it
 * @param instances  simulated GPU instances, 1 to {@value #MAX_INSTANCES}
 * @param gpu        the shipped profile: h100 or a100
 * @param tenants    rows without a tenant get one of tenant-1..tenant-N at random; 0: none
 * @param deadlines  deadline of rows without one: none, or P=SECONDS,… ({@link TraceReplay})
 */
public record TraceComparison(String trace, double load, long seed, String priorities, List<String> policies,
                              int instances, String gpu, int tenants, String deadlines) {
    /** As many instances as {@code simulate} takes. */
    public static final int MAX_INSTANCES = 10_000;
    /** The GPUs with a shipped profile. */
    public static final List<String> GPUS = List.of("h100", "a100");

    /** On {@code simulate}'s defaults for the GPUs, tenants and deadlines: four H100s, none, none. */
    public TraceComparison(String trace, double load, long seed, String priorities, List<String> policies) {
        this(trace, load, seed, priorities, policies, 4, "h100", 0, "none");
    }

    public TraceComparison {
        if (trace == null || trace.isBlank()) {
            throw new IllegalArgumentException("no trace: give a trace file or a shipped trace's name");
        }
        if (!(load > 0 && load <= 10)) {
            throw new IllegalArgumentException("the load must be in (0, 10], got " + load);
        }
        if (policies.stream().distinct().count() < policies.size()) {
            throw new IllegalArgumentException("a policy is named twice: " + String.join(",", policies));
        }
        List<String> all = new ArrayList<>(policies);
        if (!all.contains(PolicyResult.ORACLE)) {
            all.add(PolicyResult.ORACLE);
        }
        for (String name : all) {
            PolicyRegistry.create(name, PolicyConfig.empty()); // an unknown name is refused before anything runs
        }
        if (instances < 1 || instances > MAX_INSTANCES) {
            throw new IllegalArgumentException("the instances must be 1 to " + MAX_INSTANCES + ", got " + instances);
        }
        if (!GPUS.contains(gpu)) {
            throw new IllegalArgumentException("the GPU must be one of " + String.join(", ", GPUS) + ", got '" + gpu + "'");
        }
        replay(priorities, tenants, seed, deadlines); // and a bad rule
        policies = List.copyOf(all);
    }

    private static TraceReplay replay(String priorities, int tenants, long seed, String deadlines) {
        return new TraceReplay(1.0, 0, Double.POSITIVE_INFINITY, priorities, tenants, seed, deadlines);
    }

    /** The GPUs every policy runs on. */
    private Simulation simulation() {
        return new Simulation(instances, VllmProfile.defaults(gpu), Engine.Builder.DEFAULT_MODEL);
    }

    /**
     * What a comparison found.
     *
     * @param description the workload in the words of {@code simulate}'s timing line
     * @param results     one per policy, in the order asked, with their oracle ratios set
     */
    public record Outcome(String description, List<PolicyResult> results) {
        public Outcome {
            results = List.copyOf(results);
        }
    }

    /**
     * Loads the trace, scales it to the load and runs every policy on it, each run handed to
     * {@code executor} (runs share nothing, so they may go in parallel). Blocks until all ended.
     *
     * @param stop     asked now and then; true gives the comparison up
     * @param finished told the number of policies finished so far, from the thread that ran the last one
     * @throws TraceFormatException     when the trace cannot be read, naming the file and line
     * @throws IllegalArgumentException when the trace holds no request
     * @throws CancellationException    when {@code stop} asked for it
     */
    public Outcome run(Executor executor, BooleanSupplier stop, IntConsumer finished) {
        Simulation simulation = simulation();
        Trace loaded = Trace.load(trace);
        if (loaded.rows().isEmpty()) {
            throw new IllegalArgumentException(loaded.name() + " holds no request");
        }
        if (stop.getAsBoolean()) {
            throw new CancellationException("the comparison was stopped before it started");
        }
        TraceReplay replay = replay(priorities, tenants, seed, deadlines);
        replay = replay.withTimeScale(replay.timeScaleForLoad(loaded, load, simulation.profile(), simulation.instances()));
        List<Arrival> arrivals = replay.arrivals(loaded, simulation.model());
        Map<String, PolicyConfig> configs = new LinkedHashMap<>();
        policies.forEach(name -> configs.put(name, PolicyConfig.empty()));
        AtomicInteger done = new AtomicInteger();
        Executor counted = task -> executor.execute(() -> {
            task.run();
            if (!stop.getAsBoolean()) { // a run given up has not finished
                finished.accept(done.incrementAndGet());
            }
        });
        List<PolicyResult> results = simulation.compare(policies, configs, arrivals, () -> 0L, counted, stop);
        String description = String.format(Locale.ROOT, "%d requests of %s at time scale %.4f (load %.2f)", arrivals.size(),
                loaded.name(), replay.timeScale(), replay.offeredLoad(loaded, simulation.profile(), simulation.instances()));
        return new Outcome(description, results);
    }

    /** The same comparison from the command line, for a report or a colleague. */
    public String commandLine() {
        return "simulate --trace " + trace + " --load " + load + " --seed " + seed + " --priorities " + priorities
                + (tenants == 0 ? "" : " --tenants " + tenants) + (deadlines.equals("none") ? "" : " --deadlines " + deadlines)
                + (instances == 4 ? "" : " --instances " + instances) + (gpu.equals("h100") ? "" : " --gpu " + gpu)
                + " --policy " + String.join(",", policies);
    }

    /** The GPUs every policy runs on, for a line under the results. */
    public String gpus() {
        return instances + " simulated " + gpu.toUpperCase(Locale.ROOT) + (instances == 1 ? "" : "s") + " serving "
                + Engine.Builder.DEFAULT_MODEL + " under vLLM V1's step model";
    }
}
