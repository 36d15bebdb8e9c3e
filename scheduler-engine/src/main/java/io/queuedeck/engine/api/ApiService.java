package io.queuedeck.engine.api;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.metrics.EngineMetrics;
import java.net.URI;
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
    private final ApiServer server;
    private final CompletionFeed feed;
    private final CallbackDispatcher callbacks;
    private final ScheduledExecutorService feedThread;

    private ApiService(ApiServer server, CompletionFeed feed, CallbackDispatcher callbacks,
                       ScheduledExecutorService feedThread) {
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
        metrics.queuedBodyBytes(engine::queuedBodyBytes, engine.maxQueuedBytes());
        ScheduledExecutorService feedThread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queuedeck-completions").daemon().factory());
        CallbackDispatcher.Builder callbackBuilder = CallbackDispatcher.builder(engine.clock(), feedThread)
                .listener(metrics.callbackListener());
        callbacks.accept(callbackBuilder);
        CallbackDispatcher dispatcher = callbackBuilder.build();
        CompletionFeed feed = new CompletionFeed(engine, feedThread)
                .onFinished(metrics::recordFinished)
                .onFinished(dispatcher::deliver);
        ApiServer.Builder builder = ApiServer.builder(engine).metrics(metrics).callbacks(dispatcher);
        server.accept(builder);
        try {
            return new ApiService(builder.build(), feed, dispatcher, feedThread);
        } catch (IllegalStateException e) {
            dispatcher.close();
            feedThread.shutdownNow();
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /**
     * Starts delivering and listening; the engine must be started.
     *
     * @throws IllegalArgumentException when the address cannot be bound (everything is closed again)
     */
    public ApiService start() {
        callbacks.resume(); // pending callbacks and dead letters from before a restart (a durable store only)
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

    /** Stops the server, the feed and callback delivery (pending callbacks stay pending). */
    @Override
    public void close() {
        server.close();
        feed.close();
        callbacks.close();
        feedThread.shutdownNow();
    }
}
