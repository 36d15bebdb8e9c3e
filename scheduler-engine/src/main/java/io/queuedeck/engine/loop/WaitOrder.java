package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;

/**
 * Waiting tasks in the order they joined the queue, for "age of the oldest waiting task" in
 * O(1) amortized. Entries are stamped with the join time and dropped lazily once their task
 * has left the queue or joined again later.
 *
 * <p>Dropping only at the head is not enough on its own: under a priority order, one task that
 * keeps waiting (the least urgent) pins the head while every task that joined after it runs,
 * finishes and would stay referenced here, long after the finished-task retention let it go.
 * So when the ring has grown to twice the live entries it held at the last compaction, it is
 * compacted in place: stale entries anywhere are dropped, live ones keep their order. A
 * compaction scans at most twice as many entries as joins happened since the previous one, so
 * the cost stays O(1) amortized, and the ring never holds more than twice the tasks that were
 * waiting at the last compaction (or {@value #MIN_COMPACT}).
 */
final class WaitOrder {
    /** Below this many entries the ring is never compacted: scanning it would cost more than it holds. */
    static final int MIN_COMPACT = 1024;

    private Task[] tasks = new Task[256];
    private long[] stamps = new long[256];
    private int head;
    private int size;
    private int compactAt = MIN_COMPACT;

    void joined(Task task) {
        if (size >= compactAt) {
            compact();
            compactAt = Math.max(MIN_COMPACT, 2 * size);
        }
        if (size == tasks.length) {
            grow();
        }
        int mask = tasks.length - 1;
        int at = (head + size) & mask;
        long stamp = task.enqueuedAt();
        // stamps come in order (the clock) but for tasks read back at start, whose waits began
        // before it: each is slid in behind the few restarted ones ahead of it
        while (at != head && stamps[(at - 1) & mask] > stamp) {
            int before = (at - 1) & mask;
            tasks[at] = tasks[before];
            stamps[at] = stamps[before];
            at = before;
        }
        tasks[at] = task;
        stamps[at] = stamp;
        size++;
        dropStale();
    }

    /**
     * What {@link #oldest} answers when nothing waits. Not -1: a task read back at start whose wait
     * began before this process's clock started has a join time below zero, as the oldest usually does.
     */
    static final long NONE = Long.MIN_VALUE;

    /** Join time of the task that has waited longest, or {@link #NONE}. */
    long oldest() {
        dropStale();
        return size == 0 ? NONE : stamps[head];
    }

    /** Entries held, live or stale: for tests. */
    int entries() {
        return size;
    }

    private static boolean live(Task task, long stamp) {
        return task.state().isWaiting() && task.enqueuedAt() == stamp;
    }

    private void dropStale() {
        while (size > 0) {
            if (live(tasks[head], stamps[head])) {
                return;
            }
            tasks[head] = null;
            head = (head + 1) & (tasks.length - 1);
            size--;
        }
    }

    /** Drops every stale entry, keeping the live ones in order at the front of the ring. */
    private void compact() {
        int mask = tasks.length - 1;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int from = (head + i) & mask;
            Task task = tasks[from];
            long stamp = stamps[from];
            tasks[from] = null;
            if (live(task, stamp)) {
                // kept <= i: the slot written is this one or one already read
                int to = (head + kept++) & mask;
                tasks[to] = task;
                stamps[to] = stamp;
            }
        }
        size = kept;
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
