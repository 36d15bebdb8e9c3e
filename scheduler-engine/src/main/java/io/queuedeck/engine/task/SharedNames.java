package io.queuedeck.engine.task;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance per distinct model and tenant name, so a million queued tasks of a few models and
 * tenants hold a few strings, not two million (each a String and its bytes, about 100 bytes a task
 * that the garbage collector copies while the task waits). Bounded: beyond its capacity, a new name
 * is kept as given, so a client inventing names cannot grow the table.
 */
final class SharedNames {
    /** The table every validated task's names go through. */
    static final SharedNames TASKS = new SharedNames(4_096);

    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();
    private final int capacity;

    SharedNames(int capacity) {
        this.capacity = capacity;
    }

    /** The shared instance equal to {@code name}; {@code name} itself when it is new and the table is full, or null. */
    String of(String name) {
        if (name == null) {
            return null;
        }
        String shared = names.get(name);
        if (shared != null) {
            return shared;
        }
        if (names.size() >= capacity) {
            return name;
        }
        shared = names.putIfAbsent(name, name);
        return shared == null ? name : shared;
    }
}
