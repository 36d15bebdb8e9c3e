package io.queuedeck.engine.cli;

import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.exec.openai.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s flags and how they meet the config file: a flag given on the command line wins
 * over the file's value, which wins over the built-in defaults.
 */
final class ServeOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (docs/configuration.md; the documented default is"
                    + " resources/config/queuedeck.yaml). Default: $XDG_CONFIG_HOME/queuedeck/queuedeck.yaml, else"
                    + " ~/.config/queuedeck/queuedeck.yaml, if it exists; else the built-in defaults. Flags win over it.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the queue and callback state here (created if missing; one process per directory), so"
                    + " accepted tasks, pending callbacks and dead letters survive a crash or restart."
                    + " Default: $XDG_DATA_HOME/queuedeck, else ~/.local/share/queuedeck.")
    Path dataDir;

    @Option(names = "--in-memory",
            description = "Keep nothing on disk: every accepted task is lost when the process ends.")
    boolean inMemory;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Keep the queue in Redis (7.0+) instead of the embedded store: redis://[:PASSWORD@]HOST:PORT[/DB],"
                    + " or rediss:// for TLS. Run Redis with appendonly yes (docs/durability.md). Callback state stays in the"
                    + " data directory (or in memory with --in-memory). Config file: store: {type: redis, uri: ...}.")
    String redis;

    @Option(names = "--redis-fault-proxy", description = "Reach Redis through an in-process TCP fault proxy, so that"
            + " POST /v1/faults {kind: network, target: backend:redis} can cut or slow it (docs/faults.md). For game days.")
    boolean redisFaultProxy;

    @Option(names = "--idempotency-window", paramLabel = "DURATION",
            description = "How long a finished task answers an identical resubmission of its task_id, across restarts"
                    + " (such as 1h or 24h, or ISO-8601 PT24H; default: 24h).")
    Duration idempotencyWindow;

    @Option(names = "--port", converter = WholeNumber.Port.class, description = "Port to listen on; 0 picks a free one (default: 8080).")
    Integer port;

    @Option(names = "--host", description = "Address to bind (default: 127.0.0.1). A non-loopback address needs a bearer token.")
    String host;

    @Option(names = "--token-file", description = "File holding the bearer token clients must send (or set QUEUEDECK_API_TOKEN).")
    Path tokenFile;

    @Option(names = "--policy", description = "Scheduling policy (default: " + ServeCommand.DEFAULT_POLICY + ").")
    String policy;

    @Option(names = "--instances", converter = GpuCount.Live.class,
            description = "Simulated GPU instances (default: " + ServeCommand.DEFAULT_INSTANCES + ").")
    Integer instances;

    @Option(names = "--backend", paramLabel = "URL[,model=NAME][,slots=N][,key_env=VAR][,priority=FIELD]",
            description = "An OpenAI-compatible inference server (vLLM, SGLang, TGI, llama.cpp, Ollama) to run tasks on;"
                    + " repeatable. Given backends replace the simulated GPUs. Models are asked for (GET /v1/models)"
                    + " when none is named; slots (default " + Backend.DEFAULT_SLOTS + ") bounds its concurrent requests;"
                    + " key_env names the variable holding its API key; priority names the request field that"
                    + " carries the task's priority (vLLM with --scheduling-policy priority: priority).")
    List<String> backendSpecs;

    @Option(names = "--max-body-bytes", converter = WholeNumber.BodyBytes.class, description = "Largest request body (default: 1048576).")
    Long maxBodyBytes;

    @Option(names = "--max-queued", converter = WholeNumber.Positive.class, description = "Waiting tasks beyond which submissions get 429 (default: 1000000).")
    Integer maxQueued;

    @Option(names = "--max-queued-bytes", converter = WholeNumber.PositiveLong.class,
            description = "Byte budget of queued task bodies; past it submissions get 429 (default: a quarter of the heap).")
    Long maxQueuedBytes;

    // split here, not by picocli: its split drops a trailing empty entry ("a,"), which must be refused too
    @Option(names = "--callback-hosts",
            description = "Callback destinations allowed (host, host:port or host:*; no port: 80 and 443), comma-separated;"
                    + " default any outside the network. Signing secrets (whsec_…, space-separated):"
                    + " QUEUEDECK_CALLBACK_SECRET.")
    List<String> callbackHosts;

    @Option(names = "--threads",
            description = "Request threads: virtual, platform, or auto = virtual on JDK 24+ (where waiting inside"
                    + " synchronized no longer pins a carrier), else platform (default: " + ServeCommand.DEFAULT_THREADS + ").")
    String threads;

    @Option(names = "--shutdown-grace", converter = WholeNumber.NonNegative.class, paramLabel = "SECONDS",
            description = "On SIGTERM, how long running tasks may finish before the process stops anyway (default: 30).")
    Integer shutdownGraceSeconds;

    @Option(names = "--bench-baseline", hidden = true,
            description = "Also serve POST /bench/noop (body read, constant 202): the intake benchmark's yardstick.")
    boolean benchBaseline;

    /**
     * The config file this run reads: {@code --config}, else {@code $XDG_CONFIG_HOME/queuedeck/queuedeck.yaml}
     * (else {@code ~/.config/queuedeck/queuedeck.yaml}) when it exists, else null for the built-in defaults.
     */
    Path configFile(Function<String, String> env, String home) {
        if (config != null) {
            return config;
        }
        String xdg = env.apply("XDG_CONFIG_HOME");
        // the XDG spec: a relative value is invalid and ignored
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(home, ".config");
        Path found = base.resolve("queuedeck").resolve("queuedeck.yaml");
        return Files.exists(found) ? found : null;
    }

    /**
     * The settings this run uses: each flag given on the command line, else the config file's value,
     * else the built-in defaults' (the documented default file), else null (the component's default).
     * Reads the file and the token, so it refuses bad ones.
     *
     * @param file    the config file ({@link #configFile}), or null for the built-in defaults
     * @param env     environment variables (tokens and secrets)
     * @param cluster the distributed-mode flags, which settle the file's {@code store.node}
     */
    ServeConfig effective(Path file, Function<String, String> env, ClusterOptions cluster) {
        if (instances != null && (instances < 1 || instances > ServeConfig.ExecutorSection.MAX_INSTANCES)) {
            throw new IllegalArgumentException("--instances must be 1 to " + ServeConfig.ExecutorSection.MAX_INSTANCES + ", got " + instances);
        }
        if (threads != null) {
            ServeCommand.useVirtualThreads(threads); // refuse a bad value before anything starts
        }
        if (shutdownGraceSeconds != null && shutdownGraceSeconds < 0) {
            throw new IllegalArgumentException("--shutdown-grace must be 0 or more seconds, got " + shutdownGraceSeconds);
        }
        List<String> hosts = callbackHosts == null ? null
                : callbackHosts.stream().flatMap(given -> java.util.Arrays.stream(given.split(",", -1))).map(String::strip).toList();
        if (hosts != null && hosts.stream().anyMatch(String::isEmpty)) {
            // an unset $HOSTS made the list empty, and an empty list allows any host outside the network
            throw new IllegalArgumentException("--callback-hosts has an empty entry: name each host (host, host:port or"
                    + " host:*), or leave the option out to allow any host outside the network");
        }
        ServeConfig read = file == null ? ServeConfig.defaults(env) : ServeConfig.load(file, env);
        ServeConfig.ServerSection s = read.server();
        ServeConfig.ServerSection server = new ServeConfig.ServerSection(pick(host, s.host()), pick(port, s.port()),
                pick(maxBodyBytes, s.maxBodyBytes()), pick(maxQueued, s.maxQueued()), pick(threads, s.threads()),
                s.maxInFlightBodyBytes(), s.bodyTimeout(),
                pick(shutdownGraceSeconds == null ? null : Duration.ofSeconds(shutdownGraceSeconds), s.shutdownGrace()));
        ServeConfig.EngineSection engine = new ServeConfig.EngineSection(pick(maxQueuedBytes, read.engine().maxQueuedBytes()));
        ServeConfig.ExecutorSection executor = new ServeConfig.ExecutorSection(pick(instances, read.executor().instances()), null);
        boolean otherPolicy = policy != null && !policy.equals(read.policy().name());
        // the file's parameters belong to the file's policy: a --policy naming another starts with its defaults
        ServeConfig.PolicySection policySection = new ServeConfig.PolicySection(pick(policy, read.policy().name()),
                otherPolicy ? null : read.policy().parameters());
        List<ServeConfig.ClientSection> clients = new ArrayList<>(read.clients());
        String token = token(env);
        if (token != null) {
            String source = tokenFile != null ? "--token-file" : "QUEUEDECK_API_TOKEN";
            int bytes = token.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < ClientPolicy.MIN_TOKEN_BYTES) {
                throw new IllegalArgumentException("the token from " + source + " is " + bytes + " bytes; tokens must be"
                        + " at least " + ClientPolicy.MIN_TOKEN_BYTES + " bytes (e.g. openssl rand -hex 32)");
            }
            for (ServeConfig.ClientSection client : read.clients()) {
                if (client.token().equals(token)) {
                    throw new IllegalArgumentException("the token from " + source + " is also the token of client '"
                            + client.policy().name() + "' in " + file);
                }
            }
            clients.add(new ServeConfig.ClientSection(token, ClientPolicy.unlimited("default")));
        }
        ServeConfig.CallbackSection c = read.callbacks();
        byte[] secret = c.secret();
        if (secret == null) {
            String fromEnv = env.apply("QUEUEDECK_CALLBACK_SECRET");
            secret = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip().getBytes(StandardCharsets.UTF_8);
        }
        ServeConfig.CallbackSection callbacks = new ServeConfig.CallbackSection(c.maxAttempts(), c.baseDelay(),
                c.maxDelay(), pick(hosts, c.allowedHosts()), secret);
        List<Backend> backendList = read.executor().backends(); // --backend flags replace the file's list as a whole
        if (backendSpecs != null && !backendSpecs.isEmpty()) {
            backendList = new ArrayList<>();
            for (String spec : backendSpecs) {
                backendList.add(Backend.parse(spec, env));
            }
        }
        ServeConfig.StoreSection store = new ServeConfig.StoreSection(pick(dataDir, read.store().dataDir()),
                pick(idempotencyWindow, read.store().idempotencyWindow()), pick(redis, read.store().redisUri()),
                cluster.settle(read.store().node()), read.store().minFreeMb());
        return new ServeConfig(server, engine, new ServeConfig.ExecutorSection(executor.instances(), backendList,
                read.executor().chunkQuantumTokens()), policySection,
                clients, read.tenants(), callbacks, store, read.flow(), read.priorityRules());
    }

    private static <T> T pick(T flag, T file) {
        return flag != null ? flag : file;
    }

    private String token(Function<String, String> env) {
        if (tokenFile != null) {
            try {
                String text = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new IllegalArgumentException("--token-file " + tokenFile + " is empty");
                }
                return text;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        String fromEnv = env.apply("QUEUEDECK_API_TOKEN");
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
    }
}
