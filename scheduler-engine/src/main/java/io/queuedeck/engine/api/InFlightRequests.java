package io.queuedeck.engine.api;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** The requests received and not yet answered, so that a stop can let them finish. */
final class InFlightRequests {
    private static final String KEY = InFlightRequests.class.getName();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean draining;

    /**
     * Counts every request: call before any other handler is added, so that it is counted first
     * and uncounted last.
     */
    void register(Javalin app) {
        app.before(ctx -> {
            count.incrementAndGet();
            ctx.attribute(KEY, this);
            closeIfStopping(ctx);
        });
        app.after(ctx -> {
            closeIfStopping(ctx); // an answer not yet written (a refusal's) learns of a stop begun while it was handled
            count.decrementAndGet();
        });
    }

    /**
     * No keep-alive during a stop: no request can arrive on a connection about to close. Called as
     * a request begins, before an answer is written straight to the response, and after the
     * handlers, so that a request that began before the stop and is answered after it closes its
     * connection too.
     */
    static void closeIfStopping(io.javalin.http.Context ctx) {
        Object held = ctx.attribute(KEY);
        if (held instanceof InFlightRequests requests && requests.draining && !ctx.res().isCommitted()) {
            ctx.header("Connection", "close");
        }
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
