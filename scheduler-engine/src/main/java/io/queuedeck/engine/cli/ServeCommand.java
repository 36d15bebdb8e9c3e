package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiService;
import io.queuedeck.engine.callback.DeliveryStore;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.store.DataDirectory;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.control.plane.ConfigWatcher;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.CompletionStreams;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.exec.openai.OpenAiExecutorBuilder;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.policy.PolicyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The headless engine with the REST API: one line when listening, clean shutdown on SIGTERM.
 * Settings come from the flags, then the config file ({@code --config FILE}, else the user's
 * {@code $XDG_CONFIG_HOME/queuedeck/queuedeck.yaml} when it exists), else the built-in defaults,
 * which are the documented default file itself: a flag given on the command line wins over the file.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the engine (simulated GPUs) with the REST API and no window, until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    /** Held so the log manager keeps these levels (it holds loggers weakly). */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.eclipse.jetty"), Logger.getLogger("io.javalin"),
            Logger.getLogger("org.h2"), Logger.getLogger("io.lettuce"), Logger.getLogger("io.netty"));
    static final String DEFAULT_POLICY = "priority";
    static final int DEFAULT_INSTANCES = 4;
    static final String DEFAULT_THREADS = "auto";

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ServeOptions options = new ServeOptions();

    @picocli.CommandLine.Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        StopWhileStarting starting = StopWhileStarting.install(out);
        Path configFile = configFile(System::getenv, io.queuedeck.engine.store.DataDirectory.userHome());
        ServeConfig settings = effective(configFile, System::getenv);
        ServeConfig.ServerSection server = settings.server();
        String policyName = orDefault(settings.policy().name(), DEFAULT_POLICY);
        int gpus = orDefault(settings.executor().instances(), DEFAULT_INSTANCES);
        boolean virtual = useVirtualThreads(orDefault(server.threads(), DEFAULT_THREADS));
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.WARNING); // the server's own start-up chatter; our one line says it all
        }
        // --in-memory wins over a data_dir in the config file, as every flag does; with --data-dir it is refused
        Path stateDir = stateDirectory(options.inMemory ? options.dataDir : settings.store().dataDir(), options.inMemory, System::getenv,
                io.queuedeck.engine.store.DataDirectory.userHome());
        OpenAiExecutor backends = backends(settings.executor().backends(), // asks unnamed backends for their models
                settings.executor().chunkQuantumTokens());
        Executor executor = backends != null ? backends
                : new io.queuedeck.engine.exec.ProgressWatchdog( // a hung simulated GPU is failed over (docs/faults.md)
                        new SimulatedGpuExecutor(gpus, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100),
                        java.time.Duration.ofSeconds(30), instance -> { });
        List<String> served = backends != null ? backends.models() : List.of(Engine.Builder.DEFAULT_MODEL);
        CompletionStreams streams = backends != null ? backends.streams() : new CompletionStreams();
        Engine.Builder builder = Engine.builder()
                .executor(executor)
                .policy(policyName);
        if (settings.policy().parameters() != null) {
            builder.policyConfig(PolicyConfig.of(settings.policy().parameters()));
        }
        if (settings.engine().maxQueuedBytes() != null) {
            builder.maxQueuedBytes(settings.engine().maxQueuedBytes());
        }
        builder.tenantByteShares(settings.tenants().byteShares());
        if (settings.store().idempotencyWindow() != null) {
            builder.idempotencyWindow(settings.store().idempotencyWindow());
        }
        builder.flow(settings.flow());
        String redisUri = settings.store().redisUri();
        if (options.redisFaultProxy && redisUri == null) {
            throw new IllegalArgumentException("--redis-fault-proxy: needs a Redis store (--redis, or store: {type: redis})");
        }
        RedisFaultProxy redisProxy = options.redisFaultProxy ? RedisFaultProxy.open(redisUri) : null;
        String redisVia = redisProxy == null ? redisUri : redisProxy.uri(); // what the store and the shared queue reach
        // a node keeps what it claimed in memory (the shared queue in Redis is the record), its instance holds in Redis
        io.queuedeck.engine.cluster.SharedQueue shared = cluster.connect(redisVia,
                orDefault(settings.store().idempotencyWindow(), Duration.ofHours(24)), settings.flow());
        TaskStore taskStore = shared != null ? TaskStore.holdsIn(TaskStore.inMemory(), shared.nodeModes())
                : openTaskStore(redisVia, stateDir);
        // wrapped so that a store_full fault can fail its writes (docs/faults.md)
        io.queuedeck.engine.fault.FaultyStore faultyStore = taskStore == null ? null : new io.queuedeck.engine.fault.FaultyStore(taskStore);
        if (faultyStore != null) {
            builder.store(faultyStore);
        }
        ReleaseClassifier classifier = new ReleaseClassifier(settings.priorityRules());
        builder.classifier(classifier);
        Engine engine = builder.build();
        io.queuedeck.engine.fault.FaultCatalogue faults = new io.queuedeck.engine.fault.FaultCatalogue(engine,
                io.queuedeck.engine.fault.FaultClock.live(java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().daemon(true).name("fault-timers").factory()), System::nanoTime), () -> 0);
        if (faultyStore != null) {
            faults.registerStore(faultyStore);
        }
        if (redisProxy != null) {
            faults.registerProxy(RedisFaultProxy.NAME, redisProxy.proxy()); // network faults on backend:redis
        }
        if (backends != null) {
            faults.registerBackends(backends.faults()); // http faults: 5xx, 429, stalled streams (docs/faults.md)
        }
        io.queuedeck.engine.callback.CallbackFaults callbackFaults = new io.queuedeck.engine.callback.CallbackFaults();
        faults.registerCallbacks(callbackFaults); // callback_down, _slow, _5xx (docs/faults.md)
        ClusterNode node;
        try {
            node = cluster.open(engine);
            cluster.rateTenants(settings.tenants()); // a tenant's rate holds across the nodes
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        DeliveryStore store;
        try {
            store = stateDir == null ? null : DeliveryStore.durable(stateDir);
        } catch (RuntimeException e) {
            engine.close(); // and the task store with it
            throw e;
        }
        ConfigPlane plane = ControlSetup.plane(engine, classifier, configFile, System::getenv, DEFAULT_POLICY);
        if (node != null) {
            plane.onApplied(config -> cluster.capTiers(config.flow())); // a tiers reload reaches the shared queue's caps
        }
        ApiService service;
        try {
            service = ApiService.create(engine, api -> {
                api.configService(plane);
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
                if (options.benchBaseline) {
                    api.benchmarkBaseline();
                }
                if (virtual) {
                    api.virtualThreads();
                }
                api.openAiFrontDoor(served, streams);
                api.faults(faults);
                if (stateDir != null) {
                    api.diskFloor(stateDir, settings.store().minFreeBytes());
                }
                settings.clients().forEach(client -> api.client(client.token(), client.policy()));
                if (settings.tenants().defaultRate() != null) {
                    api.defaultTenantRate(settings.tenants().defaultRate());
                }
                settings.tenants().rates().forEach(api::tenantRate);
                if (node != null) {
                    api.intake(node::submit).sharedTasks(cluster.tasks());
                }
            }, callbacks -> {
                callbacks.faults(callbackFaults);
                settings.callbacks().applyTo(callbacks);
                if (store != null) {
                    callbacks.store(store);
                }
            });
        } catch (RuntimeException e) {
            closeQuietly(store);
            engine.close();
            throw e;
        }
        if (node != null) {
            ClusterOptions.attach(service, node);
        }
        engine.start(); // with a store: the queue it holds is back before anything listens
        if (stateDir != null) {
            try {
                plane.resume(stateDir); // the config versions applied before the restart
            } catch (RuntimeException e) {
                engine.close();
                closeQuietly(store);
                throw e;
            }
        }
        if (node != null) {
            node.start();
        }
        starting.listening();
        try {
            service.start();
        } catch (IllegalArgumentException e) {
            engine.close();
            closeQuietly(store);
            if (!e.getMessage().startsWith("cannot listen: ")) {
                throw e; // the callback store could not be read
            }
            throw new IllegalArgumentException("cannot listen on " + orDefault(server.host(), "127.0.0.1") + ":"
                    + orDefault(server.port(), 8080) + ": " + e.getMessage().replaceFirst("^cannot listen: ", ""));
        }
        if (node != null) {
            ClusterOptions.callBackEnded(service, node);
        }
        ConfigWatcher watcher = ControlSetup.watch(plane, configFile);
        Duration grace = orDefault(server.shutdownGrace(), Duration.ofSeconds(30));
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch hurry = new CountDownLatch(1);
        Runnable stop = () -> {
            if (watcher != null) {
                watcher.close();
            }
            try {
                if (!service.shutdown(grace, hurry)) {
                    out.println("QueueDeck API stopping with tasks still running (grace period over or a second signal)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                service.close();
            }
            if (node != null) {
                node.close(); // acknowledges what finished, hands unstarted claims back
            }
            closeQuietly(store); // after the dispatcher: what is still pending is written out for the next start
            engine.close();
            if (backends != null) {
                backends.close();
            }
            if (redisProxy != null) {
                redisProxy.close();
            }
            out.println("QueueDeck API stopped");
            out.flush();
        };
        // A step of the stop that throws (a class missing because the jar was replaced under the running
        // process, say) left the process waiting on "stopped" for ever, deaf to further signals: say what
        // failed and exit, status 1, without the rest of the stop.
        Thread stopper = new Thread(() -> {
            try {
                stop.run();
            } catch (RuntimeException | Error e) {
                System.err.println("error: stopping failed, exiting anyway: " + e);
                System.err.flush();
                stopped.countDown(); // the exit hook waits for it
                System.exit(1);
            } finally {
                stopped.countDown();
            }
        }, "queuedeck-shutdown");
        // SIGTERM (and Ctrl-C) start a graceful stop; a second one cuts the grace period short
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler onSignal = signal -> {
            if (stopping.compareAndSet(false, true)) {
                try {
                    service.beginShutdown(); // here, not on the stopper's thread: answers close their connections from now on
                } finally {
                    stopper.start(); // even if that threw: else nothing would ever stop the process
                }
            } else {
                hurry.countDown();
            }
        };
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
        if (starting.askedWhileListening()) {
            onSignal.handle(new Signal("TERM"));
        }
        // any other exit (System.exit elsewhere, the last signal handler replaced) still closes cleanly, at once
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hurry.countDown();
            if (stopping.compareAndSet(false, true)) {
                stopper.start();
            }
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "queuedeck-exit"));
        PrintWriter err = spec.commandLine().getErr();
        legacyClientWarnings(settings.clients()).forEach(err::println);
        err.flush();
        // the policy that runs: a config version resumed after a restart, or --policy, may name another than the file
        out.printf("QueueDeck API listening on %s (policy %s, %s%s%s, config %s)%n", service.baseUri(),
                engine.send(new io.queuedeck.engine.command.Command.TakeSnapshot()).join().policy(),
                backends != null ? backends.backends().size() + (backends.backends().size() == 1 ? " backend serving " : " backends serving ") + String.join(", ", served)
                        : gpus + (gpus == 1 ? " simulated GPU serving " : " simulated GPUs serving ") + Engine.Builder.DEFAULT_MODEL,
                settings.clients().isEmpty() ? "" : ", bearer token required",
                stateWhere(redisUri, stateDir) + (redisProxy == null ? "" : ", Redis through a fault proxy (backend:redis)"),
                configFile == null ? "built-in defaults" : configFile);
        out.flush();
        stopped.await();
        return 0;
    }

    /** The OpenAI executor for these backends, or null for none. */
    static OpenAiExecutor backends(List<Backend> given, Integer chunkQuantumTokens) {
        if (given.isEmpty()) {
            return null;
        }
        OpenAiExecutorBuilder builder = OpenAiExecutor.builder();
        if (chunkQuantumTokens != null) {
            builder.chunkedGeneration(chunkQuantumTokens);
        }
        for (Backend backend : given) {
            builder.backend(backend);
        }
        try {
            return builder.build();
        } catch (IllegalStateException e) { // a backend that cannot say what it serves: the operator's to fix
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    Path configFile(Function<String, String> env, String home) {
        return options.configFile(env, home);
    }

    ServeConfig effective(Path file, Function<String, String> env) {
        return options.effective(file, env, cluster);
    }

    /**
     * Where state lives: the directory given, else {@code $XDG_DATA_HOME/queuedeck}, else
     * {@code ~/.local/share/queuedeck}; null with {@code --in-memory}.
     */
    static Path stateDirectory(Path given, boolean inMemory, Function<String, String> env, String home) {
        if (inMemory) {
            if (given != null) {
                throw new IllegalArgumentException("--in-memory keeps nothing on disk; it cannot be used with a data"
                        + " directory (" + given + ")");
            }
            return null;
        }
        return given != null ? given : DataDirectory.userDefault(env, home);
    }

    /**
     * Redis when {@code --redis} names it, else the embedded store in {@code stateDir} (which it
     * locks), else none: the engine keeps the queue in memory.
     */
    private static TaskStore openTaskStore(String redisUri, Path stateDir) {
        if (redisUri != null) {
            try {
                return TaskStore.redis(redisUri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--redis: " + e.getMessage(), e);
            }
        }
        return stateDir == null ? null : TaskStore.embedded(stateDir);
    }

    /** The end of the listening line: where the queue and the callbacks are kept. */
    static String stateWhere(String redisUri, Path stateDir) {
        if (redisUri == null) {
            return stateDir == null ? ", in memory: nothing survives a restart (--in-memory)" : ", state in " + stateDir;
        }
        return ", queue in Redis at " + redactedRedis(redisUri) + ", callbacks "
                + (stateDir == null ? "in memory (--in-memory)" : "in " + stateDir);
    }

    /** The URI without its password, for the listening line and logs. */
    static String redactedRedis(String uri) {
        int at = uri.lastIndexOf('@');
        int scheme = uri.indexOf("://");
        return at < 0 || scheme < 0 || at < scheme ? uri : uri.substring(0, scheme + 3) + uri.substring(at + 1);
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

    /**
     * One warning per client configured without scopes: it may do everything on every tenant's
     * tasks, as all clients could before scopes existed (decision 0015).
     */
    static List<String> legacyClientWarnings(List<ServeConfig.ClientSection> clients) {
        List<String> warnings = new ArrayList<>();
        for (ServeConfig.ClientSection client : clients) {
            if (client.policy().legacy()) {
                warnings.add("QueueDeck: warning: client '" + client.policy().name() + "' has no scopes, so it may submit,"
                        + " read, change and cancel every tenant's tasks and control the queues; give it 'scopes:' (and a"
                        + " 'tenant:') in the config file to limit it");
            }
        }
        return warnings;
    }
}
