package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.store.DiskFloor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnection;

/**
 * The REST API (JSON under {@code /v1}) in front of an {@link Engine}: a thin adapter on Javalin
 * (Jetty). Handlers parse and check the request on the server's own threads, send one command to
 * the engine and wait for its future there (bounded by a timeout), so the scheduler loop never
 * waits for HTTP. Every refusal is {@code {"error": {"code", "message", "field"}}}; bad input is
 * a 4xx, never a 500, and no answer carries a stack trace.
 *
 * <pre>{@code
 * try (ApiServer api = ApiServer.builder(engine).port(0).build().start()) {
 *     URI base = api.baseUri();
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    /**
     * How long a front-door request waits in silence before a keep-alive, which notices a client gone
     * (decision 0020; a whole answer's first waits longer: {@link WholeAnswer#QUIET}).
     */
    private static final Duration FRONT_DOOR_KEEP_ALIVE = Duration.ofMillis(500);

    /**
     * The HTTP stack's start-up chatter (nine lines of Jetty and Javalin, "your Javalin version is
     * 530 days old") goes unsaid: QueueDeck says in one line where it listens. Their warnings and
     * errors still show, and a logging config of the operator's own (java.util.logging.config.file)
     * decides instead. Held here: the logging framework keeps its loggers only weakly.
     */
    private static final List<java.util.logging.Logger> QUIETED = System.getProperty("java.util.logging.config.file") != null
            ? List.of() : java.util.stream.Stream.of("io.javalin", "org.eclipse.jetty").map(name -> {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
                logger.setLevel(java.util.logging.Level.WARNING);
                return logger;
            }).toList();

    private final String host;
    /** How long {@link #close} waits for requests already received. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private final int port;
    private final Javalin app;

    private final Routes routes;
    private final BodyReader bodies;
    private final OpenAiFrontDoor frontDoor;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final java.util.function.LongSupplier nanos;

    private ApiServer(Builder b) {
        this.nanos = b.engine.clock()::nanos;
        this.host = b.host;
        this.port = b.port;
        BearerAuth auth = new BearerAuth(b.clients, b.engine.clock()::nanos, b.sharedTasks);
        RequestGuard guard = auth.open() ? new RequestGuard(b.host) : null;
        TenantLimiter tenants = new TenantLimiter(b.tenantRates, b.defaultTenantRate, b.engine.clock()::nanos);
        this.bodies = new BodyReader(b.maxInFlightBodyBytes, b.bodyTimeout.toNanos(), b.engine.clock()::nanos);
        this.routes = new Routes(b.engine, b.maxBodyBytes, b.requestTimeout, b.metrics, b.callbacks, b.maxQueued, b.baseline,
                tenants, bodies);
        if (b.intake != null) {
            routes.intake(b.intake);
        }
        if (b.sharedTasks != null) {
            routes.shared(b.sharedTasks);
        }
        if (b.faults != null) {
            routes.faults(b.faults);
        }
        if (b.diskFloor != null) {
            routes.diskFloor(b.diskFloor);
            if (b.metrics != null) {
                b.metrics.dataDirFree(b.diskFloor::free, b.diskFloor.minFreeBytes());
            }
        }
        if (b.metrics != null) {
            b.metrics.bodyBytesInFlight(bodies::inFlightBytes, b.maxInFlightBodyBytes);
        }
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = b.virtualThreads;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = b.maxBodyBytes;
            config.http.defaultContentType = "application/json";
            config.http.prefer405over404 = true;
            // errors Jetty raises itself (undecodable paths, oversized headers) get the JSON shape too
            config.jetty.modifyServer(server -> JsonErrorHandler.install(ConnectionLimits.apply(AcceptQueue.widen(server),
                    b.maxConnections, b.bodyTimeout, b.engine.clock()::nanos)));
            config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
            // Jetty otherwise holds a request until its body's first byte, or its idle timeout (30 s): a sender
            // that stalls before it gets its 408 after the body timeout, and a refusal that needs no body (413
            // on a declared length, 404, 401) goes out at once, not when the body comes
            config.jetty.modifyHttpConfiguration(http -> http.setDelayDispatchUntilContent(false));
        });
        // counted first and uncounted last, so a shutdown can wait for every request to be answered
        inFlight.register(app);
        routes.register(app);
        if (b.configService != null) {
            new ConfigRoutes(b.configService, bodies, b.maxBodyBytes, new Auditor(b.engine.audit())).register(app);
        }
        if (b.faults != null) {
            new FaultRoutes(b.faults, bodies).register(app);
        }
        app.before(RequestGuard::refuseAmbiguous);
        if (guard != null) {
            app.before(guard::check);
        }
        this.frontDoor = b.frontDoorModels == null ? null : new OpenAiFrontDoor(b.engine, bodies, b.maxBodyBytes,
                b.requestTimeout.toNanos(), b.maxQueued, tenants, b.frontDoorModels, b.frontDoorStreams,
                FRONT_DOOR_KEEP_ALIVE.toNanos());
        if (frontDoor != null) {
            frontDoor.register(app);
        }
        app.before(auth::check);
        app.beforeMatched(QueryParams::refuseUnread);
        answerHeadAsGet(app);
        ErrorResponses.register(app, b.metrics);
    }

    /** Every route served, as "METHOD path" (HEAD, which runs GET's, left out): what docs/api/openapi.json must list. */
    java.util.SortedSet<String> routes() {
        java.util.SortedSet<String> routes = new java.util.TreeSet<>();
        for (io.javalin.router.ParsedEndpoint parsed : app.unsafeConfig().pvt.internalRouter.allHttpHandlers()) {
            io.javalin.router.Endpoint endpoint = parsed.getEndpoint();
            if (endpoint.getMethod().isHttpMethod() && endpoint.getMethod() != io.javalin.http.HandlerType.HEAD) {
                routes.add(endpoint.getMethod() + " " + endpoint.getPath().replace('<', '{').replace('>', '}')); // <model>: a name may hold a slash
            }
        }
        return routes;
    }

    /**
     * HEAD runs what GET runs, its status and headers included, and the server drops the body
     * (RFC 9110, 9.3.2). Left to Javalin, a HEAD on any GET path was answered 200 without its
     * handler, where GET would be 403 or 404, and a balancer probing {@code /readyz} by HEAD never
     * saw a draining server.
     */
    private static void answerHeadAsGet(Javalin app) {
        io.javalin.router.InternalRouter router = app.unsafeConfig().pvt.internalRouter;
        for (io.javalin.router.ParsedEndpoint parsed : List.copyOf(router.allHttpHandlers())) {
            io.javalin.router.Endpoint endpoint = parsed.getEndpoint();
            if (endpoint.getMethod() == io.javalin.http.HandlerType.GET
                    && !router.hasHttpHandlerEntry(io.javalin.http.HandlerType.HEAD, endpoint.getPath())) {
                app.head(endpoint.getPath(), endpoint.getHandler());
            }
        }
    }

    public static Builder builder(Engine engine) {
        return new Builder(engine);
    }

    /** Binds and starts serving; returns once the port is open. */
    public ApiServer start() {
        app.start(host, port);
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}. */
    public java.net.URI baseUri() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return java.net.URI.create("http://" + shown + ":" + port());
    }

    /**
     * Begins a shutdown: {@code /readyz} fails at once (so a balancer stops sending) and
     * submissions are answered 503 {@code shutting_down} with {@code Retry-After}; reads, cancels
     * and the rest are still served until {@link #close}.
     */
    public void drain() {
        inFlight.drain();
        bodies.drain();
        routes.drain();
        if (frontDoor != null) {
            frontDoor.drain();
        }
    }

    /** Requests being handled now (not yet answered). */
    public int inFlight() {
        return inFlight.count();
    }

    /**
     * Stops accepting connections, lets the requests already received be answered (up to
     * {@link #CLOSE_WAIT_MILLIS}; front-door completions still under way end at once with 503
     * {@code shutting_down}), then closes every connection.
     */
    @Override
    public void close() {
        if (app.jettyServer() != null && app.jettyServer().server() != null) {
            for (Connector connector : app.jettyServer().server().getConnectors()) {
                if (connector instanceof org.eclipse.jetty.server.NetworkConnector network) {
                    network.close(); // the listening socket only; open connections finish their requests
                }
            }
            if (frontDoor != null) {
                frontDoor.endOpenRequests(); // each gets a last word, written within the wait below
            }
            long until = nanos.getAsLong() + CLOSE_WAIT_MILLIS * 1_000_000L;
            // a connection accepted just before the listening socket closed may hold a request that no
            // handler has begun yet (not in flight): closing it left its client with a connection closed
            // and no answer (a probe's 24 clients under SIGTERM, 22 of them). Wait for it to be quiet too
            while (nanos.getAsLong() < until && (inFlight.count() > 0 || anyConnectionBusy())) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
        app.stop();
    }

    /** How long a connection with a request on its way must have read nothing before a stop closes it. */
    private static final long QUIET_MILLIS = 1_000;

    /**
     * Whether a connection may hold a request on its way to a handler: it has begun none yet, or its
     * parser is inside one, and it moved bytes within {@link #QUIET_MILLIS}. A kept-alive connection
     * whose requests were all answered waits between requests and is not waited for (each test's
     * server closed a second later for its client's).
     */
    private boolean anyConnectionBusy() {
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                if (endPoint.isOpen() && endPoint.getConnection() instanceof HttpConnection http
                        && (http.getMessagesIn() == 0 || !http.getParser().isStart())
                        && endPoint instanceof IdleTimeout idle && idle.getIdleFor() < QUIET_MILLIS) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Connections open now (accepted and not closed); for tests. */
    int openConnections() {
        return Arrays.stream(app.jettyServer().server().getConnectors())
                .mapToInt(c -> (int) c.getConnectedEndPoints().stream().filter(EndPoint::isOpen).count()).sum();
    }

    /** Builds an {@link ApiServer}. Each setting may be given once; defaults live here only. */
    public static final class Builder {
        private final Engine engine;
        private String host = "127.0.0.1";
        private boolean hostSet;
        private int port = 8080;
        private boolean portSet;
        private final java.util.Map<String, ClientPolicy> clients = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, RateLimit> tenantRates = new java.util.LinkedHashMap<>();
        private RateLimit defaultTenantRate;
        private int maxQueued = 1_000_000;
        private boolean maxQueuedSet;
        private long maxBodyBytes = 1 << 20;
        private boolean maxBodySet;
        private long maxInFlightBodyBytes;
        private boolean inFlightSet;
        private Duration bodyTimeout = Duration.ofSeconds(10);
        private boolean bodyTimeoutSet;
        private int maxConnections = ConnectionLimits.defaultMaxConnections();
        private Duration requestTimeout = Duration.ofSeconds(5);
        private boolean timeoutSet;
        private EngineMetrics metrics;
        private CallbackDispatcher callbacks;
        private java.util.function.BiFunction<io.queuedeck.engine.task.TaskSpec, Integer,
                java.util.concurrent.CompletableFuture<io.queuedeck.engine.task.SubmitResult>> intake;
        private SharedTasks sharedTasks;
        private boolean baseline;
        private DiskFloor diskFloor;
        private ConfigService configService;
        private boolean virtualThreads;
        private java.util.List<String> frontDoorModels;
        private io.queuedeck.engine.exec.openai.CompletionStreams frontDoorStreams;
        private io.queuedeck.engine.fault.FaultCatalogue faults;

        private Builder(Engine engine) {
            if (engine == null) {
                throw new NullPointerException("engine must not be null");
            }
            this.engine = engine;
        }

        /** Serves {@code /v1/faults} (operate scope) on this catalogue; default none (no fault endpoints). */
        public Builder faults(io.queuedeck.engine.fault.FaultCatalogue value) {
            if (faults != null) {
                throw new IllegalStateException("fault catalogue was already set");
            }
            faults = java.util.Objects.requireNonNull(value, "faults");
            return this;
        }

        /** Address to bind; default 127.0.0.1. Any non-loopback address requires a bearer token. */
        public Builder host(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            hostSet = once(hostSet, "host");
            host = value;
            return this;
        }

        /** Port to bind; default 8080; 0 picks a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + value);
            }
            portSet = once(portSet, "port");
            port = value;
            return this;
        }

        /**
         * A token every {@code /v1} request must present as {@code Authorization: Bearer <token>},
         * with no limits. With any token set, requests without a known one get 401. At least
         * {@value ClientPolicy#MIN_TOKEN_BYTES} bytes.
         */
        public Builder bearerToken(String value) {
            return client(value, ClientPolicy.unlimited("default"));
        }

        /**
         * A token (at least {@value ClientPolicy#MIN_TOKEN_BYTES} bytes) and what its holder may do: tenant,
         * scopes, priority cap, request rate; repeatable, one policy per token.
         */
        public Builder client(String token, ClientPolicy policy) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("bearer token must not be blank");
            }
            int bytes = token.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < ClientPolicy.MIN_TOKEN_BYTES) {
                throw new IllegalArgumentException("the bearer token of client '" + (policy == null ? "?" : policy.name())
                        + "' is " + bytes + " bytes; tokens must be at least " + ClientPolicy.MIN_TOKEN_BYTES
                        + " bytes (e.g. openssl rand -hex 32)");
            }
            java.util.Objects.requireNonNull(policy, "client policy must not be null");
            if (clients.putIfAbsent(token, policy) != null) {
                throw new IllegalStateException("this token was already given a policy");
            }
            return this;
        }

        /**
         * Submissions per second that {@code tenant} (the tasks' {@code tenant} field) may make, over all
         * clients; repeatable, once per tenant. A tenant over its rate gets 429 {@code tenant_rate_limited}
         * with {@code Retry-After}; a batch takes one submission per task of the tenant.
         */
        public Builder tenantRate(String tenant, RateLimit limit) {
            if (tenant == null || tenant.isBlank()) {
                throw new IllegalArgumentException("tenant must not be blank");
            }
            java.util.Objects.requireNonNull(limit, "tenant rate must not be null");
            if (tenantRates.putIfAbsent(tenant, limit) != null) {
                throw new IllegalStateException("tenant '" + tenant + "' was already given a rate");
            }
            return this;
        }

        /** The rate of every tenant not given its own by {@link #tenantRate}; default none (unlimited). */
        public Builder defaultTenantRate(RateLimit limit) {
            once(defaultTenantRate != null, "default tenant rate");
            defaultTenantRate = java.util.Objects.requireNonNull(limit, "default tenant rate must not be null");
            return this;
        }

        /**
         * Waiting tasks beyond which submissions get 429 with {@code Retry-After}; default 1,000,000.
         * Checked against the latest snapshot, so it may be exceeded by one snapshot interval's intake.
         */
        public Builder maxQueued(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("max queued must be at least 1, got " + value);
            }
            maxQueuedSet = once(maxQueuedSet, "max queued");
            maxQueued = value;
            return this;
        }

        /** Largest request body accepted; default 1 MiB. Larger bodies get 413. */
        public Builder maxBodyBytes(long value) {
            if (value < 1 || value > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("max body bytes must be between 1 and 2 GiB, got " + value);
            }
            maxBodySet = once(maxBodySet, "max body bytes");
            maxBodyBytes = value;
            return this;
        }

        /**
         * Body bytes all requests being received may hold together; default a sixteenth of the
         * JVM's maximum heap, at most 64 MiB, and never less than the largest body (a batch: 16
         * times {@link #maxBodyBytes}); when set, at least that largest body. A request whose
         * bytes would pass it gets 503 {@code server_busy} with {@code Retry-After} and its connection
         * is closed. Bytes count as they arrive, not as a client declares them.
         */
        public Builder maxInFlightBodyBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("max in-flight body bytes must be at least 1, got " + value);
            }
            inFlightSet = once(inFlightSet, "max in-flight body bytes");
            maxInFlightBodyBytes = value;
            return this;
        }

        /** Open connections at most (default: three quarters of the process's file handles); for tests. */
        Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /**
         * How long a request body may take to arrive, from the first read; default 10 s. A slower
         * sender gets 408 {@code request_timeout} and its connection is closed. A new connection's
         * first request must send its headers within it too (decision 0087).
         */
        public Builder bodyTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("body timeout must be positive, got " + value);
            }
            bodyTimeoutSet = once(bodyTimeoutSet, "body timeout");
            bodyTimeout = value;
            return this;
        }

        /** How long a request waits for the engine's answer; default 5 s, then 503. */
        public Builder requestTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("request timeout must be positive, got " + value);
            }
            timeoutSet = once(timeoutSet, "request timeout");
            requestTimeout = value;
            return this;
        }

        /** Serves {@code GET /metrics} from these metrics and counts refused submissions in them; default none. */
        public Builder metrics(EngineMetrics value) {
            once(metrics != null, "metrics");
            metrics = java.util.Objects.requireNonNull(value, "metrics must not be null");
            return this;
        }

        /**
         * Where submissions go instead of this engine: a shared queue's intake (decision 0034), given
         * each spec and the most urgent priority its sender may use. Its future fails with the engine's
         * refusals (a {@code StoreUnavailableException} is a 503); default the engine.
         */
        public Builder intake(java.util.function.BiFunction<io.queuedeck.engine.task.TaskSpec, Integer,
                java.util.concurrent.CompletableFuture<io.queuedeck.engine.task.SubmitResult>> value) {
            once(intake != null, "intake");
            intake = java.util.Objects.requireNonNull(value, "intake must not be null");
            return this;
        }

        /**
         * Fails {@code /readyz} while the disk of {@code dataDir} has fewer than {@code minFreeBytes}
         * usable bytes (0: never), and exposes its free space on {@code /metrics}; default none.
         */
        public Builder diskFloor(java.nio.file.Path dataDir, long minFreeBytes) {
            if (minFreeBytes < 0) {
                throw new IllegalArgumentException("the disk floor must not be negative, got " + minFreeBytes);
            }
            diskFloor = new DiskFloor(java.util.Objects.requireNonNull(dataDir, "dataDir"), minFreeBytes);
            return this;
        }

        /**
         * Tasks other nodes hold or ran: {@code GET}/{@code PATCH}/{@code DELETE /v1/tasks/{id}} serve them
         * from here, and clients' rates are counted across every node in its buckets.
         */
        public Builder sharedTasks(SharedTasks value) {
            once(sharedTasks != null, "sharedTasks");
            sharedTasks = java.util.Objects.requireNonNull(value, "sharedTasks must not be null");
            return this;
        }

        /**
         * Checks submitted callback URLs against this dispatcher's policy (400 when refused) and serves
         * {@code GET /v1/callbacks/dead-letters} and {@code POST /v1/callbacks/dead-letters/{id}/replay}; default none.
         */
        public Builder callbacks(CallbackDispatcher value) {
            once(callbacks != null, "callbacks");
            callbacks = java.util.Objects.requireNonNull(value, "callbacks must not be null");
            return this;
        }

        /**
         * Serves requests on virtual threads instead of Jetty's platform-thread pool; default off.
         * Handlers wait for the engine's answer, and a virtual thread waits far more cheaply: on
         * this 2-core machine it lifts intake throughput (see docs/performance.md). Best on a JDK
         * 24 or newer, where waiting inside {@code synchronized} no longer pins the carrier thread.
         */
        public Builder virtualThreads() {
            virtualThreads = once(virtualThreads, "virtual threads");
            return this;
        }

        /**
         * Serves the OpenAI-compatible front door ({@code POST /v1/chat/completions},
         * {@code POST /v1/completions}, {@code GET /v1/models}) for {@code models}; default off.
         * Backend streams are relayed through {@code streams} (the OpenAI executor's); tasks that
         * run on simulated GPUs are answered from their output.
         */
        public Builder openAiFrontDoor(java.util.List<String> models, io.queuedeck.engine.exec.openai.CompletionStreams streams) {
            once(frontDoorModels != null, "OpenAI front door");
            if (models == null || models.isEmpty()) {
                throw new IllegalArgumentException("the front door needs at least one model");
            }
            frontDoorStreams = java.util.Objects.requireNonNull(streams, "streams must not be null");
            frontDoorModels = java.util.List.copyOf(models);
            return this;
        }

        /** The front door on simulated GPUs, which serve {@code models}: answers come from the tasks' outputs. */
        public Builder openAiFrontDoor(java.util.List<String> models) {
            return openAiFrontDoor(models, new io.queuedeck.engine.exec.openai.CompletionStreams());
        }

        ConfigService configService() {
            return configService;
        }

        /** Serves the running config, its versions and canaries ({@code /v1/config}, {@code /v1/canary}; admin scope). */
        public Builder configService(ConfigService value) {
            once(configService != null, "config service");
            configService = java.util.Objects.requireNonNull(value, "config service must not be null");
            return this;
        }

        /**
         * Adds {@code POST /bench/noop}: reads the body and answers a constant 202 without touching
         * the engine, the yardstick the intake benchmark compares {@code POST /v1/tasks} with.
         */
        public Builder benchmarkBaseline() {
            baseline = once(baseline, "benchmark baseline");
            return this;
        }

        /**
         * @throws IllegalStateException when the host is not a loopback address and no bearer token is set
         */
        public ApiServer build() {
            if (!inFlightSet) {
                maxInFlightBodyBytes = Math.max(maxBodyBytes * Routes.BATCH_BODY_FACTOR,
                        Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));
            }
            if (maxInFlightBodyBytes < maxBodyBytes * Routes.BATCH_BODY_FACTOR) {
                // else a batch at its limit would be refused as busy forever
                throw new IllegalStateException("max in-flight body bytes (" + maxInFlightBodyBytes
                        + ") must be at least the largest body, a batch of " + Routes.BATCH_BODY_FACTOR
                        + " x max body bytes = " + maxBodyBytes * Routes.BATCH_BODY_FACTOR);
            }
            if (clients.isEmpty() && !RequestGuard.isLoopback(host)) {
                throw new IllegalStateException("refusing to bind the API to " + host
                        + " without a bearer token: only loopback addresses may be open; set a token"
                        + " (QUEUEDECK_API_TOKEN or --token-file) or bind to 127.0.0.1");
            }
            return new ApiServer(this);
        }

        private static boolean once(boolean alreadySet, String what) {
            if (alreadySet) {
                throw new IllegalStateException(what + " was already set");
            }
            return true;
        }
    }
}
