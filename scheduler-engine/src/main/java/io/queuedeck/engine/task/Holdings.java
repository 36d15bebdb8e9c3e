package io.queuedeck.engine.task;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * How much each holder (a tenant, an actor; null is one too) holds of something bounded, ordered
 * so that the one holding the most is found without a scan: what a bound that lets go of the
 * largest holder's oldest first needs (dead letters, the audit trail). Each change costs
 * O(log holders). Not thread-safe: its owner's thread or lock.
 *
 * @param <K> the holder
 */
public final class Holdings<K> {
    private record Held<K>(K holder, long amount, long order) {}

    private final Map<K, Held<K>> byHolder = new HashMap<>();
    private final TreeSet<Held<K>> largestFirst = new TreeSet<>(Comparator.<Held<K>>comparingLong(Held::amount).reversed()
            .thenComparingLong(Held::order));
    private long nextOrder;

    /** Adds {@code amount} (negative: takes it off) to what {@code holder} holds; a holder left with none is forgotten. */
    public void add(K holder, long amount) {
        Held<K> before = byHolder.remove(holder);
        long now = amount;
        long order = nextOrder++;
        if (before != null) {
            largestFirst.remove(before);
            now += before.amount();
            order = before.order(); // ties go to the earlier holder, whatever it did since
        }
        if (now > 0) {
            Held<K> after = new Held<>(holder, now, order);
            byHolder.put(holder, after);
            largestFirst.add(after);
        }
    }

    /** What {@code holder} holds; 0 for none. */
    public long of(K holder) {
        Held<K> held = byHolder.get(holder);
        return held == null ? 0 : held.amount();
    }

    /** The holder holding the most (the earlier one of a tie); null when nobody holds anything, or when that holder is null. */
    public K largest() {
        return largestFirst.isEmpty() ? null : largestFirst.first().holder();
    }

    public boolean isEmpty() {
        return byHolder.isEmpty();
    }
}
