package io.queuedeck.engine;

import io.queuedeck.engine.snapshot.EngineEvent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A bounded mailbox of engine events. The loop offers without ever waiting: when the subscriber
 * falls behind and the mailbox is full, new events are dropped and counted, so a slow
 * subscriber costs the loop nothing. The subscriber drains at its own pace, on its own thread.
 */
public final class EventSubscription implements AutoCloseable {
    private final ArrayBlockingQueue<EngineEvent> mailbox;
    private final AtomicLong dropped = new AtomicLong();
    private final Runnable onClose;

    EventSubscription(int capacity, Runnable onClose) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        mailbox = new ArrayBlockingQueue<>(capacity);
        this.onClose = onClose;
    }

    void offer(EngineEvent event) {
        if (!mailbox.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Hands up to {@code max} waiting events to {@code sink}; returns how many. Never blocks. */
    public int drain(int max, Consumer<? super EngineEvent> sink) {
        int count = 0;
        EngineEvent event;
        while (count < max && (event = mailbox.poll()) != null) {
            sink.accept(event);
            count++;
        }
        return count;
    }

    /** Events lost because the mailbox was full. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        onClose.run();
    }
}
