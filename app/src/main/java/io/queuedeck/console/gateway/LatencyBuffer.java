package io.queuedeck.console.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples offered by the engine's loop thread and drained by the FX thread. Bounded: when the
 * UI stops draining (a minimized window), the oldest samples are dropped, never the loop blocked.
 */
final class LatencyBuffer {
    private final ConcurrentLinkedQueue<LatencySample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    LatencyBuffer(int capacity) {
        this.capacity = capacity;
    }

    void offer(LatencySample sample) {
        samples.offer(sample);
        if (size.incrementAndGet() > capacity && samples.poll() != null) {
            size.decrementAndGet();
        }
    }

    List<LatencySample> drain() {
        List<LatencySample> out = new ArrayList<>();
        LatencySample sample;
        while ((sample = samples.poll()) != null) {
            size.decrementAndGet();
            out.add(sample);
        }
        return out;
    }
}
