package io.queuedeck.engine.api;

/**
 * A sustained request rate with room for bursts (a token bucket): {@code burst} requests at
 * once, refilled at {@code requestsPerSecond}.
 *
 * @param requestsPerSecond sustained rate, above 0
 * @param burst             requests allowed at once, at least 1
 */
public record RateLimit(double requestsPerSecond, int burst) {
    public RateLimit {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requests per second must be above 0, got " + requestsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
    }
}
