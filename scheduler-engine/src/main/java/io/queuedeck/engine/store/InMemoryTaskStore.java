package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.TierMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link TaskStore} in the heap: survives an engine, not the process. */
final class InMemoryTaskStore implements TaskStore {
    private final Map<String, StoredTask> tasks = new HashMap<>();
    private final Map<String, TierMode> tierModes = new HashMap<>();
    private final Map<Integer, TierMode> laneModes = new HashMap<>();
    private final Map<Integer, StoreContents.InstanceHold> instanceHolds = new HashMap<>();
    private boolean dispatchPaused;
    private boolean closed;

    @Override
    public synchronized StoreContents load(Instant now) {
        checkOpen();
        tasks.values().removeIf(task -> task.expired(now));
        return new StoreContents(new ArrayList<>(tasks.values()), tierModes, laneModes, dispatchPaused, instanceHolds, List.of());
    }

    @Override
    public synchronized void write(List<StoreWrite> batch) {
        checkOpen();
        for (StoreWrite write : batch) {
            switch (write) {
                case StoreWrite.PutTask w -> tasks.put(w.task().id(), w.task());
                case StoreWrite.RemoveTask w -> tasks.remove(w.id());
                case StoreWrite.HandedOn w -> tasks.computeIfPresent(w.id(), (id, task) -> task.withHandedOn());
                case StoreWrite.SetTierMode w -> tierModes.put(w.tier(), w.mode());
                case StoreWrite.SetLaneMode w -> laneModes.put(w.priority(), w.mode());
                case StoreWrite.SetDispatchPaused w -> dispatchPaused = w.paused();
                case StoreWrite.SetInstanceHold w -> {
                    if (w.hold().inService()) {
                        instanceHolds.remove(w.instance());
                    } else {
                        instanceHolds.put(w.instance(), w.hold());
                    }
                }
            }
        }
    }

    @Override
    public boolean findsFinished() {
        return true;
    }

    @Override
    public synchronized StoredTask findFinished(String id, Instant now) {
        checkOpen();
        StoredTask task = tasks.get(id);
        return task == null || task.expiresAt() == null || task.expired(now) ? null : task;
    }

    @Override
    public synchronized int forgetExpired(Instant now) {
        checkOpen();
        int before = tasks.size();
        tasks.values().removeIf(task -> task.expired(now));
        return before - tasks.size();
    }

    @Override
    public synchronized int taskCount() {
        return tasks.size();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the task store is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
