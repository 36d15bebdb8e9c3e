package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Holdings;
import io.queuedeck.engine.task.Task;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The dead letters the loop holds, oldest first per tenant, within a count and a byte bound of
 * their own. Past either, the oldest dead letter of the tenant that holds the most (letters, or bytes) goes, so
 * a tenant flooding the dead letters evicts its own and no one else's (decision 0131). Loop
 * thread only.
 */
final class DeadLetterShelf {
    private final int maxCount;
    private final long maxBytes;
    private final TaskIndex index;
    private final Map<String, Task> byId = new HashMap<>();
    /** Per tenant (null: tasks without one), oldest first. */
    private final Map<String, LinkedHashMap<String, Task>> byTenant = new HashMap<>();
    private final Holdings<String> bytesByTenant = new Holdings<>();
    private final Holdings<String> lettersByTenant = new Holdings<>();
    private long bytes;
    private Consumer<Task> evicted = task -> { };

    DeadLetterShelf(int maxCount, long maxBytes, TaskIndex index) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.index = index;
    }

    Task get(String id) {
        return byId.get(id);
    }

    void add(Task task) {
        if (byId.putIfAbsent(task.id(), task) != null) {
            return;
        }
        byTenant.computeIfAbsent(task.spec().tenant(), t -> new LinkedHashMap<>()).put(task.id(), task);
        long cost = TaskTable.finishedBytes(task);
        bytesByTenant.add(task.spec().tenant(), cost);
        lettersByTenant.add(task.spec().tenant(), 1);
        bytes += cost;
        while ((byId.size() > maxCount || bytes > maxBytes) && byId.size() > 1) {
            // past the count, the tenant with the most letters (the earliest of equals); past the bytes, the most bytes
            String from = byId.size() > maxCount ? lettersByTenant.largest() : bytesByTenant.largest();
            Task gone = byTenant.get(from).values().iterator().next();
            remove(gone);
            index.remove(gone);
            evicted.accept(gone);
        }
    }

    /** Told of each dead letter let go past the bound. */
    void onEvicted(Consumer<Task> listener) {
        evicted = listener;
    }

    /** @return whether {@code task} was held */
    boolean remove(Task task) {
        if (!byId.remove(task.id(), task)) {
            return false;
        }
        String tenant = task.spec().tenant();
        LinkedHashMap<String, Task> own = byTenant.get(tenant);
        own.remove(task.id());
        if (own.isEmpty()) {
            byTenant.remove(tenant);
        }
        long cost = TaskTable.finishedBytes(task);
        bytesByTenant.add(tenant, -cost);
        lettersByTenant.add(tenant, -1);
        bytes -= cost;
        return true;
    }

    int size() {
        return byId.size();
    }
}
