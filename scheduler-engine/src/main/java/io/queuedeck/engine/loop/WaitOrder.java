package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;

/**
 * Waiting tasks in the order they joined the queue, for "age of the oldest waiting task" in
 * O(1) amortized. Entries are stamped with the join time and dropped lazily once their task
 * has left the queue or joined again later.
 */
final class WaitOrder {
    private Task[] tasks = new Task[256];
    private long[] stamps = new long[256];
    private int head;
    private int size;

    void joined(Task task) {
        if (size == tasks.length) {
            grow();
        }
        int tail = (head + size) & (tasks.length - 1);
        tasks[tail] = task;
        stamps[tail] = task.enqueuedAt();
        size++;
        dropStale();
    }

    /** Join time of the task that has waited longest, or -1 when none waits. */
    long oldest() {
        dropStale();
        return size == 0 ? -1 : stamps[head];
    }

    private void dropStale() {
        while (size > 0) {
            Task task = tasks[head];
            if (task.state().isWaiting() && task.enqueuedAt() == stamps[head]) {
                return;
            }
            tasks[head] = null;
            head = (head + 1) & (tasks.length - 1);
            size--;
        }
    }

    private void grow() {
        Task[] newTasks = new Task[tasks.length * 2];
        long[] newStamps = new long[tasks.length * 2];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (tasks.length - 1);
            newTasks[i] = tasks[from];
            newStamps[i] = stamps[from];
        }
        tasks = newTasks;
        stamps = newStamps;
        head = 0;
    }
}
