package io.queuedeck.engine.api;

import io.queuedeck.engine.exec.openai.StreamListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alives for the front-door requests whose own threads are reading their backend streams
 * (decision 0084): such a thread cannot also write a keep-alive while the backend is silent (a long
 * first token, or a whole answer still gathering), so one thread does it for all of them, at the
 * front door's keep-alive interval. A keep-alive that fails means the client has gone: its stream
 * is closed and its request's thread cancels the task, as when that thread wrote the keep-alive.
 */
final class ReadingKeepAlives implements AutoCloseable {
    private final Map<ClientStream, ClientStream.Write> reading = new ConcurrentHashMap<>();
    private final long intervalNanos;
    private final Thread thread;

    ReadingKeepAlives(long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.thread = Thread.ofVirtual().name("front-door-keep-alives").start(this::run);
    }

    /** Reads {@code stream} on the calling thread (the request's), with keep-alives from this one meanwhile. */
    void read(ClientStream relay, StreamListener.Reading stream, ClientStream.Write keepAlive) {
        reading.put(relay, keepAlive);
        try {
            relay.read(stream);
        } finally {
            reading.remove(relay);
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                TimeUnit.NANOSECONDS.sleep(intervalNanos);
            } catch (InterruptedException closed) {
                return;
            }
            reading.forEach(ClientStream::keepAliveWhileReading);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
