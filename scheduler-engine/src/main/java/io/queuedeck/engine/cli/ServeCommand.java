package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiService;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The headless engine with the REST API: one line when listening, clean shutdown on SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the engine (simulated GPUs) with the REST API and no window, until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    /** Held so the log manager keeps these levels (it holds loggers weakly). */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.eclipse.jetty"), Logger.getLogger("io.javalin"));

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}). A non-loopback address needs a bearer token.")
    String host;

    @Option(names = "--token-file", description = "File holding the bearer token clients must send (or set QUEUEDECK_API_TOKEN).")
    Path tokenFile;

    @Option(names = "--policy", defaultValue = "priority", description = "Scheduling policy (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--instances", defaultValue = "4", description = "Simulated GPU instances (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--max-queued", defaultValue = "1000000",
            description = "Waiting tasks beyond which submissions get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(names = "--callback-hosts", split = ",",
            description = "Hosts callback URLs may name, comma-separated; default any. Secret: QUEUEDECK_CALLBACK_SECRET.")
    List<String> callbackHosts;

    @Option(names = "--threads", defaultValue = "auto",
            description = "Request threads: virtual, platform, or auto = virtual on JDK 24+ (where waiting inside"
                    + " synchronized no longer pins a carrier), else platform (default: ${DEFAULT-VALUE}).")
    String threads;

    @Option(names = "--bench-baseline", hidden = true,
            description = "Also serve POST /bench/noop (body read, constant 202): the intake benchmark's yardstick.")
    boolean benchBaseline;

    @Override
    public Integer call() throws InterruptedException {
        if (instances < 1) {
            throw new IllegalArgumentException("--instances must be at least 1, got " + instances);
        }
        useVirtualThreads(threads); // refuse a bad value before anything starts
        String token = token();
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.WARNING); // the server's own start-up chatter; our one line says it all
        }
        PrintWriter out = spec.commandLine().getOut();
        Engine engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(instances, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .policy(policy)
                .build();
        ApiService service = ApiService.create(engine, server -> {
            server.host(host).port(port).maxBodyBytes(maxBodyBytes).maxQueued(maxQueued);
            if (benchBaseline) {
                server.benchmarkBaseline();
            }
            if (useVirtualThreads(threads)) {
                server.virtualThreads();
            }
            if (token != null) {
                server.bearerToken(token);
            }
        }, callbacks -> {
            String callbackSecret = System.getenv("QUEUEDECK_CALLBACK_SECRET");
            if (callbackSecret != null && !callbackSecret.isBlank()) {
                callbacks.secret(callbackSecret.strip().getBytes(StandardCharsets.UTF_8));
            }
            if (callbackHosts != null && !callbackHosts.isEmpty()) {
                callbacks.allowedHosts(java.util.Set.copyOf(callbackHosts));
            }
        });
        engine.start();
        try {
            service.start();
        } catch (IllegalArgumentException e) {
            engine.close();
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": "
                    + e.getMessage().replaceFirst("^cannot listen: ", ""));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            engine.close();
            out.println("QueueDeck API stopped");
            out.flush();
            stopped.countDown();
        }, "queuedeck-shutdown"));
        out.printf("QueueDeck API listening on %s (policy %s, %d simulated GPUs serving %s%s)%n", service.baseUri(), policy,
                instances, Engine.Builder.DEFAULT_MODEL, token == null ? "" : ", bearer token required");
        out.flush();
        stopped.await();
        return 0;
    }

    static boolean useVirtualThreads(String choice) {
        return switch (choice.toLowerCase(java.util.Locale.ROOT)) {
            case "virtual" -> true;
            case "platform" -> false;
            case "auto" -> Runtime.version().feature() >= 24;
            default -> throw new IllegalArgumentException("--threads must be virtual, platform or auto, got '" + choice + "'");
        };
    }

    private String token() {
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
        String env = System.getenv("QUEUEDECK_API_TOKEN");
        return env == null || env.isBlank() ? null : env.strip();
    }
}
