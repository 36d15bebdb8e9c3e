package io.queuedeck.console;

import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.store.DataDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The console's command line.
 *
 * @param screenshot   render the window to this PNG after {@code after}, then exit
 * @param after        how long to let the demo run before the screenshot
 * @param screen       the screen to show first (also the one screenshotted)
 * @param benchUi      run the UI benchmark for this long, print its numbers, then exit
 * @param policy       scheduling policy of the embedded engine
 * @param load         demo load as a fraction of the GPUs' capacity
 * @param loadGiven    whether {@code --load} chose it (else the load last set in the console runs, if any)
 * @param gpus         simulated GPU instances
 * @param light        light theme instead of dark
 * @param inject       faults to inject two seconds after start: crash:N, slow:NxF, offline:N, burst, poison
 * @param trace        replay this trace (file or shipped name) instead of the synthetic load
 * @param apiPort      loopback port of the REST API the console serves (0: any free port); empty: no API
 * @param dataDir      where the queue is kept; empty: {@code $XDG_DATA_HOME/queuedeck/console}
 *                     (else {@code ~/.local/share/queuedeck/console})
 * @param inMemory     keep nothing on disk
 * @param shutdownGrace how long closing the window lets running tasks finish
 * @param backends     real OpenAI-compatible inference servers; given, they replace the simulated GPUs
 * @param cluster      run as one node of a queue shared in Redis ({@code --redis}, or {@code store.type: redis}
 *                     in the {@code --config} file); empty: alone
 */
public record ConsoleOptions(Optional<Path> screenshot, Duration after, Optional<Screen> screen, Optional<Duration> benchUi,
                             String policy, double load, int gpus, boolean light, List<String> inject,
                             Optional<String> trace, java.util.OptionalInt apiPort, Optional<Path> dataDir,
                             boolean inMemory, Duration shutdownGrace, List<Backend> backends,
                             Optional<io.queuedeck.console.gateway.ClusterSettings> cluster, Optional<Path> config,
                             boolean loadGiven) {

    /** The REST API's default port, on 127.0.0.1 only. */
    public static final int DEFAULT_API_PORT = 8080;

    public static final String USAGE = """
            Usage: queuedeck-console [options]
              --screen NAME           first screen: overview, latency, lanes, gpus, faults, policies,
                                      search, activity, control, drills
              --policy NAME           scheduling policy (default mlfq; one of %s)
              --load X                demo load as a fraction of GPU capacity (default: the load
                                      last set in the console, else 0.9; 0 = none)
              --gpus N                simulated GPU instances (default 4)
              --light                 light theme
              --trace NAME            replay a trace (CSV file, or azure-conv-2023.csv / azure-code-2023.csv)
                                      at --load instead of the synthetic workload
              --inject LIST           faults to inject 2 s after start, e.g. crash:0,slow:1x3,offline:3,burst,poison
              --api-port N            serve the REST API on 127.0.0.1:N (default: --config's server.port, else 8080;
                                      0 = any free port)
              --no-api                do not serve the REST API
              --data-dir DIR          keep the queue in DIR (default $XDG_DATA_HOME/queuedeck/console,
                                      else ~/.local/share/queuedeck/console); it survives a restart
              --in-memory             keep nothing on disk: the queue is lost when the window closes
              --shutdown-grace D      on close, let running tasks finish for up to D (default 30s);
                                      closing again stops at once (queued tasks are kept either way)
              --backend URL[,model=NAME][,slots=N][,key_env=VAR][,priority=FIELD]
                                      a real OpenAI-compatible inference server (vLLM, SGLang, llama.cpp,
                                      Ollama, ...); repeatable. Given backends replace the simulated GPUs,
                                      the demo load is off, and the API serves the OpenAI front door
              --redis redis://HOST:PORT[/DB]
                                      run as one node of a queue shared in Redis with other consoles and
                                      `serve` nodes: the GPUs screen shows the whole cluster, tier and task
                                      actions apply to every node; the demo load is off, the queue is in Redis
              --node NAME             this console's node name (default console-<host name>); needs --redis
              --queue NAME            the shared queue's name (default: default); needs --redis
              --config FILE           run the engine on FILE (its policy, else mlfq; tiers, limits and rules;
                                      not with --policy), and take --redis, --node and --queue from its store
                                      section (store.type redis, store.uri, store.node.name/queue); flags win
              --screenshot FILE --after DURATION
                                      save the window as a PNG after DURATION (e.g. 5s, 800ms, 1m), then exit
              --bench-ui DURATION     run the UI benchmark (2,000 tasks/s, 100,000 queued), print
                                      frame time p50/p99/max and peak heap, then exit
            """.formatted(String.join(", ", livePolicies()));

    /** The policies an engine on the system clock can run: not those that need a simulation's true lengths. */
    private static List<String> livePolicies() {
        return PolicyRegistry.names().stream().filter(name -> !PolicyRegistry.isSimulationOnly(name)).toList();
    }

    /**
     * Where the console keeps its queue; empty when it keeps nothing on disk: {@code --in-memory},
     * and screenshots and the UI benchmark, which must look the same on every machine and leave the
     * user's queue alone.
     */
    public Optional<Path> stateDirectory(java.util.function.Function<String, String> env, String home) {
        if (inMemory || screenshot.isPresent() || benchUi.isPresent() || cluster.isPresent()) {
            return Optional.empty();
        }
        return Optional.of(dataDir.orElseGet(() -> DataDirectory.userDefault(env, home).resolve("console")));
    }

    public static ConsoleOptions defaults() {
        return new ConsoleOptions(Optional.empty(), Duration.ofSeconds(5), Optional.empty(), Optional.empty(), "mlfq", 0.9, 4,
                false, List.of(), Optional.empty(), java.util.OptionalInt.of(DEFAULT_API_PORT), Optional.empty(), false,
                Duration.ofSeconds(30), List.of(), Optional.empty(), Optional.empty(), false);
    }

    /**
     * Parses {@code args}; unknown JavaFX-style {@code --name=value} parameters are refused too.
     *
     * @throws IllegalArgumentException with a message fit for the terminal
     */
    public static ConsoleOptions parse(List<String> args) {
        ConsoleOptions o = defaults();
        Path screenshot = null;
        Duration after = o.after;
        Screen screen = null;
        Duration bench = null;
        String policy = o.policy;
        double load = o.load;
        int gpus = o.gpus;
        boolean light = false;
        List<String> inject = List.of();
        String trace = null;
        java.util.OptionalInt apiPort = o.apiPort;
        Path dataDir = null;
        boolean inMemory = false;
        Duration grace = o.shutdownGrace;
        List<Backend> backends = new java.util.ArrayList<>();
        String redis = null, node = null, queue = null;
        Path config = null;
        boolean loadGiven = false;
        boolean policyGiven = false;
        boolean apiPortGiven = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--screenshot" -> screenshot = Path.of(value(args, ++i, arg));
                case "--after" -> after = duration(value(args, ++i, arg));
                case "--screen" -> screen = Screen.parse(value(args, ++i, arg));
                case "--bench-ui" -> bench = duration(value(args, ++i, arg));
                case "--policy" -> {
                    policy = value(args, ++i, arg);
                    policyGiven = true;
                    if (!livePolicies().contains(policy)) {
                        throw new IllegalArgumentException((PolicyRegistry.names().contains(policy)
                                ? "policy '" + policy + "' needs the true output lengths that only a simulation knows"
                                        + " (use it with simulate); live policies: "
                                : "unknown policy '" + policy + "'; known policies: ") + String.join(", ", livePolicies()));
                    }
                }
                case "--redis" -> redis = value(args, ++i, arg);
                case "--node" -> node = value(args, ++i, arg);
                case "--queue" -> queue = value(args, ++i, arg);
                case "--config" -> config = Path.of(value(args, ++i, arg));
                case "--load" -> {
                    loadGiven = true;
                    load = number(value(args, ++i, arg), arg);
                    if (!(load >= 0 && load <= 10)) {
                        throw new IllegalArgumentException("--load must be between 0 and 10, got " + load);
                    }
                }
                case "--gpus" -> gpus = whole(value(args, ++i, arg), arg, 1, 256);
                case "--light" -> light = true;
                case "--trace" -> trace = value(args, ++i, arg);
                case "--no-api" -> {
                    apiPort = java.util.OptionalInt.empty();
                    apiPortGiven = true;
                }
                case "--api-port" -> {
                    int port = whole(value(args, ++i, arg), arg, 0, 65_535);
                    apiPort = java.util.OptionalInt.of(port);
                    apiPortGiven = true;
                }
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg));
                case "--in-memory" -> inMemory = true;
                case "--shutdown-grace" -> grace = duration(value(args, ++i, arg));
                case "--backend" -> {
                    Backend backend = Backend.parse(value(args, ++i, arg), System::getenv);
                    if (backends.stream().anyMatch(b -> b.baseUrl().equals(backend.baseUrl()))) {
                        throw new IllegalArgumentException("--backend " + backend.baseUrl() + " was given twice");
                    }
                    backends.add(backend);
                }
                case "--inject" -> {
                    inject = List.of(value(args, ++i, arg).split(","));
                    for (String item : inject) {
                        if (!item.matches("crash:\\d+|slow:\\d+x\\d+(\\.\\d+)?|offline:\\d+|burst|poison")) {
                            throw new IllegalArgumentException("--inject: cannot read '" + item
                                    + "' (write crash:N, slow:NxF, offline:N, burst or poison)");
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (screenshot != null && bench != null) {
            throw new IllegalArgumentException("--screenshot and --bench-ui cannot be combined");
        }
        if (!backends.isEmpty() && (trace != null || !inject.isEmpty())) {
            throw new IllegalArgumentException("--trace and --inject drive the simulated GPUs; they cannot be used with --backend");
        }
        if (inMemory && dataDir != null) {
            throw new IllegalArgumentException("--in-memory keeps nothing on disk; it cannot be used with --data-dir");
        }
        if (config != null) {
            io.queuedeck.engine.config.ServeConfig file = io.queuedeck.engine.config.ServeConfig.load(config, System::getenv);
            if (policyGiven) {
                throw new IllegalArgumentException("--policy cannot be used with --config: the engine runs the file's policy section");
            }
            if (file.policy().name() != null) {
                policy = file.policy().name(); // the Control screen shows the file as it runs
            } // no policy section: the console's own default
            if (!apiPortGiven && file.server().port() != null) {
                apiPort = java.util.OptionalInt.of(file.server().port()); // the file's port, as the Control screen shows it
            }
            io.queuedeck.engine.config.ServeConfig.StoreSection store = file.store();
            redis = redis != null ? redis : store.redisUri();
            if (store.node() != null) {
                node = io.queuedeck.engine.config.ServeConfig.NodeSection.nameOf(node, store.node());
                queue = queue != null ? queue : store.node().queue();
            }
        }
        Optional<io.queuedeck.console.gateway.ClusterSettings> cluster = cluster(redis, node, queue);
        if (cluster.isPresent()) {
            if (dataDir != null) {
                throw new IllegalArgumentException("--redis keeps the queue in Redis; it cannot be used with --data-dir");
            }
            if (loadGiven && load > 0) {
                throw new IllegalArgumentException("--redis: the demo load would bypass the shared queue; submit through"
                        + " the REST API of any node instead (or --load 0)");
            }
        }
        return new ConsoleOptions(Optional.ofNullable(screenshot), after, Optional.ofNullable(screen), Optional.ofNullable(bench),
                policy, backends.isEmpty() && cluster.isEmpty() ? load : 0, gpus, light, inject, Optional.ofNullable(trace), apiPort,
                Optional.ofNullable(dataDir), inMemory, grace, List.copyOf(backends), cluster, Optional.ofNullable(config),
                loadGiven);
    }

    private static Optional<io.queuedeck.console.gateway.ClusterSettings> cluster(String redis, String node, String queue) {
        if (redis == null) {
            if (node != null || queue != null) {
                throw new IllegalArgumentException((node != null ? "--node" : "--queue")
                        + " needs --redis redis://HOST:PORT (or store.type redis in --config)");
            }
            return Optional.empty();
        }
        if (!redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new IllegalArgumentException("--redis must look like redis://HOST:PORT[/DB], got '" + redis + "'");
        }
        for (String name : java.util.Arrays.asList(node, queue)) {
            if (name != null && !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException((name == node ? "--node" : "--queue")
                        + " must be 1 to 64 letters, digits, '_', '.' or '-', got '" + name + "'");
            }
        }
        return Optional.of(new io.queuedeck.console.gateway.ClusterSettings(redis, node, queue == null ? "default" : queue));
    }

    /** Parses {@code 5s}, {@code 800ms}, {@code 2m} or an ISO-8601 duration such as {@code PT5S}. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return positive(Duration.parse(t.toUpperCase(Locale.ROOT)), text);
            }
            if (t.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), text);
            }
            if (t.endsWith("s")) {
                return positive(Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000)), text);
            }
            if (t.endsWith("m")) {
                return positive(Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000)), text);
            }
        } catch (RuntimeException e) {
            // fall through to the one message below
        }
        throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 5s, 800ms or 2m)");
    }

    private static Duration positive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + text);
        }
        return d;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /**
     * {@code text} as a whole number from {@code min} to {@code max}; the refusal says the range and
     * what was given (a cast read 99999999999 as 2147483647 and 2.5 as 2).
     */
    private static int whole(String text, String option, int min, int max) {
        String trimmed = text.trim();
        if (!trimmed.matches("[-+]?[0-9]+")) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + text + "'");
        }
        java.math.BigInteger value = new java.math.BigInteger(trimmed);
        if (value.compareTo(java.math.BigInteger.valueOf(min)) < 0 || value.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", got " + trimmed);
        }
        return value.intValueExact();
    }

    private static double number(String text, String option) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + text + "'");
        }
    }
}
