package io.queuedeck.engine.clock;

import java.time.Instant;

/**
 * The engine's only source of time and timers. The live engine runs on a {@link SystemClock};
 * the simulator runs the same loop, policies and GPU model on a {@link VirtualClock}, where a
 * day of traffic takes seconds and every run is deterministic for a seed.
 *
 * <p>Timers belong to the scheduler loop: {@link #schedule} may be called only from the loop
 * thread, and timers fire on it.
 */
public sealed interface EngineClock permits SystemClock, VirtualClock {

    /** Nanoseconds since the clock started. */
    long nanos();

    /** Runs {@code action} on the loop thread at {@code atNanos} (at once, in order, if that has passed). */
    Timer schedule(long atNanos, Runnable action);

    /** Runs {@code action} on the loop thread {@code delayNanos} from now. */
    default Timer scheduleAfter(long delayNanos, Runnable action) {
        return schedule(nanos() + delayNanos, action);
    }

    /** The wall-clock instant of {@code clockNanos}: for deadlines and for people. */
    Instant toInstant(long clockNanos);

    /**
     * The clock reading at which wall-clock {@code instant} falls; instants centuries away
     * saturate just inside the range of a long instead of overflowing.
     */
    long toNanos(Instant instant);

    /** {@code duration} in nanoseconds, saturated to [Long.MIN_VALUE + 1, Long.MAX_VALUE - 1]. */
    static long saturatedNanos(java.time.Duration duration) {
        try {
            return Math.max(Long.MIN_VALUE + 1, Math.min(Long.MAX_VALUE - 1, duration.toNanos()));
        } catch (ArithmeticException tooFar) {
            return duration.isNegative() ? Long.MIN_VALUE + 1 : Long.MAX_VALUE - 1;
        }
    }
}
