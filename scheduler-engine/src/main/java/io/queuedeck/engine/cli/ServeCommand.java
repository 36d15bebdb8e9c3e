package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiService;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.callback.DeliveryStore;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The headless engine with the REST API: one line when listening, clean shutdown on SIGTERM.
 * Settings come from the flags, then {@code --config FILE}, then the defaults: a flag given on the
 * command line wins over the file.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the engine (simulated GPUs) with the REST API and no window, until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    /** Held so the log manager keeps these levels (it holds loggers weakly). */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.eclipse.jetty"), Logger.getLogger("io.javalin"),
            Logger.getLogger("org.h2"));
    static final String DEFAULT_POLICY = "priority";
    static final int DEFAULT_INSTANCES = 4;
    static final String DEFAULT_THREADS = "auto";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML file with the server, engine, clients, tenant rates, callbacks and data dir"
                    + " (see resources/config/queuedeck.example.yaml). Flags win over it.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep callback delivery state here (created if missing), so pending callbacks and dead"
                    + " letters survive a restart. Default: in memory.")
    Path dataDir;

    @Option(names = "--port", description = "Port to listen on; 0 picks a free one (default: 8080).")
    Integer port;

    @Option(names = "--host", description = "Address to bind (default: 127.0.0.1). A non-loopback address needs a bearer token.")
    String host;

    @Option(names = "--token-file", description = "File holding the bearer token clients must send (or set QUEUEDECK_API_TOKEN).")
    Path tokenFile;

    @Option(names = "--policy", description = "Scheduling policy (default: " + DEFAULT_POLICY + ").")
    String policy;

    @Option(names = "--instances", description = "Simulated GPU instances (default: " + DEFAULT_INSTANCES + ").")
    Integer instances;

    @Option(names = "--max-body-bytes", description = "Largest request body (default: 1048576).")
    Long maxBodyBytes;

    @Option(names = "--max-queued", description = "Waiting tasks beyond which submissions get 429 (default: 1000000).")
    Integer maxQueued;

    @Option(names = "--max-queued-bytes",
            description = "Byte budget of queued task bodies; past it submissions get 429 (default: a quarter of the heap).")
    Long maxQueuedBytes;

    @Option(names = "--callback-hosts", split = ",",
            description = "Hosts callback URLs may name, comma-separated; default any. Secret: QUEUEDECK_CALLBACK_SECRET.")
    List<String> callbackHosts;

    @Option(names = "--threads",
            description = "Request threads: virtual, platform, or auto = virtual on JDK 24+ (where waiting inside"
                    + " synchronized no longer pins a carrier), else platform (default: " + DEFAULT_THREADS + ").")
    String threads;

    @Option(names = "--bench-baseline", hidden = true,
            description = "Also serve POST /bench/noop (body read, constant 202): the intake benchmark's yardstick.")
    boolean benchBaseline;

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig settings = effective(System::getenv);
        ServeConfig.ServerSection server = settings.server();
        String policyName = orDefault(settings.engine().policy(), DEFAULT_POLICY);
        int gpus = orDefault(settings.engine().instances(), DEFAULT_INSTANCES);
        boolean virtual = useVirtualThreads(orDefault(server.threads(), DEFAULT_THREADS));
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.WARNING); // the server's own start-up chatter; our one line says it all
        }
        PrintWriter out = spec.commandLine().getOut();
        Engine.Builder engineBuilder = Engine.builder()
                .executor(new SimulatedGpuExecutor(gpus, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .policy(policyName);
        if (settings.engine().maxQueuedBytes() != null) {
            engineBuilder.maxQueuedBytes(settings.engine().maxQueuedBytes());
        }
        Engine engine = engineBuilder.build();
        DeliveryStore store = settings.dataDir() == null ? null : DeliveryStore.durable(settings.dataDir());
        ApiService service;
        try {
            service = ApiService.create(engine, api -> {
                if (server.host() != null) {
                    api.host(server.host());
                }
                if (server.port() != null) {
                    api.port(server.port());
                }
                if (server.maxBodyBytes() != null) {
                    api.maxBodyBytes(server.maxBodyBytes());
                }
                if (server.maxQueued() != null) {
                    api.maxQueued(server.maxQueued());
                }
                if (server.maxInFlightBodyBytes() != null) {
                    api.maxInFlightBodyBytes(server.maxInFlightBodyBytes());
                }
                if (server.bodyTimeout() != null) {
                    api.bodyTimeout(server.bodyTimeout());
                }
                if (benchBaseline) {
                    api.benchmarkBaseline();
                }
                if (virtual) {
                    api.virtualThreads();
                }
                settings.clients().forEach(client -> api.client(client.token(), client.policy()));
                if (settings.tenants().defaultRate() != null) {
                    api.defaultTenantRate(settings.tenants().defaultRate());
                }
                settings.tenants().rates().forEach(api::tenantRate);
            }, callbacks -> {
                ServeConfig.CallbackSection c = settings.callbacks();
                if (c.secret() != null) {
                    callbacks.secret(c.secret());
                }
                if (c.allowedHosts() != null && !c.allowedHosts().isEmpty()) {
                    callbacks.allowedHosts(java.util.Set.copyOf(c.allowedHosts()));
                }
                if (c.maxAttempts() != null) {
                    callbacks.maxAttempts(c.maxAttempts());
                }
                if (c.baseDelay() != null) {
                    callbacks.backoff(c.baseDelay(), c.maxDelay());
                }
                if (store != null) {
                    callbacks.store(store);
                }
            });
        } catch (RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
        engine.start();
        try {
            service.start();
        } catch (IllegalArgumentException e) {
            engine.close();
            closeQuietly(store);
            throw new IllegalArgumentException("cannot listen on " + orDefault(server.host(), "127.0.0.1") + ":"
                    + orDefault(server.port(), 8080) + ": " + e.getMessage().replaceFirst("^cannot listen: ", ""));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            closeQuietly(store); // after the dispatcher: what is still pending is written out for the next start
            engine.close();
            out.println("QueueDeck API stopped");
            out.flush();
            stopped.countDown();
        }, "queuedeck-shutdown"));
        out.printf("QueueDeck API listening on %s (policy %s, %d simulated GPUs serving %s%s%s)%n", service.baseUri(),
                policyName, gpus, Engine.Builder.DEFAULT_MODEL,
                settings.clients().isEmpty() ? "" : ", bearer token required",
                settings.dataDir() == null ? "" : ", callback state in " + settings.dataDir());
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The settings this run uses: each flag given on the command line, else the config file's value,
     * else null (the component's default). Reads the file and the token, so it refuses bad ones.
     *
     * @param env environment variables (tokens and secrets)
     */
    ServeConfig effective(Function<String, String> env) {
        if (instances != null && instances < 1) {
            throw new IllegalArgumentException("--instances must be at least 1, got " + instances);
        }
        if (threads != null) {
            useVirtualThreads(threads); // refuse a bad value before anything starts
        }
        ServeConfig file = config == null ? ServeConfig.EMPTY : ServeConfig.load(config, env);
        ServeConfig.ServerSection s = file.server();
        ServeConfig.ServerSection server = new ServeConfig.ServerSection(pick(host, s.host()), pick(port, s.port()),
                pick(maxBodyBytes, s.maxBodyBytes()), pick(maxQueued, s.maxQueued()), pick(threads, s.threads()),
                s.maxInFlightBodyBytes(), s.bodyTimeout());
        ServeConfig.EngineSection engine = new ServeConfig.EngineSection(pick(policy, file.engine().policy()),
                pick(instances, file.engine().instances()), pick(maxQueuedBytes, file.engine().maxQueuedBytes()));
        List<ServeConfig.ClientSection> clients = new ArrayList<>(file.clients());
        String token = token(env);
        if (token != null) {
            String source = tokenFile != null ? "--token-file" : "QUEUEDECK_API_TOKEN";
            for (ServeConfig.ClientSection client : file.clients()) {
                if (client.token().equals(token)) {
                    throw new IllegalArgumentException("the token from " + source + " is also the token of client '"
                            + client.policy().name() + "' in " + config);
                }
            }
            clients.add(new ServeConfig.ClientSection(token, ClientPolicy.unlimited("default")));
        }
        ServeConfig.CallbackSection c = file.callbacks();
        byte[] secret = c.secret();
        if (secret == null) {
            String fromEnv = env.apply("QUEUEDECK_CALLBACK_SECRET");
            secret = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip().getBytes(StandardCharsets.UTF_8);
        }
        ServeConfig.CallbackSection callbacks = new ServeConfig.CallbackSection(c.maxAttempts(), c.baseDelay(),
                c.maxDelay(), pick(callbackHosts, c.allowedHosts()), secret);
        return new ServeConfig(server, engine, clients, file.tenants(), callbacks, pick(dataDir, file.dataDir()));
    }

    private static <T> T pick(T flag, T file) {
        return flag != null ? flag : file;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static void closeQuietly(DeliveryStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) { // the engine must still close after it
                System.err.println("QueueDeck: closing the callback store failed: " + e.getMessage());
            }
        }
    }

    static boolean useVirtualThreads(String choice) {
        return switch (choice.toLowerCase(java.util.Locale.ROOT)) {
            case "virtual" -> true;
            case "platform" -> false;
            case "auto" -> Runtime.version().feature() >= 24;
            default -> throw new IllegalArgumentException("--threads must be virtual, platform or auto, got '" + choice + "'");
        };
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
