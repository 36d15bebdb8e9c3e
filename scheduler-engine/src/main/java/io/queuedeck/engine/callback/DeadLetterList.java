package io.queuedeck.engine.callback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callbacks that gave up, oldest first, at most {@code capacity} of them and {@code maxBytes}
 * of their bodies (a body carries the task's metadata, up to 64 KB each): the oldest is dropped
 * (here and from the store) to make room. Any thread.
 */
final class DeadLetterList {
    private final Map<String, PendingCallback> letters = new LinkedHashMap<>();
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
        while (letters.size() > capacity || bytes > maxBytes && letters.size() > 1) {
            String eldest = letters.keySet().iterator().next();
            forget(letters.remove(eldest));
            store.remove(eldest);
        }
    }

    private void forget(PendingCallback gone) {
        if (gone != null) {
            bytes -= gone.body().length;
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
