package io.queuedeck.engine.cli;

import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.Simulation;
import io.queuedeck.engine.sim.SyntheticWorkload;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Compares policies on the identical synthetic workload, in virtual time. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Replay one synthetic workload under each policy on simulated GPUs and compare them.")
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--policy", split = ",", defaultValue = "fifo,priority,mlfq",
            description = "Policies to compare, comma-separated, or 'all' (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--tasks", defaultValue = "20000", description = "Tasks in the workload (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--load", defaultValue = "0.9",
            description = "Offered load as a fraction of the GPUs' saturated capacity (default: ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--instances", defaultValue = "4", description = "Simulated GPU instances (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--max-batch", defaultValue = "32", description = "Batch slots per instance (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--param", description = "Policy parameter as policy.key=value, e.g. mlfq.q0_ms=20 (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        ReportFormat reportFormat = parseFormat(format);
        if (!(load > 0 && load <= 10)) {
            throw new IllegalArgumentException("--load must be in (0, 10], got " + load);
        }
        if (instances < 1 || maxBatch < 1 || tasks < 1) {
            throw new IllegalArgumentException("--tasks, --instances and --max-batch must be at least 1");
        }
        List<String> names = policies.size() == 1 && policies.getFirst().equals("all") ? PolicyRegistry.names() : policies;
        Map<String, Map<String, String>> byPolicy = parseParams(names);
        for (String name : names) {
            PolicyRegistry.create(name, PolicyConfig.of(byPolicy.get(name))); // refuse bad names before running anything
        }
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100.withMaxBatch(maxBatch);
        Simulation simulation = new Simulation(instances, profile, io.queuedeck.engine.Engine.Builder.DEFAULT_MODEL);
        SyntheticWorkload workload = SyntheticWorkload.chat(tasks, seed);
        double rate = load * workload.capacityTasksPerSecond(profile, instances);
        List<Arrival> arrivals = workload.generate(rate, simulation.model());

        List<PolicyResult> results = new ArrayList<>();
        long wall = 0, events = 0;
        for (String name : names) {
            PolicyResult result = simulation.run(name, PolicyConfig.of(byPolicy.get(name)), arrivals, System::nanoTime);
            results.add(result);
            wall += result.wallMillis();
            events += result.events();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(reportFormat.render(results));
        out.flush();
        // Timing varies run to run, so it goes to stderr and the report on stdout stays byte-identical.
        spec.commandLine().getErr().printf(Locale.ROOT,
                "simulated %d tasks x %d policies at %.1f tasks/s (load %.2f) in %.2f s wall: %,d events, %,.0f events/s%n",
                tasks, names.size(), rate, load, wall / 1e3, events, wall == 0 ? 0 : events * 1000.0 / wall);
        return 0;
    }

    private static ReportFormat parseFormat(String text) {
        try {
            return ReportFormat.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be table, json or csv, got '" + text + "'");
        }
    }

    private Map<String, Map<String, String>> parseParams(List<String> names) {
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
        return byPolicy;
    }
}
