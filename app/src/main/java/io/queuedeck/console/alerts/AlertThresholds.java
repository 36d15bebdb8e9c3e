package io.queuedeck.console.alerts;

import java.time.Duration;
import java.util.List;

/**
 * When the console raises an alert. The defaults live here only.
 *
 * @param oldestWait        the oldest waiting task has waited longer than this
 * @param p99ByTier         end-to-end p99 of one second's finished tasks, per tier (core, normal, batch)
 * @param deadLetters       this many tasks dead-lettered within {@code deadLetterWindow}
 * @param deadLetterWindow  the window of the dead-letter count
 * @param hold              an alert stays this long after its condition last held (no flapping)
 */
public record AlertThresholds(Duration oldestWait, List<Duration> p99ByTier, int deadLetters, Duration deadLetterWindow,
                              Duration hold) {
    public static final AlertThresholds DEFAULTS = new AlertThresholds(Duration.ofSeconds(60),
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(120)), 5, Duration.ofMinutes(1),
            Duration.ofSeconds(10));

    public AlertThresholds {
        p99ByTier = List.copyOf(p99ByTier);
        if (p99ByTier.size() != 3) {
            throw new IllegalArgumentException("p99ByTier needs core, normal and batch, got " + p99ByTier.size());
        }
        if (deadLetters < 1) {
            throw new IllegalArgumentException("deadLetters must be at least 1, got " + deadLetters);
        }
    }
}
