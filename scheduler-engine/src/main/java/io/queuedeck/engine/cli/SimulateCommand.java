package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.report.ReportFiles;
import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.ServiceObjectives;
import io.queuedeck.engine.sim.Simulation;
import io.queuedeck.engine.sim.SyntheticWorkload;
import io.queuedeck.engine.sim.Trace;
import io.queuedeck.engine.sim.TraceReplay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Compares policies on the identical workload (synthetic or a trace replay), in virtual time. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay one workload under each policy on simulated GPUs and compare them.",
                "The workload is a synthetic chat mix (--tasks) or a trace (--trace); every policy sees the same arrivals,"
                        + " and the same arguments give byte-identical output (timing goes to stderr)."})
final class SimulateCommand implements Callable<Integer> {
    static final double DEFAULT_LOAD = 0.9;
    static final int DEFAULT_TASKS = 20_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", split = ",", defaultValue = "fifo,priority,mlfq",
            description = "Policies to compare, comma-separated, or 'all' (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Replay this trace (a path, or a shipped name: azure-conv-2023.csv, azure-code-2023.csv)"
                    + " instead of the synthetic workload. QueueDeck's CSV or the Azure LLM trace format, told by the header.")
    String trace;

    @Option(names = "--tasks", converter = WholeNumber.Tasks.class, description = "Synthetic workload only: tasks to generate (default: " + DEFAULT_TASKS + ").")
    Integer tasks;

    @Option(names = "--load", description = "Offered load as a fraction of the GPUs' saturated capacity (default: "
            + DEFAULT_LOAD + "). With --trace it picks the time scale; give --load or --time-scale, not both.")
    Double load;

    @Option(names = "--time-scale", paramLabel = "X",
            description = "Trace only: multiply every inter-arrival time by X (0.5 replays twice as fast).")
    Double timeScale;

    @Option(names = "--window", paramLabel = "START:END",
            description = "Trace only: replay the requests from START to END seconds of the trace (END may be left out).")
    String window;

    @Option(names = "--priorities", paramLabel = "RULE", defaultValue = "keep",
            description = "Trace only: priority of rows that have none: keep (5), prompt (short prompts urgent),"
                    + " or mix:1=0.1,3=0.3,5=0.6 (seeded random shares) (default: ${DEFAULT-VALUE}).")
    String priorities;

    @Option(names = "--tenants", converter = WholeNumber.NonNegative.class, paramLabel = "N", defaultValue = "0",
            description = "Trace only: give rows without a tenant one of tenant-1..tenant-N at random (default: none).")
    int tenants;

    @Option(names = "--deadlines", paramLabel = "RULE", defaultValue = "none",
            description = "Trace only: deadline of rows that have none: none, or P=SECONDS,... (a task of priority P"
                    + " must finish within SECONDS of simulated time after arriving, e.g. 0=2,1=5,3=30) (default: ${DEFAULT-VALUE}).")
    String deadlines;

    @Option(names = "--seed", converter = WholeNumber.AnyLong.class, defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--instances", converter = GpuCount.Simulated.class, defaultValue = "4",
            description = "Simulated GPU instances (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--step-model", defaultValue = "vllm",
            description = "vllm (vLLM V1's step: token budget, chunked prefill, paged KV) or simple (whole prefills,"
                    + " flat decode, KV reserved up front) (default: ${DEFAULT-VALUE}).")
    String stepModel;

    @Option(names = "--gpu", defaultValue = "h100",
            description = "Shipped Llama-2-7B profile: h100 or a100 (default: ${DEFAULT-VALUE}).")
    String gpu;

    @Option(names = "--profile", paramLabel = "FILE", description = "A step-cost profile file instead of --gpu's.")
    Path profileFile;

    @Option(names = "--max-batch", converter = WholeNumber.Positive.class, description = "Sequences per instance (vLLM max_num_seqs; default: the GPU's"
            + " vLLM default, 32 for the simple model).")
    Integer maxBatch;

    @Option(names = "--max-batched-tokens", converter = WholeNumber.Positive.class, description = "Token budget per step (vLLM max_num_batched_tokens;"
            + " default: the GPU's vLLM default).")
    Integer maxBatchedTokens;

    @Option(names = "--chunked-prefill", defaultValue = "on", description = "on or off (default: ${DEFAULT-VALUE}).")
    String chunkedPrefill;

    @Option(names = "--chunk-order", defaultValue = "policy",
            description = "Who gets a step's prefill budget first: policy (the scheduling policy's order) or"
                    + " admission (vLLM's) (default: ${DEFAULT-VALUE}).")
    String chunkOrder;

    @Option(names = "--kv-tokens", converter = WholeNumber.PositiveLong.class, description = "KV-cache tokens per instance (default: the profile's).")
    Long kvTokens;

    @Option(names = "--urgent-priority", converter = WholeNumber.UrgentPriority.class, paramLabel = "P",
            description = "Tasks of priority P or more urgent preempt less urgent running tasks when no instance has"
                    + " room for them (default: none, vLLM's first-come admission).")
    Integer urgentPriority;

    @Option(names = "--bulk-chunk-tokens", converter = WholeNumber.BulkChunkTokens.class, paramLabel = "N",
            description = "With --urgent-priority: prefill tokens per step for tasks outside the urgent class"
                    + " (default: no cap).")
    Integer bulkChunkTokens;

    @Option(names = "--predictor", paramLabel = "KIND",
            description = "Output-length predictor of sjf, weighted, mlfq and gittins: mean, constant[:N], learned,"
                    + " oracle, noisy:SIGMA or rank:TAU (default: each policy's own; see docs/policies.md).")
    String predictor;

    @Option(names = "--sweep", paramLabel = "SEEDS;LOADS;SHAPES",
            description = "Run every combination of seeds, loads and shapes (INSTANCESxMAX_SEQS) and print each"
                    + " policy's ratios with 95%% confidence intervals, e.g. '1,2,3;0.9,0.95,1.05;4x1024,2x256'.")
    String sweep;

    @Option(names = "--slo", paramLabel = "P=TTFT:TPOT,...",
            description = "Goodput objectives per priority in ms, e.g. 1=500:50 (defaults by tier: see docs/simulator.md).")
    String slo;

    @Option(names = "--param", description = "Policy parameter as policy.key=value, e.g. mlfq.q0_ms=20 (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--threads", converter = WholeNumber.Positive.class, paramLabel = "N",
            description = "Policies simulated at once (default: one per core). Results do not depend on it.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Also write report.json, report.csv and PNG charts (latency CDF; latency and TTFT by priority class) to DIR.")
    Path out;

    /** {@code dir} or its nearest ancestor that exists: where a directory would be made. */
    private static java.nio.file.Path nearestExisting(java.nio.file.Path dir) {
        java.nio.file.Path at = dir;
        while (at != null && !java.nio.file.Files.exists(at)) {
            at = at.getParent();
        }
        return at == null ? dir.getRoot() : at;
    }

    /** The most GPUs simulated: a rack of racks, far past what a policy comparison needs. */
    static final int MAX_INSTANCES = 10_000;
    /** The most synthetic tasks: as many as a trace may hold. */
    static final int MAX_TASKS = io.queuedeck.engine.sim.Trace.MAX_ROWS;

    @Override
    public Integer call() {
        ReportFormat reportFormat = parseFormat(format);
        if (instances < 1 || (maxBatch != null && maxBatch < 1)) {
            throw new IllegalArgumentException("--instances and --max-batch must be at least 1");
        }
        if (out != null && (java.nio.file.Files.exists(out) ? !java.nio.file.Files.isDirectory(out) || !java.nio.file.Files.isWritable(out)
                : out.toAbsolutePath().getParent() != null && !java.nio.file.Files.isWritable(nearestExisting(out.toAbsolutePath().getParent())))) {
            // said before the simulation runs, not after it (it was minutes of work for nothing)
            throw new IllegalArgumentException("--out " + out + ": cannot write the report there (" + (java.nio.file.Files.exists(out)
                    && !java.nio.file.Files.isDirectory(out) ? "a file is there, not a directory" : "not writable") + ")");
        }
        if (instances > MAX_INSTANCES) { // 10^8 ran out of heap after 35 s; a million took 38 s for 10 tasks
            throw new IllegalArgumentException("--instances must be at most " + MAX_INSTANCES + ", got " + instances);
        }
        if (timeScale != null && !(timeScale >= 1e-6 && timeScale <= 1e6)) { // 1e15 stalled the simulation
            throw new IllegalArgumentException("--time-scale must be in [0.000001, 1000000], got " + timeScale);
        }
        if (load != null && !(load > 0 && load <= 10)) {
            throw new IllegalArgumentException("--load must be in (0, 10], got " + load);
        }
        if (policies.isEmpty() || policies.stream().anyMatch(String::isBlank)) { // "," said "maximumPoolSize must be positive"
            throw new IllegalArgumentException("--policy names no policy: give one or more of " + PolicyRegistry.names() + ", or all");
        }
        List<String> names = policies.size() == 1 && policies.getFirst().equals("all") ? PolicyRegistry.names() : policies;
        if (names.stream().distinct().count() < names.size()) {
            throw new IllegalArgumentException("--policy names a policy twice: " + String.join(",", names));
        }
        Map<String, PolicyConfig> configs = PredictorOption.apply(parseParams(names), predictor, seed);
        for (String name : names) {
            PolicyRegistry.create(name, configs.get(name)); // refuse bad names before running anything
        }
        if (sweep != null) {
            return runSweep(names, configs);
        }
        GpuModel profile = new StepModelOptions(stepModel, gpu, profileFile, maxBatch, maxBatchedTokens, chunkedPrefill,
                chunkOrder, kvTokens, urgentPriority, bulkChunkTokens).model();
        Simulation simulation = new Simulation(instances, profile, Engine.Builder.DEFAULT_MODEL,
                slo == null ? ServiceObjectives.defaults() : ServiceObjectives.parse(slo));
        Workload workload = trace != null ? traceWorkload(simulation) : syntheticWorkload(simulation);

        int parallel = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (parallel < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + parallel);
        }
        long start = System.nanoTime();
        List<PolicyResult> results;
        // The CLI is where threads are made: one pool for this comparison, closed with it.
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, names.size()))) {
            results = simulation.compare(names, configs, workload.arrivals(), System::nanoTime, pool);
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(reportFormat.render(results));
        stdout.flush();
        long busy = 0, events = 0, timers = 0;
        for (PolicyResult result : results) {
            busy += result.wallMillis();
            events += result.events();
            timers += result.lab().timerEvents();
        }
        // Timing varies run to run, so it goes to stderr and the report on stdout stays byte-identical.
        PrintWriter stderr = spec.commandLine().getErr();
        stderr.printf(Locale.ROOT, "simulated %s x %d policies in %.2f s wall (%d at a time; %.2f s summed over runs):"
                        + " %,d events, %,.0f events/s, of which %,d timer events, %,.0f timer events/s%n", workload.description(),
                names.size(), elapsedMillis / 1e3, Math.min(parallel, names.size()), busy / 1e3, events,
                elapsedMillis == 0 ? 0 : events * 1000.0 / elapsedMillis, timers,
                elapsedMillis == 0 ? 0 : timers * 1000.0 / elapsedMillis);
        if (out != null) {
            try {
                List<Path> written = ReportFiles.write(out, results, workload.description());
                stderr.printf(Locale.ROOT, "wrote %s%n", String.join(", ", written.stream().map(Path::toString).toList()));
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + out + ": cannot write the report: " + e, e);
            }
        }
        stderr.flush();
        return 0;
    }

    /** Every combination of the sweep, one comparison each, then the summary. */
    private Integer runSweep(List<String> names, Map<String, PolicyConfig> configs) {
        Sweep plan = Sweep.parse(sweep);
        int parallel = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<Sweep.Run> runs = new ArrayList<>();
        PrintWriter stderr = spec.commandLine().getErr();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, names.size())))) {
            for (double sweepLoad : plan.loads()) {
                for (int[] shape : plan.shapes()) {
                    for (long sweepSeed : plan.seeds()) {
                        seed = sweepSeed;
                        load = sweepLoad;
                        GpuModel profile = new StepModelOptions(stepModel, gpu, profileFile, shape[1], maxBatchedTokens,
                                chunkedPrefill, chunkOrder, kvTokens, urgentPriority, bulkChunkTokens).model();
                        Simulation simulation = new Simulation(shape[0], profile, Engine.Builder.DEFAULT_MODEL,
                                slo == null ? ServiceObjectives.defaults() : ServiceObjectives.parse(slo));
                        Workload workload = trace != null ? traceWorkload(simulation) : syntheticWorkload(simulation);
                        Map<String, PolicyConfig> seeded = PredictorOption.reseed(configs, sweepSeed);
                        runs.add(new Sweep.Run(sweepLoad, shape[0] + "x" + shape[1], sweepSeed,
                                simulation.compare(names, seeded, workload.arrivals(), System::nanoTime, pool)));
                        stderr.printf(Locale.ROOT, "swept load %.2f, shape %dx%d, seed %d%n", sweepLoad, shape[0], shape[1],
                                sweepSeed);
                        stderr.flush();
                    }
                }
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(Sweep.summary(runs, names));
        stdout.flush();
        return 0;
    }

    /** The arrivals every policy is fed, and a line saying what they are. */
    private record Workload(List<Arrival> arrivals, String description) {}

    private Workload syntheticWorkload(Simulation simulation) {
        List<String> traceOnly = new ArrayList<>();
        if (timeScale != null) traceOnly.add("--time-scale");
        if (window != null) traceOnly.add("--window");
        if (!priorities.equals("keep")) traceOnly.add("--priorities");
        if (tenants != 0) traceOnly.add("--tenants");
        if (!deadlines.equals("none")) traceOnly.add("--deadlines");
        if (!traceOnly.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", traceOnly) + " apply to a trace replay only; add --trace FILE");
        }
        int count = tasks == null ? DEFAULT_TASKS : tasks;
        if (count < 1 || count > MAX_TASKS) { // 2^31 - 1 asked for an array the VM cannot make
            throw new IllegalArgumentException("--tasks must be between 1 and " + MAX_TASKS + ", got " + count);
        }
        double offered = load == null ? DEFAULT_LOAD : load;
        SyntheticWorkload workload = SyntheticWorkload.chat(count, seed);
        double rate = offered * workload.capacityTasksPerSecond(simulation.profile(), simulation.instances());
        return new Workload(workload.generate(rate, simulation.model()), String.format(Locale.ROOT,
                "%d synthetic tasks at %.1f tasks/s (load %.2f)", count, rate, offered));
    }

    private Workload traceWorkload(Simulation simulation) {
        if (tasks != null) {
            throw new IllegalArgumentException("--tasks applies to the synthetic workload; a trace replays its own requests"
                    + " (use --window to replay part of it)");
        }
        if (load != null && timeScale != null) {
            throw new IllegalArgumentException("give --load or --time-scale, not both: --load picks the time scale");
        }
        double[] span = parseWindow(window);
        TraceReplay replay = new TraceReplay(timeScale == null ? 1.0 : timeScale, span[0], span[1], priorities, tenants,
                seed, deadlines);
        Trace loaded = Trace.load(trace);
        if (replay.window(loaded).isEmpty()) {
            throw new IllegalArgumentException("--window " + window + " holds no request of " + loaded.name()
                    + ", which spans " + String.format(Locale.ROOT, "%.1f", loaded.durationSeconds()) + " s");
        }
        if (timeScale == null) {
            double offered = load == null ? DEFAULT_LOAD : load;
            replay = replay.withTimeScale(replay.timeScaleForLoad(loaded, offered, simulation.profile(),
                    simulation.instances()));
        }
        List<Arrival> arrivals = replay.arrivals(loaded, simulation.model());
        double offered = replay.offeredLoad(loaded, simulation.profile(), simulation.instances());
        return new Workload(arrivals, String.format(Locale.ROOT, "%d requests of %s%s at time scale %.4f (load %.2f)",
                arrivals.size(), loaded.name(), window == null ? "" : " (window " + window + " s)", replay.timeScale(),
                offered));
    }

    /** START:END, START: or :END in seconds; null for the whole trace. */
    static double[] parseWindow(String text) {
        if (text == null) {
            return new double[] {0, Double.POSITIVE_INFINITY};
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--window must be START:END in seconds, e.g. 0:600, got '" + text + "'");
        }
        try {
            String start = text.substring(0, colon).trim();
            String end = text.substring(colon + 1).trim();
            return new double[] {start.isEmpty() ? 0 : Double.parseDouble(start),
                    end.isEmpty() ? Double.POSITIVE_INFINITY : Double.parseDouble(end)};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--window must be START:END in seconds, e.g. 0:600, got '" + text + "'");
        }
    }

    private static ReportFormat parseFormat(String text) {
        try {
            return ReportFormat.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be table, json or csv, got '" + text + "'");
        }
    }

    private Map<String, PolicyConfig> parseParams(List<String> names) {
        Map<String, Map<String, String>> byPolicy = new LinkedHashMap<>();
        for (String name : names) {
            byPolicy.put(name, new LinkedHashMap<>());
        }
        for (String param : params) {
            int dot = param.indexOf('.');
            int eq = param.indexOf('=');
            if (dot <= 0 || eq < dot) {
                throw new IllegalArgumentException("--param must look like policy.key=value, got '" + param + "'");
            }
            String policy = param.substring(0, dot);
            if (!byPolicy.containsKey(policy)) {
                throw new IllegalArgumentException("--param " + param + " names policy '" + policy
                        + "', which is not being simulated");
            }
            byPolicy.get(policy).put(param.substring(dot + 1, eq), param.substring(eq + 1));
        }
        Map<String, PolicyConfig> configs = new LinkedHashMap<>();
        byPolicy.forEach((name, values) -> configs.put(name, PolicyConfig.of(values)));
        return configs;
    }
}
