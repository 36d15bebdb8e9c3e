package io.queuedeck.engine.api;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.metrics.EngineMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The REST API with everything behind it: Prometheus metrics, result callbacks and the feed of
 * finished tasks that drives both. The headless {@code serve} command and the console run the
 * same assembly. Callback delivery state is in memory unless the callback settings pass a
 * durable {@link io.queuedeck.engine.callback.DeliveryStore} ({@code serve --data-dir} does; the
 * console does not, see docs/decisions/0008); whoever opens that store closes it after this service.
 */
public final class ApiService implements AutoCloseable {
    private static final long MIN_DRAIN_NANOS = 1_000_000_000;

    private final ApiServer server;
    private final CompletionFeed feed;
    private final CallbackDispatcher callbacks;
    private final ScheduledExecutorService feedThread;
    private final Engine engine;
    private final EngineMetrics metrics;

    private ApiService(Engine engine, ApiServer server, CompletionFeed feed, CallbackDispatcher callbacks,
                       ScheduledExecutorService feedThread, EngineMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
        this.server = server;
        this.feed = feed;
        this.callbacks = callbacks;
        this.feedThread = feedThread;
    }

    /**
     * Assembles the service for {@code engine} without starting it, so a bad setting fails before
     * anything runs.
     *
     * @param server    sets the server's options (host, port, token…) on a builder that already
     *                  has the metrics and callbacks
     * @param callbacks sets the callback dispatcher's options (secret, allowed hosts…)
     * @throws IllegalArgumentException for settings the server refuses (a public bind without a token…)
     */
    public static ApiService create(Engine engine, Consumer<ApiServer.Builder> server,
                                    Consumer<CallbackDispatcher.Builder> callbacks) {
        EngineMetrics metrics = new EngineMetrics(engine::latestSnapshot);
        metrics.store(engine::storeStats);
        ScheduledExecutorService feedThread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queuedeck-completions").daemon().factory());
        CallbackDispatcher.Builder callbackBuilder = CallbackDispatcher.builder(engine.clock(), feedThread)
                .listener(metrics.callbackListener());
        callbacks.accept(callbackBuilder);
        CallbackDispatcher dispatcher = callbackBuilder.build();
        engine.countInByteBudget(dispatcher::pendingBytes, dispatcher::pendingBytes); // a result waiting for its receiver holds the task's metadata
        // beside its limit, the sum the limit is checked against: the gauge left the callbacks out and read 0.003%
        // while every sizeable submission got 429
        metrics.queuedBodyBytes(() -> engine.queuedBodyBytes() + dispatcher.pendingBytes(), dispatcher::pendingBytes,
                engine.maxQueuedBytes());
        CompletionFeed feed = new CompletionFeed(engine, feedThread)
                .onFinished(metrics::recordFinished)
                .onFinished(dispatcher::deliver)
                .afterBatch(dispatcher::flush);
        ApiServer.Builder builder = ApiServer.builder(engine).metrics(metrics).callbacks(dispatcher);
        server.accept(builder);
        if (builder.configService() != null) {
            feed.onFinished(builder.configService()::finished); // a canary's comparison counts finished tasks
        }
        try {
            return new ApiService(engine, builder.build(), feed, dispatcher, feedThread, metrics);
        } catch (IllegalStateException e) {
            dispatcher.close();
            feedThread.shutdownNow();
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Also hands every finished task to {@code listener} (after metrics and callbacks); before {@link #start}. */
    public ApiService onFinished(java.util.function.Consumer<io.queuedeck.engine.task.TaskView> listener) {
        feed.onFinished(listener);
        return this;
    }

    /** Starts {@code task}'s result callback as if this engine had finished it (a task that ended elsewhere). */
    public void callBack(io.queuedeck.engine.task.TaskView task) {
        callbacks.deliver(task);
    }

    /**
     * Makes the callbacks {@link #callBack} started durable (one commit of a durable callback store);
     * answers whether they are (false once the service closed, or when the store's write failed).
     */
    public boolean flushCallbacks() {
        return callbacks.flush();
    }

    /** Also exposes {@code counters} on {@code /metrics} as the gauge {@code name} with one {@code label} value each. */
    public ApiService gauge(String name, String help, String label,
                            java.util.function.Supplier<java.util.Map<String, Long>> counters) {
        metrics.labelled(name, help, label, counters);
        return this;
    }

    /**
     * Starts delivering and listening; the engine must be started.
     *
     * @throws IllegalArgumentException when the address cannot be bound (everything is closed again)
     */
    public ApiService start() {
        int resumed = callbacks.resume(); // pending callbacks and dead letters from before a restart (a durable store only)
        if (resumed > 0) {
            System.getLogger(ApiService.class.getName()).log(System.Logger.Level.INFO,
                    resumed + " result callbacks pending before the restart are sent again");
        }
        feed.start(2);
        try {
            server.start();
        } catch (RuntimeException e) {
            close();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException("cannot listen: " + root.getMessage());
        }
        return this;
    }

    /** {@code http://host:port}. */
    public URI baseUri() {
        return server.baseUri();
    }

    /**
     * The first step of {@link #shutdown}, taken at once on the signal's own thread: readiness
     * fails, new submissions get 503, and every answer from now on closes its connection. Calling
     * it again, or {@link #shutdown} after it, repeats nothing.
     */
    public void beginShutdown() {
        server.drain();
    }

    /**
     * A graceful stop: readiness fails and new submissions get 503 at once, no waiting task starts
     * any more, and the tasks already running may finish (their callbacks go out) until none runs,
     * {@code grace} has passed or {@code hurry} is counted down; then requests still being handled
     * are answered (and refusals are served for at least a second, within the grace period; an answer
     * its client does not read is given that second, not the rest of the grace period) and
     * everything is closed as by {@link #close}. What is still queued is already in the engine's
     * task store, if it has one (serve's default): it runs after the next start on the same data
     * directory, and a task cut off while running is requeued there with the attempt counted.
     *
     * @return whether every running task finished within the grace period
     */
    public boolean shutdown(Duration grace, CountDownLatch hurry) throws InterruptedException {
        long deadline = engine.clock().nanos() + grace.toNanos();
        // refusals are served for a moment even when nothing runs, so balancers and clients learn of the stop
        // from an answer (a failing /readyz, a 503) rather than from a refused connection
        long answerUntil = engine.clock().nanos() + Math.min(grace.toNanos(), MIN_DRAIN_NANOS);
        server.drain();
        boolean finished = engine.drain(grace, hurry);
        // the last finished tasks' views are in the outbox: let the feed hand them to callbacks
        while (feed.backlog() > 0 && engine.clock().nanos() < deadline && !hurry.await(5, TimeUnit.MILLISECONDS)) {
            // draining the completion feed
        }
        // answers already being written (a 503, a read) still reach their clients, for a moment: a client that
        // does not read its answer held the stop for the whole grace period with nothing left to run
        long writesUntil = Math.min(deadline, Math.max(answerUntil, engine.clock().nanos() + MIN_DRAIN_NANOS));
        while ((server.inFlight() > 0 || engine.clock().nanos() < answerUntil) && engine.clock().nanos() < writesUntil
                && !hurry.await(5, TimeUnit.MILLISECONDS)) {
            // waiting for requests in progress
        }
        close();
        return finished;
    }

    /** Stops the server, the feed and callback delivery (pending callbacks stay pending). */
    @Override
    public void close() {
        server.close();
        feed.close();
        callbacks.close();
        feedThread.shutdownNow();
    }
}
