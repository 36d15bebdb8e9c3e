package io.queuedeck.engine.clock;

import java.util.PriorityQueue;

/** The timers of one clock, in deadline order. Loop-thread only. */
final class TimerQueue {
    private final PriorityQueue<Timer> heap = new PriorityQueue<>();
    private long sequence;
    private long fired;

    Timer add(long deadline, Runnable action) {
        Timer timer = new Timer(deadline, sequence++, action);
        heap.add(timer);
        return timer;
    }

    /** Deadline of the next live timer, or {@link Long#MAX_VALUE} when there is none. */
    long nextDeadline() {
        dropCancelled();
        Timer head = heap.peek();
        return head == null ? Long.MAX_VALUE : head.deadline;
    }

    /** Removes and returns the next live timer due at or before {@code now}, or null. */
    Timer pollDue(long now) {
        dropCancelled();
        Timer head = heap.peek();
        if (head == null || head.deadline > now) {
            return null;
        }
        fired++;
        return heap.poll();
    }

    boolean isEmpty() {
        dropCancelled();
        return heap.isEmpty();
    }

    long firedCount() {
        return fired;
    }

    private void dropCancelled() {
        while (!heap.isEmpty() && heap.peek().isCancelled()) {
            heap.poll();
        }
    }
}
