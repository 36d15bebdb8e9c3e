package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exclusive resources that tasks must hold while they run or wait preempted (metadata key
 * {@value #METADATA_KEY}): one holder each, from first dispatch until the task ends or fails.
 * Tasks blocked on a held resource leave their policy's queue and wait here. Loop thread only.
 */
final class ExclusiveResources {
    static final String METADATA_KEY = "exclusive_resource";

    private final InversionProtocol protocol;
    private final int ceiling;
    private final Map<String, Task> holders = new HashMap<>();
    private final Map<String, List<Task>> waiters = new HashMap<>();
    private final Map<Task, Integer> basePriority = new IdentityHashMap<>();
    private int blocked;

    ExclusiveResources(InversionProtocol protocol, int ceiling) {
        this.protocol = protocol;
        this.ceiling = ceiling;
    }

    static String resourceOf(Task task) {
        Map<String, String> metadata = task.spec().metadata();
        return metadata == null ? null : metadata.get(METADATA_KEY);
    }

    /** The task holding what {@code task} needs, if someone else holds it; null when it may run. */
    Task holderBlocking(Task task) {
        String resource = resourceOf(task);
        if (resource == null) {
            return null;
        }
        Task holder = holders.get(resource);
        return holder == null || holder == task ? null : holder;
    }

    /** Parks {@code waiter} until its resource is released. */
    void block(Task waiter) {
        waiters.computeIfAbsent(resourceOf(waiter), r -> new ArrayList<>()).add(waiter);
        blocked++;
    }

    /** The priority the holder should run at because of {@code waiter}, or -1 for no change. */
    int inheritedPriority(Task holder, Task waiter) {
        if (protocol != InversionProtocol.INHERITANCE || waiter.priority() >= holder.priority()) {
            return -1;
        }
        basePriority.putIfAbsent(holder, holder.priority());
        return waiter.priority();
    }

    /** Takes {@code task}'s resource (if any); returns the priority it must run at, or -1 for no change. */
    int acquire(Task task) {
        String resource = resourceOf(task);
        if (resource == null || holders.get(resource) == task) {
            return -1;
        }
        holders.put(resource, task);
        if (protocol == InversionProtocol.CEILING && ceiling < task.priority()) {
            basePriority.putIfAbsent(task, task.priority());
            return ceiling;
        }
        return -1;
    }

    /**
     * Releases what {@code task} holds. Returns the tasks that waited for it (to queue again),
     * and restores the holder's own priority.
     */
    List<Task> release(Task task) {
        Integer base = basePriority.remove(task);
        if (base != null) {
            task.setPriority(base);
        }
        String resource = resourceOf(task);
        if (resource == null || holders.get(resource) != task) {
            return List.of();
        }
        holders.remove(resource);
        List<Task> freed = waiters.remove(resource);
        if (freed == null) {
            return List.of();
        }
        blocked -= freed.size();
        return freed;
    }

    /** Forgets a blocked task (cancelled or moved); false when it was not blocked. */
    boolean unblock(Task task) {
        List<Task> list = waiters.get(resourceOf(task));
        if (list == null || !list.remove(task)) {
            return false;
        }
        blocked--;
        if (list.isEmpty()) {
            waiters.remove(resourceOf(task));
        }
        return true;
    }

    /** The task's own priority: the one it has unless it runs at a borrowed (inherited or ceiling) one. */
    int ownPriority(Task task) {
        return basePriority.getOrDefault(task, task.priority());
    }

    /** Every blocked task, in no particular order. */
    List<Task> blockedTasks() {
        List<Task> all = new java.util.ArrayList<>(blocked);
        waiters.values().forEach(all::addAll);
        return all;
    }

    int blockedCount() {
        return blocked;
    }
}
