package io.queuedeck.engine.api;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** The requests received and not yet answered, so that a stop can let them finish. */
final class InFlightRequests {
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean draining;

    /**
     * Counts every request: call before any other handler is added, so that it is counted first
     * and uncounted last.
     */
    void register(Javalin app) {
        app.before(ctx -> {
            count.incrementAndGet();
            if (draining) {
                ctx.header("Connection", "close"); // no keep-alive during a stop: no request can arrive on a connection about to close
            }
        });
        app.after(ctx -> count.decrementAndGet());
    }

    /** From now on every answer closes its connection. */
    void drain() {
        draining = true;
    }

    int count() {
        return count.get();
    }

    /** Waits (parked, 1 ms at a time) until none is left or {@code nanos} reaches {@code until}. */
    void awaitNone(long until, LongSupplier nanos) {
        while (count.get() > 0 && nanos.getAsLong() < until) {
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
