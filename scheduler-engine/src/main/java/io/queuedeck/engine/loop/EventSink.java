package io.queuedeck.engine.loop;

import io.queuedeck.engine.snapshot.EngineEvent;

/** Where the loop sends events. {@link #active()} lets it skip building events nobody reads. */
public interface EventSink {
    boolean active();

    void publish(EngineEvent event);

    /** Events lost by subscribers that fell behind. */
    default long dropped() {
        return 0;
    }

    EventSink NONE = new EventSink() {
        @Override
        public boolean active() {
            return false;
        }

        @Override
        public void publish(EngineEvent event) {}
    };
}
