package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.exec.openai.OpenAiExecutorBuilder;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.sim.LiveLoad;
import io.queuedeck.engine.sim.SyntheticWorkload;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine the console embeds by default: simulated GPUs on the system clock, fed by a
 * synthetic chat workload submitted through the public API from the console's own "clients"
 * thread, so a new user sees a live system at once.
 */
public final class EmbeddedEngine implements DemoLoad, AutoCloseable {
    private final Engine engine;
    private io.queuedeck.engine.control.plane.ConfigPlane plane;
    /** Priority mixes: name → [priority, share] pairs. */
    static final java.util.Map<String, List<double[]>> MIXES = new java.util.LinkedHashMap<>();

    static {
        MIXES.put("chat (P1 10%, P3 30%, P5 60%)", List.of(new double[] {1, 0.1}, new double[] {3, 0.3}, new double[] {5, 0.6}));
        MIXES.put("urgent-heavy (P0 20%, P1 40%, P5 40%)", List.of(new double[] {0, 0.2}, new double[] {1, 0.4}, new double[] {5, 0.4}));
        MIXES.put("batch-heavy (P2 10%, P5 20%, P8 70%)", List.of(new double[] {2, 0.1}, new double[] {5, 0.2}, new double[] {8, 0.7}));
        MIXES.put("uniform (P0-P9)", java.util.stream.IntStream.range(0, 10).mapToObj(p -> new double[] {p, 0.1}).toList());
    }

    /** Prompt and output lengths: name → {prompt median, prompt p99, output median, output p99} in tokens. */
    static final java.util.Map<String, double[]> LENGTHS = new java.util.LinkedHashMap<>();

    static {
        LENGTHS.put("chat (prompts ~1,000, outputs ~130 tokens)", new double[] {1_000, 4_000, 130, 600});
        LENGTHS.put("short (prompts ~200, outputs ~30)", new double[] {200, 800, 30, 120});
        LENGTHS.put("long documents (prompts ~6,000, outputs ~400)", new double[] {6_000, 14_000, 400, 1_500});
    }

    private SyntheticWorkload workload;
    private String lengths = LENGTHS.keySet().iterator().next();
    private String mix = MIXES.keySet().iterator().next();
    private double capacity;
    private final ScheduledExecutorService clients =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("queuedeck-demo-clients").factory());
    private LiveLoad load;
    private TraceLoad replay;
    private String replayName;
    private final int instances;
    private LiveLoad burst;
    private double fraction;
    private long seed;
    private OpenAiExecutor backends;
    /** Set once before the window shows when the console is a node of a shared queue; else null. */
    private volatile ClusterLink cluster;
    /** The engine as it started, before any load: what a stored queue brought back. */
    private EngineSnapshot opened;
    /** The config the engine started with. */
    private io.queuedeck.engine.config.ServeConfig startConfig;

    /**
     * Told when an engine's scheduler loop dies (on the dying loop's thread, or its watchdog's); the
     * engine has already failed its health and refuses commands. By default the process halts with
     * {@link Engine.Builder#LOOP_FAILURE_EXIT_CODE}, as {@code serve} does; the window says why first.
     */
    private static volatile java.util.function.Consumer<Throwable> loopFailure =
            e -> Runtime.getRuntime().halt(Engine.Builder.LOOP_FAILURE_EXIT_CODE);

    /** Who is told when a scheduler loop dies, from now on (the window, once it shows). */
    public static void onLoopFailure(java.util.function.Consumer<Throwable> handler) {
        loopFailure = java.util.Objects.requireNonNull(handler, "handler");
    }

    private EmbeddedEngine(Engine engine, SyntheticWorkload workload, double capacity, long seed, int instances) {
        this.instances = instances;
        this.engine = engine;
        this.workload = workload;
        this.capacity = capacity;
        this.seed = seed;
    }

    /**
     * Starts an engine with {@code instances} simulated H100s running {@code policy}, and the
     * demo workload at {@code load} times their capacity (0 for none).
     */
    public static EmbeddedEngine start(String policy, int instances, double load) {
        return start(policy, instances, load, null);
    }

    /**
     * The same, keeping its queue in {@code store} (null: in memory): whatever was queued there,
     * from the API or the demo load, is back before the window shows, and runs.
     */
    public static EmbeddedEngine start(String policy, int instances, double load, TaskStore store) {
        return start(policy, instances, load, SyntheticWorkload.chat(Integer.MAX_VALUE, System.nanoTime()), store, null, null);
    }

    /** The same on the config in {@code configFile} (its tier table, limits and rules; null: the built-in defaults), no load. */
    public static EmbeddedEngine start(String policy, int instances, TaskStore store, java.nio.file.Path configFile) {
        return start(policy, instances, 0, SyntheticWorkload.chat(Integer.MAX_VALUE, System.nanoTime()), store, null, configFile);
    }

    /**
     * The same on real inference servers: {@code backends} replace the simulated GPUs (docs/backends.md).
     * Asks those that name no model for theirs, so it blocks for up to their connect timeouts: call it
     * off the FX thread. The demo load cannot run on them (it asks for the simulated model).
     */
    public static EmbeddedEngine start(String policy, List<Backend> backends, TaskStore store) {
        OpenAiExecutorBuilder builder = OpenAiExecutor.builder();
        backends.forEach(builder::backend);
        OpenAiExecutor executor = builder.build();
        try {
            return start(policy, 1, 0, SyntheticWorkload.chat(Integer.MAX_VALUE, System.nanoTime()), store, executor, null);
        } catch (RuntimeException e) {
            executor.close();
            throw e;
        }
    }

    /** The backends' executor (for the OpenAI front door), or null on simulated GPUs. */
    public OpenAiExecutor backends() {
        return backends;
    }

    /**
     * The UI benchmark's system: short tasks (prompts ~100 tokens, outputs ~8) on as many
     * simulated GPUs as it takes to serve {@code flowPerSecond} with 5% to spare, under strict
     * priority, plus {@code backlog} tasks at priority 9 that wait behind the flow.
     */
    public static EmbeddedEngine startBench(double flowPerSecond, int backlog) {
        SyntheticWorkload tiny = new SyntheticWorkload(Integer.MAX_VALUE, 42, 100, 400, 8, 32,
                List.of(new double[] {1, 0.1}, new double[] {3, 0.3}, new double[] {5, 0.6}));
        double perGpu = tiny.capacityTasksPerSecond(GpuProfile.LLAMA2_7B_H100, 1);
        int instances = (int) Math.ceil(flowPerSecond * 1.05 / perGpu);
        EmbeddedEngine system = start("priority", instances, 0, tiny, null, null, null);
        // off the caller's (FX) thread, so the window shows at once and fills as the backlog lands
        system.clients.execute(() -> {
            system.submitBacklog(backlog, 9);
            system.setLoad(flowPerSecond / system.capacity);
        });
        return system;
    }

    /** Queues {@code count} short tasks at {@code priority} at once (futures not awaited). */
    public void submitBacklog(int count, int priority) {
        SyntheticWorkload shape = reseeded(++seed);
        java.util.SplittableRandom random = new java.util.SplittableRandom(shape.seed());
        for (int i = 0; i < count; i++) {
            var arrival = shape.draw(random, null, 0, Engine.Builder.DEFAULT_MODEL);
            TaskSpec drawn = arrival.spec();
            engine.send(new Command.Submit(new TaskSpec(null, drawn.model(), "", priority, null, "backlog", null, null, drawn.maxTokens(),
                    drawn.promptTokens(), null), arrival.outputTokens()));
        }
    }

    private static String readConfig(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the config " + file + ": " + e.getMessage(), e);
        }
    }

    private static EmbeddedEngine start(String policy, int instances, double load, SyntheticWorkload workload,
                                        TaskStore store, OpenAiExecutor backends, java.nio.file.Path configFile) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, got " + instances);
        }
        GpuProfile profile = GpuProfile.LLAMA2_7B_H100;
        long seed = workload.seed();
        // the documented default file, its policy the console's: what the Control screen shows and changes
        // or the operator's file (--config), whose policy is then the one given. --api-port is a flag, as serve's
        // --port, and not written into the text: a restart on another port read as a changed file, and the
        // operator's running version gave way to the defaults (and no version from before could be rolled back to)
        String text = configFile != null ? readConfig(configFile) : io.queuedeck.engine.config.ServeConfig.defaultText()
                .replaceFirst("(?m)^  name: priority\\b", "  name: " + policy);
        String source = configFile != null ? configFile.toString() : "built-in defaults";
        java.nio.file.Path folder = configFile != null ? configFile.toAbsolutePath().getParent() : java.nio.file.Path.of("").toAbsolutePath();
        // a start, not a change of a running config: read as `serve --config` reads its file
        io.queuedeck.engine.config.ServeConfig config = configFile != null
                ? io.queuedeck.engine.config.ServeConfig.load(configFile, System::getenv)
                : io.queuedeck.engine.config.ServeConfig.read(source, text, folder, System::getenv);
        io.queuedeck.engine.control.ReleaseClassifier classifier = new io.queuedeck.engine.control.ReleaseClassifier(
                config.priorityRules());
        Engine.Builder builder = Engine.builder()
                .executor(backends != null ? backends : new SimulatedGpuExecutor(instances, Engine.Builder.DEFAULT_MODEL, profile))
                .flow(config.flow())
                .classifier(classifier)
                .policy(policy)
                .onLoopFailure(e -> loopFailure.accept(e));
        if (store != null) {
            builder.store(store);
        }
        Engine engine = builder.build();
        engine.start();
        EngineSnapshot opened = engine.send(new Command.TakeSnapshot()).join(); // what the store brought back
        EmbeddedEngine embedded = new EmbeddedEngine(engine, workload, workload.capacityTasksPerSecond(profile, instances), seed,
                instances);
        embedded.backends = backends;
        embedded.startConfig = config;
        embedded.opened = opened;
        embedded.plane = new io.queuedeck.engine.control.plane.ConfigPlane(engine, classifier, config, text,
                source, folder, System::getenv, policy);
        embedded.setLoad(load);
        return embedded;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Joins the queue shared in Redis as one of its nodes, over {@code queue} ({@link ClusterLink#connect}).
     * The engine then runs what it claims there; nothing is claimed before the link is started.
     */
    public void joinCluster(ClusterSettings settings, io.queuedeck.engine.cluster.SharedQueue queue) {
        ClusterLink link = ClusterLink.over(engine, queue, settings);
        link.applyConfig(startConfig);
        plane.onApplied(link::applyConfig); // a tiers reload reaches the shared queue's caps
        cluster = link;
    }

    /** The link to the shared queue, or null when the console runs alone. */
    public ClusterLink cluster() {
        return cluster;
    }

    /** The engine as it started, before any load: what a stored queue brought back. */
    public EngineSnapshot opened() {
        return opened;
    }

    /** The config the engine started with (the `--config` file, or the built-in defaults). */
    public io.queuedeck.engine.config.ServeConfig startConfig() {
        return startConfig;
    }

    /** The running config's versions, history and canary (the Control screen; the console's REST API). */
    public io.queuedeck.engine.control.plane.ConfigPlane plane() {
        return plane;
    }

    @Override
    public synchronized void setLoad(double value) {
        if (!(value >= 0 && value <= 10)) {
            throw new IllegalArgumentException("load must be between 0 and 10, got " + value);
        }
        if (load != null) {
            load.close();
            load = null;
        }
        stopReplay();
        fraction = value;
        if (value > 0) {
            load = newLoad(value * capacity);
        }
    }

    @Override
    public String unavailable() {
        return backends == null ? null : "No demo load on real inference servers: it asks for the simulated model ("
                + Engine.Builder.DEFAULT_MODEL + "), which they do not serve; send tasks over the REST API or the OpenAI"
                + " front door instead";
    }

    @Override
    public synchronized double load() {
        return fraction;
    }

    @Override
    public synchronized double capacityTasksPerSecond() {
        return capacity;
    }

    @Override
    public List<String> shippedTraces() {
        return List.of("azure-conv-2023.csv", "azure-code-2023.csv");
    }

    @Override
    public synchronized void replay(String traceName) {
        io.queuedeck.engine.sim.Trace trace = io.queuedeck.engine.sim.Trace.load(traceName);
        io.queuedeck.engine.sim.TraceReplay rule = new io.queuedeck.engine.sim.TraceReplay(1.0, 0, Double.POSITIVE_INFINITY,
                "prompt", 0, 1);
        double offered = fraction > 0 ? fraction : 0.9;
        rule = rule.withTimeScale(rule.timeScaleForLoad(trace, offered, GpuProfile.LLAMA2_7B_H100, instances));
        List<io.queuedeck.engine.sim.Arrival> arrivals = rule.arrivals(trace, Engine.Builder.DEFAULT_MODEL);
        if (load != null) {
            load.close();
            load = null;
        }
        stopReplay();
        fraction = offered;
        replay = new TraceLoad(engine, arrivals, System::nanoTime);
        replayName = trace.name();
        replay.start(clients);
    }

    @Override
    public synchronized String replayStatus() {
        if (replay == null) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "%s: %,d of %,d submitted%s", replayName, replay.submitted(), replay.total(),
                replay.finished() ? " (done)" : "");
    }

    @Override
    public synchronized double offeredTasksPerSecond() {
        if (replay != null) {
            return replay.finished() ? 0 : replay.averageRate();
        }
        return fraction * capacity;
    }

    private void stopReplay() {
        if (replay != null) {
            replay.close();
            replay = null;
            replayName = null;
        }
    }

    @Override
    public List<String> mixes() {
        return List.copyOf(MIXES.keySet());
    }

    @Override
    public synchronized String mix() {
        return mix;
    }

    @Override
    public synchronized void setMix(String name) {
        List<double[]> shares = MIXES.get(name);
        if (shares == null) {
            throw new IllegalArgumentException("unknown mix '" + name + "'; mixes: " + String.join(", ", MIXES.keySet()));
        }
        SyntheticWorkload w = workload;
        workload = new SyntheticWorkload(w.tasks(), w.seed(), w.promptMedian(), w.promptP99(), w.outputMedian(), w.outputP99(), shares);
        mix = name;
        setLoad(fraction); // restarts the generator with the new shape
    }

    @Override
    public List<String> lengthPresets() {
        return List.copyOf(LENGTHS.keySet());
    }

    @Override
    public synchronized String lengths() {
        return lengths;
    }

    /** Switches prompt and output lengths; the load fraction stays, so the rate follows the new capacity. */
    @Override
    public synchronized void setLengths(String name) {
        double[] l = LENGTHS.get(name);
        if (l == null) {
            throw new IllegalArgumentException("unknown lengths '" + name + "'; presets: " + String.join(", ", LENGTHS.keySet()));
        }
        SyntheticWorkload w = workload;
        workload = new SyntheticWorkload(w.tasks(), w.seed(), l[0], l[1], l[2], l[3], w.priorityMix());
        capacity = workload.capacityTasksPerSecond(GpuProfile.LLAMA2_7B_H100, instances);
        lengths = name;
        setLoad(fraction);
    }

    @Override
    public synchronized void burst(double factor, int seconds) {
        if (!(factor > 1) || seconds < 1) {
            throw new IllegalArgumentException("a burst needs a factor above 1 and at least one second");
        }
        if (burst != null || fraction == 0) {
            return;
        }
        LiveLoad extra = newLoad((factor - 1) * fraction * capacity);
        burst = extra;
        clients.schedule(() -> endBurst(extra), seconds, TimeUnit.SECONDS);
    }

    @Override
    public synchronized boolean bursting() {
        return burst != null;
    }

    private synchronized void endBurst(LiveLoad extra) {
        extra.close();
        if (burst == extra) {
            burst = null;
        }
    }

    private LiveLoad newLoad(double ratePerSecond) {
        // a fresh seed per generator: two generators with one seed would submit twin tasks
        LiveLoad next = new LiveLoad(engine, reseeded(++seed), Engine.Builder.DEFAULT_MODEL, ratePerSecond, System::nanoTime);
        next.start(clients);
        return next;
    }

    private synchronized SyntheticWorkload reseeded(long newSeed) {
        SyntheticWorkload w = workload;
        return new SyntheticWorkload(w.tasks(), newSeed, w.promptMedian(), w.promptP99(), w.outputMedian(), w.outputP99(),
                w.priorityMix());
    }

    /** Stops the demo load, a trace replay and a burst: nothing new is submitted from the console itself. */
    public synchronized void stopLoad() {
        setLoad(0);
        if (burst != null) {
            burst.close();
            burst = null;
        }
    }

    /** Stops the load generators, then the engine. */
    @Override
    public synchronized void close() {
        if (load != null) {
            load.close();
        }
        if (burst != null) {
            burst.close();
        }
        stopReplay();
        clients.shutdownNow();
        if (cluster != null) {
            cluster.close(); // stops claiming; what the engine has not finished goes back to the shared queue
        }
        engine.close();
        if (backends != null) {
            backends.close(); // its streams and HTTP threads
        }
    }
}
