package io.queuedeck.engine.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Label values that clients choose (a business class), held to a fixed number of series: the
 * first {@code capacity} values seen keep their own, every later one is counted as {@code other}.
 * Without a cap each new value adds a series for good, and a client sending a new value per task
 * fills the heap. Any thread.
 */
final class BoundedLabels {
    static final String OTHER = "other";

    private final int capacity;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    BoundedLabels(int capacity) {
        this.capacity = capacity;
    }

    /** {@code value} itself if it has, or may still get, a series of its own; else {@link #OTHER}. */
    String of(String value) {
        if (seen.contains(value)) {
            return value;
        }
        if (seen.size() >= capacity) { // a race may let a few more in: still bounded
            return OTHER;
        }
        seen.add(value);
        return value;
    }
}
