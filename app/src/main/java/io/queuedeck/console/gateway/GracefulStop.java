package io.queuedeck.console.gateway;

import io.queuedeck.engine.api.ApiService;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * What closing the console window does before the engine closes, on a thread that may wait (never
 * the FX thread): the console's own load stops, the API (if it runs) refuses new submissions and
 * fails readiness, nothing new starts, and running tasks may finish until none runs, the grace
 * period passes, or {@link #hurry()} is called. What is still queued stays in the engine's store.
 */
public final class GracefulStop {
    private final EmbeddedEngine system;
    private final java.util.function.Supplier<ApiService> api;
    private final Duration grace;
    private final CountDownLatch hurry = new CountDownLatch(1);

    /**
     * @param api the console's REST API, or null when it does not run; asked for on the stopping
     *            thread, so it may wait for an API that is still starting
     */
    public GracefulStop(EmbeddedEngine system, java.util.function.Supplier<ApiService> api, Duration grace) {
        this.system = system;
        this.api = api;
        this.grace = grace;
    }

    /**
     * Runs the stop; the API is closed afterwards, the engine is not.
     *
     * @return whether every running task finished within the grace period
     */
    public boolean run() throws InterruptedException {
        system.stopLoad();
        ApiService running = api.get();
        return running != null ? running.shutdown(grace, hurry) : system.engine().drain(grace, hurry);
    }

    /** Cuts the grace period short (a second close): running tasks are cut off and requeued at the next start. */
    public void hurry() {
        hurry.countDown();
    }
}
