package io.queuedeck.console.latency;

import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.Tiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which tasks the Latency screen charts: all of them, or one priority class.
 *
 * @param priority 0..9, or {@code -1} for all classes
 */
public record LatencyClass(int priority) {
    /** Every task, whatever its priority. */
    public static final LatencyClass ALL = new LatencyClass(-1);

    /** All classes, then P0..P9: the choices the screen offers. */
    public static final List<LatencyClass> CHOICES = choices();

    public LatencyClass {
        if (priority < -1 || priority > TaskSpec.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be -1 (all) or 0.." + TaskSpec.MAX_PRIORITY + ", got " + priority);
        }
    }

    public static LatencyClass of(int priority) {
        return new LatencyClass(priority);
    }

    public boolean isAll() {
        return priority < 0;
    }

    /** "All classes" or "P3 · normal" by the default tiers. */
    public String label() {
        return label(Tiers.DEFAULT);
    }

    /** "All classes" or "P3 · normal", the tier by {@code tiers} (the engine's table), for the selector and chart titles. */
    public String label(Tiers tiers) {
        return isAll() ? "All classes" : "P" + priority + " · " + tiers.of(priority).name();
    }

    /** "all" or "P3", for the CSV's class column and file name. */
    public String key() {
        return isAll() ? "all" : "P" + priority;
    }

    private static List<LatencyClass> choices() {
        List<LatencyClass> choices = new ArrayList<>();
        choices.add(ALL);
        for (int p = 0; p <= TaskSpec.MAX_PRIORITY; p++) {
            choices.add(new LatencyClass(p));
        }
        return List.copyOf(choices);
    }
}
