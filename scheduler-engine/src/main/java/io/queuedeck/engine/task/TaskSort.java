package io.queuedeck.engine.task;

import java.util.Comparator;
import java.util.Locale;

/**
 * The order of search results. Ties fall back to submission order, so a page boundary is stable
 * while nothing changes.
 */
public enum TaskSort {
    /** Oldest submission first (the same as longest age first). */
    SUBMITTED(Comparator.comparingLong(TaskView::sequence)),
    /** Most urgent first (0 before 9). */
    PRIORITY(Comparator.comparingInt(TaskView::priority)),
    /** By model name. */
    MODEL(Comparator.comparing(v -> nullToEmpty(v.spec().model()))),
    /** By tenant name (tasks without one first). */
    TENANT(Comparator.comparing(v -> nullToEmpty(v.spec().tenant()))),
    /** By state, in lifecycle order. */
    STATE(Comparator.comparing(TaskView::state));

    private final Comparator<TaskView> order;

    TaskSort(Comparator<TaskView> order) {
        this.order = order;
    }

    /** This order, reversed when {@code descending}, then by submission. */
    public Comparator<TaskView> comparator(boolean descending) {
        Comparator<TaskView> first = descending ? order.reversed() : order;
        Comparator<TaskView> bySequence = Comparator.comparingLong(TaskView::sequence);
        return this == SUBMITTED ? first : first.thenComparing(descending ? bySequence.reversed() : bySequence);
    }

    /** The key in query parameters: {@code submitted}, {@code priority}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The sort named {@code key}, or null. */
    public static TaskSort byKey(String key) {
        for (TaskSort sort : values()) {
            if (sort.key().equals(key)) {
                return sort;
            }
        }
        return null;
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
