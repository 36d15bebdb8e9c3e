package io.queuedeck.engine.clock;

import java.time.Instant;

/** Real time, for the live engine. Its timers are fired by the scheduler loop's thread. */
public final class SystemClock implements EngineClock {
    private final long origin = System.nanoTime();
    private final Instant originWall = Instant.now();
    private final TimerQueue timers = new TimerQueue();

    @Override
    public long nanos() {
        return System.nanoTime() - origin;
    }

    @Override
    public Timer schedule(long atNanos, Runnable action) {
        return timers.add(atNanos, action);
    }

    @Override
    public Instant toInstant(long clockNanos) {
        return originWall.plusNanos(clockNanos);
    }

    @Override
    public long toNanos(Instant instant) {
        return EngineClock.saturatedNanos(java.time.Duration.between(originWall, instant));
    }

    /** Fires every timer that is due now; returns the deadline of the next one. The loop driver's thread only. */
    public long fireDue() {
        Timer timer;
        while ((timer = timers.pollDue(nanos())) != null) {
            timer.action.run();
        }
        return timers.nextDeadline();
    }
}
