package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.task.Generation;

/**
 * Hears one task's stream from its backend as it arrives: what the front door relays to a
 * waiting client. Called on the HTTP client's threads, in order, never on the scheduler loop; an
 * implementation must not block (hand the data to the client's own thread).
 */
public interface StreamListener {

    /** One server-sent event's data, exactly as the backend sent it (a JSON chunk; never {@code [DONE]}). */
    void chunk(String data);

    /** The stream ended well; {@code text} is the whole generated text. */
    void finished(String text, Generation generation);

    /**
     * The attempt failed. With {@code retryable}, the engine may run the task again (and this
     * listener hears the new attempt); otherwise the task is failing for good.
     *
     * @param backendStatus the backend's HTTP status when it refused the request (a 4xx; 502 for an
     *                      answer it sent out of bounds), 503 when whole answers being gathered hold
     *                      all the server lets them, else 0
     */
    void attemptFailed(String reason, boolean retryable, int backendStatus);

    /**
     * Whether the chunks heard reach the client as they come (a streaming client), so that a second
     * run would repeat what it already holds; false for a listener that gathers the answer whole and
     * starts over when {@link #attemptFailed} says the task runs again.
     */
    default boolean passesChunksOn() {
        return true;
    }
}
