package io.queuedeck.engine.callback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callbacks that gave up, oldest first, at most {@code capacity} of them and {@code maxBytes}
 * of their bodies (a body carries the task's metadata, up to 64 KB each): to make room, the oldest
 * letter of the tenant that holds the most is dropped (here and from the store), so one tenant's
 * failing receivers cannot push out another's letters. Any thread.
 */
final class DeadLetterList {
    private static final System.Logger LOG = System.getLogger(DeadLetterList.class.getName());
    private final Map<String, PendingCallback> letters = new LinkedHashMap<>();
    /** Letters held per tenant ({@link #owner}). */
    private final Map<String, Integer> held = new java.util.HashMap<>();
    private final int capacity;
    private final long maxBytes;
    private long bytes;
    private final DeliveryStore store;

    DeadLetterList(int capacity, long maxBytes, DeliveryStore store) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.store = store;
    }

    /** Adds {@code dead} as the newest (replacing an older letter of its task); the store already holds it. */
    void add(PendingCallback dead) {
        synchronized (letters) {
            put(dead);
        }
    }

    /** Puts back a letter the store kept from before a restart, in the store's order, within the same bounds. */
    void restore(PendingCallback dead) {
        synchronized (letters) {
            put(dead);
        }
    }

    private void put(PendingCallback dead) {
        forget(letters.remove(dead.taskId()));
        letters.put(dead.taskId(), dead);
        bytes += dead.body().length;
        held.merge(owner(dead), 1, Integer::sum);
        while (letters.size() > capacity || bytes > maxBytes && letters.size() > 1) {
            int most = java.util.Collections.max(held.values()); // of the tenants holding the most, the oldest letter
            String eldest = letters.values().stream().filter(p -> held.get(owner(p)) == most).findFirst().orElseThrow().taskId();
            forget(letters.remove(eldest));
            store.remove(eldest);
            LOG.log(System.Logger.Level.WARNING, "callback dead letter of task {0} dropped: the list is at its bound", eldest);
        }
    }

    /**
     * Whose letter it is: its tenant, or after a restart (the tenant is not kept) the tenant a bound
     * client's task id starts with ({@code acme:…}); "" for the rest.
     */
    private static String owner(PendingCallback letter) {
        if (letter.tenant() != null) {
            return letter.tenant();
        }
        int colon = letter.taskId().indexOf(':');
        return colon < 0 ? "" : letter.taskId().substring(0, colon);
    }

    private void forget(PendingCallback gone) {
        if (gone != null) {
            bytes -= gone.body().length;
            held.computeIfPresent(owner(gone), (tenant, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Removes and answers the letter of {@code taskId}; null when there is none. */
    PendingCallback take(String taskId) {
        synchronized (letters) {
            PendingCallback taken = letters.remove(taskId);
            forget(taken);
            return taken;
        }
    }

    List<DeadLetter> list() {
        synchronized (letters) {
            List<DeadLetter> list = new ArrayList<>(letters.size());
            for (PendingCallback p : letters.values()) {
                list.add(new DeadLetter(p.taskId(), UrlRedaction.redact(p.url()), p.attempts(), p.lastError(), p.failedAt()));
            }
            return list;
        }
    }
}
