package io.queuedeck.engine.api;

import io.queuedeck.engine.exec.openai.StreamListener;
import io.queuedeck.engine.task.Generation;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One front-door request's end of its task's stream. Chunks are written to the client by the
 * thread that reads them from the backend, as soon as the request has attached its writer (those
 * that come earlier wait in a buffer): one handoff less per chunk. A slow client therefore slows
 * the reading of its own backend stream, as any proxy does, and nothing else: each stream has its
 * own thread. A successful end is written (and the response closed) by that thread too; the
 * outcome, and a client found gone, also go to the request's thread through a queue; that thread
 * writes keep-alives and failures. Every write holds one lock, so they never interleave. Every
 * chunk gets the answer's one identity ({@link StreamIdentity}).
 */
final class ClientStream implements StreamListener {

    /** Where the chunks and the end of a successful stream go. */
    interface Sink {
        /** Writes one chunk to the client; answers whether it wrote anything. */
        boolean chunk(String data) throws IOException;

        /** Forgets what the chunks so far gathered (a whole answer): the task runs again from the start. */
        default void restart() {}

        /** Writes the end of the answer and completes the response. */
        void finished(Event.Finished f) throws IOException;
    }

    /** A write to the client, done under the stream's lock. */
    interface Write {
        void run() throws IOException;
    }

    /** What the request thread learns. */
    sealed interface Event {
        record Finished(String text, Generation generation) implements Event {}

        record Failed(String reason, boolean retryable, int backendStatus) implements Event {}

        /** A write failed: the client has gone. */
        record ClientGone() implements Event {}

        /** The server is closing: the request ends now, answered or not. */
        record Stopped() implements Event {}
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<String> early = new ArrayDeque<>(); // guarded by lock
    private final StreamIdentity identity = new StreamIdentity(); // guarded by lock
    private Sink sink; // guarded by lock
    private boolean wroteSinceKeepAlive; // guarded by lock
    private boolean gone; // guarded by lock
    private boolean answered; // guarded by lock: the response is complete
    private volatile boolean relayed;
    /** Whether the client is sent each chunk as it comes ({@code stream: true}), or the answer whole. */
    private final boolean streamed;

    /** @param streamed whether the client is sent each chunk as it comes, rather than the answer whole */
    ClientStream(boolean streamed) {
        this.streamed = streamed;
    }

    @Override
    public boolean passesChunksOn() {
        return streamed;
    }

    @Override
    public void chunk(String raw) {
        relayed = true;
        lock.lock();
        try {
            if (gone) {
                return;
            }
            String data = identity.apply(raw);
            if (sink == null) {
                early.add(data);
                return;
            }
            try {
                wroteSinceKeepAlive |= sink.chunk(data);
            } catch (IOException | RuntimeException e) { // a closed response may throw either
                gone = true;
                events.add(new Event.ClientGone());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The end is written here, on the backend's thread, when the request is attached: the client
     * gets its last bytes and the end of the response without waiting for the request's thread to
     * wake (under load that wait was most of the front door's added time per request).
     */
    @Override
    public void finished(String text, Generation generation) {
        Event.Finished end = new Event.Finished(text, generation);
        lock.lock();
        try {
            if (!gone && sink != null) {
                try {
                    sink.finished(end);
                    answered = true;
                } catch (IOException | RuntimeException e) {
                    gone = true;
                    events.add(new Event.ClientGone());
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
        events.add(end);
    }

    @Override
    public void attemptFailed(String reason, boolean retryable, int backendStatus) {
        if (retryable && !streamed) {
            // here, in order with the chunks and before the next attempt's: a whole answer gathers anew
            lock.lock();
            try {
                early.clear();
                if (sink != null) {
                    sink.restart();
                }
            } finally {
                lock.unlock();
            }
        }
        events.add(new Event.Failed(reason, retryable, backendStatus));
    }

    /** Tells the request's thread that the server is closing. */
    void stopped() {
        events.add(new Event.Stopped());
    }

    /** From now on chunks go to {@code writer}; those that came before go first. */
    void attach(Sink writer) throws IOException {
        lock.lock();
        try {
            sink = writer;
            while (!early.isEmpty()) {
                wroteSinceKeepAlive |= writer.chunk(early.poll());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a chunk was written since the last keep-alive or the last call; clears it. A stream
     * that flows needs neither a keep-alive nor a question to the loop about its task.
     */
    boolean flowedSinceLastLook() {
        lock.lock();
        try {
            boolean flowed = wroteSinceKeepAlive;
            wroteSinceKeepAlive = false;
            return flowed;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code keepAlive} unless something was written since the last call. */
    void keepAlive(Write keepAlive) throws IOException {
        lock.lock();
        try {
            if (answered) {
                return;
            }
            if (gone) {
                throw new IOException("the client has gone");
            }
            if (!wroteSinceKeepAlive) {
                keepAlive.run();
            }
            wroteSinceKeepAlive = false;
        } finally {
            lock.unlock();
        }
    }

    /** Runs a final write under the lock, so it follows every chunk written before it; none once answered. */
    void last(Write write) throws IOException {
        lock.lock();
        try {
            if (answered) {
                return;
            }
            if (gone) {
                throw new IOException("the client has gone");
            }
            write.run();
        } finally {
            lock.unlock();
        }
    }

    /** The request is answered: nothing more is written, whatever still arrives. */
    void close() {
        lock.lock();
        try {
            gone = true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether any chunk came from a backend. */
    boolean relayed() {
        return relayed;
    }

    /** Whether an event waits to be taken. */
    boolean eventWaiting() {
        return !events.isEmpty();
    }

    /** The next event, or null after {@code nanos} without one. */
    Event next(long nanos) throws InterruptedException {
        return events.poll(nanos, TimeUnit.NANOSECONDS);
    }
}
