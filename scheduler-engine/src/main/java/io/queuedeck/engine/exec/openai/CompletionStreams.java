package io.queuedeck.engine.exec.openai;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who is listening to which task's stream: the front door registers a listener before it submits
 * the task and removes it when its client is answered. Thread-safe.
 */
public final class CompletionStreams {
    private final ConcurrentMap<String, StreamListener> listeners = new ConcurrentHashMap<>();

    /** Relays task {@code taskId}'s streams to {@code listener}. */
    public void listen(String taskId, StreamListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        if (listeners.putIfAbsent(Objects.requireNonNull(taskId, "task id must not be null"), listener) != null) {
            throw new IllegalStateException("task " + taskId + " already has a stream listener");
        }
    }

    public void forget(String taskId) {
        listeners.remove(taskId);
    }

    StreamListener listenerOf(String taskId) {
        return listeners.get(taskId);
    }

    /** Listeners registered now (for tests and metrics). */
    public int size() {
        return listeners.size();
    }
}
