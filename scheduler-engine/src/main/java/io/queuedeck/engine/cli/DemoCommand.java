package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.sim.LiveLoad;
import io.queuedeck.engine.sim.SyntheticWorkload;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A live engine on the system clock with simulated GPUs and a synthetic workload, printing its queues each second. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the engine live with simulated GPUs and a synthetic chat workload; print queue levels each second.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--policy", defaultValue = "mlfq", description = "Scheduling policy (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--load", defaultValue = "0.95",
            description = "Offered load as a fraction of the GPUs' capacity (default: ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--instances", converter = GpuCount.Live.class, defaultValue = "4",
            description = "Simulated GPU instances (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--seconds", converter = WholeNumber.NonNegative.class, defaultValue = "0", description = "Stop after this many seconds; 0 runs until Ctrl-C.")
    int seconds;

    @Override
    public Integer call() throws InterruptedException {
        if (!(load > 0 && load <= 10)) {
            throw new IllegalArgumentException("--load must be in (0, 10], got " + load);
        }
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100;
        String model = Engine.Builder.DEFAULT_MODEL;
        SyntheticWorkload workload = SyntheticWorkload.chat(Integer.MAX_VALUE, System.nanoTime());
        double rate = load * workload.capacityTasksPerSecond(profile, instances);
        PrintWriter out = spec.commandLine().getOut();
        ScheduledExecutorService clients = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
        CountDownLatch done = new CountDownLatch(1);
        try (Engine engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(instances, model, profile))
                .policy(policy)
                .policyConfig(PolicyConfig.empty())
                .build();
             LiveLoad load = new LiveLoad(engine, workload, model, rate, System::nanoTime)) {
            engine.start();
            load.start(clients);
            out.printf(Locale.ROOT, "QueueDeck demo: policy %s, %d simulated GPUs (%s), %.1f tasks/s offered. Ctrl-C stops.%n",
                    policy, instances, model, rate);
            out.println("   time  queued  p0-2  p3-6  p7-9  running  done/s  e2e p50  e2e p99  gpus (running/slots)");
            long start = System.nanoTime();
            clients.scheduleAtFixedRate(() -> print(out, engine.latestSnapshot(), start), 1, 1, TimeUnit.SECONDS);
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            if (seconds > 0) {
                done.await(seconds, TimeUnit.SECONDS);
            } else {
                done.await();
            }
        } finally {
            clients.shutdownNow();
        }
        return 0;
    }

    private static void print(PrintWriter out, EngineSnapshot s, long start) {
        if (s == null) {
            return;
        }
        int core = 0, normal = 0, batch = 0;
        for (int p = 0; p < s.queuedByPriority().size(); p++) {
            int n = s.queuedByPriority().get(p);
            if (p <= 2) core += n;
            else if (p <= 6) normal += n;
            else batch += n;
        }
        StringBuilder gpus = new StringBuilder();
        for (InstanceStatus gpu : s.instances()) {
            gpus.append(String.format(Locale.ROOT, " %d/%d", gpu.running(), gpu.batchCapacity()));
        }
        out.printf(Locale.ROOT, "%6ds %7d %5d %5d %5d %8d %7.1f %6.0fms %6.0fms %s%n",
                (System.nanoTime() - start) / 1_000_000_000L, s.queued(), core, normal, batch, s.running(),
                s.throughputTps(), s.recent().endToEnd().p50Ms(), s.recent().endToEnd().p99Ms(), gpus);
        out.flush();
    }
}
