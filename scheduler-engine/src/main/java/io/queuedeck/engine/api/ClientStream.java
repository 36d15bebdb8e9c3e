package io.queuedeck.engine.api;

import io.queuedeck.engine.exec.openai.StreamListener;
import io.queuedeck.engine.task.Generation;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One front-door request's view of its task's stream: the backend's threads put events in, the
 * request's own thread takes them out and writes them to the client, so a slow client never
 * holds up a backend stream (nor the scheduler loop).
 */
final class ClientStream implements StreamListener {

    /** What the request thread learns. */
    sealed interface Event {
        record Chunk(String data) implements Event {}

        record Finished(String text, Generation generation) implements Event {}

        record Failed(String reason, boolean retryable, int backendStatus) implements Event {}
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

    @Override
    public void chunk(String data) {
        events.add(new Event.Chunk(data));
    }

    @Override
    public void finished(String text, Generation generation) {
        events.add(new Event.Finished(text, generation));
    }

    @Override
    public void attemptFailed(String reason, boolean retryable, int backendStatus) {
        events.add(new Event.Failed(reason, retryable, backendStatus));
    }

    /** The next event, or null after {@code nanos} without one. */
    Event next(long nanos) throws InterruptedException {
        return events.poll(nanos, TimeUnit.NANOSECONDS);
    }
}
