package io.queuedeck.engine.callback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The callbacks that gave up, oldest first, at most {@code capacity}: the oldest is dropped (here
 * and from the store) to make room. Any thread.
 */
final class DeadLetterList {
    private final Map<String, PendingCallback> letters = new LinkedHashMap<>();
    private final int capacity;
    private final DeliveryStore store;

    DeadLetterList(int capacity, DeliveryStore store) {
        this.capacity = capacity;
        this.store = store;
    }

    /** Adds {@code dead} as the newest (replacing an older letter of its task); the store already holds it. */
    void add(PendingCallback dead) {
        synchronized (letters) {
            letters.remove(dead.taskId());
            letters.put(dead.taskId(), dead);
            if (letters.size() > capacity) {
                String eldest = letters.keySet().iterator().next();
                letters.remove(eldest);
                store.remove(eldest);
            }
        }
    }

    /** Puts back a letter the store kept from before a restart, in the store's order. */
    void restore(PendingCallback dead) {
        synchronized (letters) {
            letters.put(dead.taskId(), dead);
        }
    }

    /** Removes and answers the letter of {@code taskId}; null when there is none. */
    PendingCallback take(String taskId) {
        synchronized (letters) {
            return letters.remove(taskId);
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
