package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskNotFoundException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every task the loop knows by id: the active ones (waiting, running, waiting to retry) and the
 * most recent finished ones, up to a retention count (oldest forgotten first). Loop thread only.
 */
final class TaskTable {
    private final Map<String, Task> active = new HashMap<>();
    private final LinkedHashMap<String, Task> finished;

    TaskTable(int finishedRetention) {
        this.finished = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
                return size() > finishedRetention;
            }
        };
    }

    /** The task with this id, if it is active or finished recently; null otherwise. */
    Task lookup(String id) {
        Task task = active.get(id);
        return task != null ? task : finished.get(id);
    }

    Task require(String id) {
        Task task = lookup(id);
        if (task == null) {
            throw new TaskNotFoundException(id);
        }
        return task;
    }

    void activate(Task task) {
        finished.remove(task.id());
        active.put(task.id(), task);
    }

    void retire(Task task) {
        active.remove(task.id());
        finished.put(task.id(), task);
    }

    int activeCount() {
        return active.size();
    }

    Collection<Task> active() {
        return active.values();
    }

    Collection<Task> finished() {
        return finished.values();
    }
}
