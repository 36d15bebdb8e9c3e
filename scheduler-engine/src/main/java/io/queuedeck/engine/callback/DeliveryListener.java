package io.queuedeck.engine.callback;

/** Hears how result callbacks go, for metrics; called on OkHttp's threads, so it must be quick. */
public interface DeliveryListener {
    /** A callback was accepted by its receiver after {@code attempts} tries, {@code latencyNanos} after the task finished. */
    void delivered(int attempts, long latencyNanos);

    /** One attempt failed ({@code reason}: "network", "status_5xx", "status_429") and will be retried. */
    void retried(String reason);

    /**
     * The callback gave up and went to the dead-letter list ({@code reason}: as for retries, or
     * "refused" for a destination not allowed).
     */
    void deadLettered(String reason);

    /** Hears nothing. */
    DeliveryListener NONE = new DeliveryListener() {
        @Override
        public void delivered(int attempts, long latencyNanos) {}

        @Override
        public void retried(String reason) {}

        @Override
        public void deadLettered(String reason) {}
    };
}
