package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.clock.EngineClock;
import java.util.function.LongSupplier;

/**
 * A simulated GPU's own timeline on real time: back to back, the next step starts when the previous
 * one was due to end, not when its timer fired, so a loop that wakes late (a busy machine, a
 * collection) delays a step's report but costs the GPU no capacity. On the virtual clock timers
 * fire on time and this changes nothing.
 */
final class StepTimeline {
    /**
     * How far behind its timeline a GPU may be and still catch up: late wake-ups of a few
     * milliseconds, not a process stopped for seconds (which would finish a burst of steps at once).
     */
    static final long MAX_CATCH_UP_NANOS = 50_000_000L;

    private StepTimeline() {
    }

    /** When a step that follows one due to end at {@code previousEnd} starts, at {@code now}. */
    static long nextStart(long previousEnd, long now) {
        return Math.max(previousEnd, now - MAX_CATCH_UP_NANOS);
    }

    /**
     * Runs {@code step} on the loop at {@code atNanos} unless the instance's {@code generation} has
     * moved on by then: a reset (crash, recovery, eviction of everything) forgets the steps it had
     * scheduled without cancelling their timers.
     */
    static void at(EngineClock clock, long atNanos, LongSupplier generation, Runnable step) {
        long scheduledIn = generation.getAsLong();
        clock.schedule(atNanos, () -> {
            if (generation.getAsLong() == scheduledIn) {
                step.run();
            }
        });
    }
}
