package io.queuedeck.engine.fault;

import io.queuedeck.engine.clock.VirtualClock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Time and timers of the fault catalogue: the virtual clock in a drill (timers fire on the
 * caller's thread, which drives the clock), or a scheduler of the caller's for a live engine
 * (never the engine's loop thread, which the catalogue's commands must not wait on).
 */
public interface FaultClock {

    /** Nanoseconds on this clock. */
    long nanos();

    /** Runs {@code action} after {@code delayNanos}; the answer cancels it. */
    Runnable after(long delayNanos, Runnable action);

    /** The virtual clock of a headless drill or test. */
    static FaultClock of(VirtualClock clock) {
        return new FaultClock() {
            @Override
            public long nanos() {
                return clock.nanos();
            }

            @Override
            public Runnable after(long delayNanos, Runnable action) {
                return clock.scheduleAfter(delayNanos, action)::cancel;
            }
        };
    }

    /** A live clock: {@code nanoTime} is the caller's time source; timers run on {@code scheduler}. */
    static FaultClock live(ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        return new FaultClock() {
            @Override
            public long nanos() {
                return nanoTime.getAsLong();
            }

            @Override
            public Runnable after(long delayNanos, Runnable action) {
                ScheduledFuture<?> future = scheduler.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }
        };
    }
}
