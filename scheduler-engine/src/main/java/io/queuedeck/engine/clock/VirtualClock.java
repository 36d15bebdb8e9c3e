package io.queuedeck.engine.clock;

import java.time.Instant;

/**
 * Discrete-event time for simulation: the clock stands still while code runs and jumps to the
 * next timer when asked. Single-threaded: the thread that drives it is the loop thread.
 */
public final class VirtualClock implements EngineClock {
    private final Instant origin;
    private final TimerQueue timers = new TimerQueue();
    private long now;

    /** Wall time of a default virtual clock's zero. */
    public static final Instant DEFAULT_ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    public VirtualClock() {
        this(DEFAULT_ORIGIN);
    }

    /** A clock whose zero is {@code origin} on the wall. */
    public VirtualClock(Instant origin) {
        this.origin = origin;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public Timer schedule(long atNanos, Runnable action) {
        return timers.add(Math.max(atNanos, now), action);
    }

    @Override
    public Instant toInstant(long clockNanos) {
        return origin.plusNanos(clockNanos);
    }

    @Override
    public long toNanos(Instant instant) {
        return EngineClock.saturatedNanos(java.time.Duration.between(origin, instant));
    }

    /** Jumps to the next timer and fires it; false when none is left. */
    public boolean runNext() {
        long deadline = timers.nextDeadline();
        if (deadline == Long.MAX_VALUE) {
            return false;
        }
        now = deadline;
        timers.pollDue(now).action.run();
        return true;
    }

    /** Fires timers in order until none is left. */
    public void runUntilIdle() {
        while (runNext()) {
            // each step fires one timer
        }
    }

    /** Fires every timer due up to {@code deadline}, then leaves the clock at {@code deadline}. */
    public void runUntil(long deadline) {
        while (timers.nextDeadline() <= deadline) {
            runNext();
        }
        now = Math.max(now, deadline);
    }

    /** Timers fired so far: the simulator's event count. */
    public long firedCount() {
        return timers.firedCount();
    }
}
