package io.queuedeck.engine.outbox;

import io.queuedeck.engine.task.TaskView;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The final view of every task that reaches a final state (succeeded, cancelled, dead-lettered),
 * handed from the scheduler loop to one consumer thread (result callbacks, latency histograms).
 *
 * <p><b>Never drops.</b> Bounded by backpressure, not by loss: while it holds
 * {@link #capacity()} views or more, the loop starts no new task, so no new completions arrive
 * but those of tasks already running and those an operator causes (a cancel). When the consumer
 * has drained it to half its capacity, the loop is told to dispatch again. The loop itself never
 * waits: adding is a lock-free offer.
 *
 * <p>Closed until {@link #open()}: a loop whose final views nobody reads (the simulator) keeps
 * none.
 */
public final class CompletionOutbox {
    /** Views held before the loop stops dispatching, when the engine is not told otherwise. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private final ConcurrentLinkedQueue<TaskView> views = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean loopHeldBack = new AtomicBoolean();
    private final int capacity;
    private volatile boolean open;
    private volatile Runnable onRoom = () -> {};
    private volatile int highest;

    public CompletionOutbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("outbox capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Starts keeping final views; before this, {@link #add} keeps nothing. */
    public CompletionOutbox open() {
        open = true;
        return this;
    }

    public boolean isOpen() {
        return open;
    }

    public int capacity() {
        return capacity;
    }

    // ---------------------------------------------------------------- the loop's side

    /** Keeps {@code view} for the consumer. Loop thread; never blocks, never drops. */
    public void add(TaskView view) {
        if (!open) {
            return;
        }
        views.offer(view);
        int now = size.incrementAndGet();
        if (now > highest) {
            highest = now;
        }
    }

    /**
     * Whether the loop should start no new task now. A true answer is remembered: once the
     * consumer has made room, {@code onRoom} (given by the loop) runs once, on the consumer's thread.
     */
    public boolean full() {
        if (!open || size.get() < capacity) {
            return false;
        }
        loopHeldBack.set(true);
        // the consumer may have made room between the two reads, before it could see the flag
        return size.get() >= capacity || !loopHeldBack.compareAndSet(true, false);
    }

    /** What to run when a held-back loop may dispatch again: it must only hand work to the loop's thread. */
    public void onRoom(Runnable action) {
        onRoom = action;
    }

    /** The most views held at once. */
    public int highest() {
        return highest;
    }

    // ---------------------------------------------------------------- the consumer's side

    /** Hands up to {@code max} views to {@code sink}, oldest first; returns how many. One consumer thread. */
    public int drain(int max, Consumer<? super TaskView> sink) {
        int count = 0;
        TaskView view;
        while (count < max && (view = views.poll()) != null) {
            int left = size.decrementAndGet();
            sink.accept(view);
            count++;
            if (left <= capacity / 2 && loopHeldBack.compareAndSet(true, false)) {
                onRoom.run();
            }
        }
        return count;
    }

    /** Views waiting for the consumer. */
    public int size() {
        return size.get();
    }
}
