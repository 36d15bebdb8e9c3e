package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dead letters the loop holds, oldest first overall and per tenant, within a count and a byte
 * bound of their own. Past either, the oldest dead letter of the tenant that holds the most bytes
 * goes, so a tenant flooding the dead letters evicts its own and no one else's (decision 0131).
 * Which tenant holds the most is followed as dead letters arrive, never found by a scan. Loop
 * thread only.
 */
final class DeadLetterShelf {
    private final int maxCount;
    private final long maxBytes;
    private final TaskIndex index;
    /** Oldest first. */
    private final LinkedHashMap<String, Task> byId = new LinkedHashMap<>();
    /** Per tenant (null: tasks without one), oldest first. */
    private final Map<String, LinkedHashMap<String, Task>> byTenant = new HashMap<>();
    private final Map<String, long[]> tenantBytes = new HashMap<>();
    private long bytes;
    /** The tenant that held the most bytes when it last grew past the one before (null: none, or tasks without a tenant). */
    private String heaviest;
    private boolean anyHeaviest;
    private java.util.function.Consumer<Task> evicted = task -> { };

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
        String tenant = task.spec().tenant();
        byTenant.computeIfAbsent(tenant, t -> new LinkedHashMap<>()).put(task.id(), task);
        long cost = TaskTable.finishedBytes(task);
        long held = tenantBytes.computeIfAbsent(tenant, t -> new long[1])[0] += cost;
        bytes += cost;
        if (!anyHeaviest || !java.util.Objects.equals(tenant, heaviest) && held > heldBy(heaviest)) {
            heaviest = tenant;
            anyHeaviest = true;
        }
        while ((byId.size() > maxCount || bytes > maxBytes) && byId.size() > 1) {
            LinkedHashMap<String, Task> from = anyHeaviest ? byTenant.get(heaviest) : null;
            Task gone = (from != null ? from : byId).values().iterator().next();
            remove(gone);
            index.remove(gone);
            evicted.accept(gone);
        }
    }

    void onEvicted(java.util.function.Consumer<Task> listener) {
        evicted = listener;
    }

    private long heldBy(String tenant) {
        long[] held = tenantBytes.get(tenant);
        return held == null ? 0 : held[0];
    }

    /** @return whether {@code task} was held */
    boolean remove(Task task) {
        if (!byId.remove(task.id(), task)) {
            return false;
        }
        String tenant = task.spec().tenant();
        LinkedHashMap<String, Task> own = byTenant.get(tenant);
        own.remove(task.id());
        long[] held = tenantBytes.get(tenant);
        long cost = TaskTable.finishedBytes(task);
        held[0] -= cost;
        bytes -= cost;
        if (own.isEmpty()) {
            byTenant.remove(tenant);
            tenantBytes.remove(tenant);
            if (anyHeaviest && java.util.Objects.equals(tenant, heaviest)) {
                anyHeaviest = false; // the next arrival is the heaviest until another outgrows it
            }
        }
        return true;
    }

    int size() {
        return byId.size();
    }
}
