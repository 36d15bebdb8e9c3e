package io.queuedeck.console.gateway;

import io.queuedeck.engine.snapshot.LatencySummary;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Latency of one second of the engine (its exact percentiles), overall and per priority class.
 *
 * @param at               the second
 * @param recent           queue wait, time to first token and end-to-end latency of the tasks that finished in it
 * @param recentByPriority the same per priority 0..9 ({@link LatencySummary#EMPTY} where none finished)
 */
public record LatencySample(Instant at, LatencySummary recent, List<LatencySummary> recentByPriority) {
    private static final List<LatencySummary> NONE = Collections.nCopies(io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY + 1, LatencySummary.EMPTY);

    public LatencySample {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(recent, "recent");
        Objects.requireNonNull(recentByPriority, "recentByPriority");
    }

    /** A sample with no per-priority figures (every class empty). */
    public LatencySample(Instant at, LatencySummary recent) {
        this(at, recent, NONE);
    }

    /** The interval's latency of one priority, or overall for {@code priority < 0}. */
    public LatencySummary recent(int priority) {
        if (priority < 0) {
            return recent;
        }
        return priority < recentByPriority.size() ? recentByPriority.get(priority) : LatencySummary.EMPTY;
    }
}
