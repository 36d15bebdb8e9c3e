package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every task the loop knows by id: the active ones (waiting, running, waiting to retry) and the
 * most recent finished ones, up to a retention count (oldest forgotten first), and an index of
 * them in submission order for listings. Loop thread only.
 */
final class TaskTable {
    private final Map<String, Task> active = new HashMap<>();
    private final LinkedHashMap<String, Task> finished;
    private final TaskIndex index = new TaskIndex();

    TaskTable(int finishedRetention) {
        this.finished = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
                if (size() > finishedRetention) {
                    index.remove(eldest.getValue());
                    return true;
                }
                return false;
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
        index.add(task);
    }

    /** Keeps the index in step: called after every state change of a known task. */
    void moved(Task task, TaskState from) {
        index.moved(task, from);
    }

    /** The first known task after sequence {@code after} that passes the query's filters, or null. */
    Task next(TaskQuery query, long after) {
        return index.next(query, after);
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
}
