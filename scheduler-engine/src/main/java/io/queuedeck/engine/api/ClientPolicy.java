package io.queuedeck.engine.api;

/**
 * What one bearer token may do.
 *
 * @param name                a label for logs and metrics (never the token itself)
 * @param mostUrgentPriority  the most urgent priority this client may submit or set (0 allows all)
 * @param requestsPerSecond   sustained request rate; 0 means unlimited
 * @param burst               requests it may make at once above the sustained rate
 */
public record ClientPolicy(String name, int mostUrgentPriority, double requestsPerSecond, int burst) {
    /** Everything allowed. */
    public static ClientPolicy unlimited(String name) {
        return new ClientPolicy(name, 0, 0, 0);
    }

    public ClientPolicy {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("client name must not be blank");
        }
        if (mostUrgentPriority < 0 || mostUrgentPriority > 9) {
            throw new IllegalArgumentException("most urgent priority must be between 0 and 9, got " + mostUrgentPriority);
        }
        if (requestsPerSecond < 0 || burst < 0 || requestsPerSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("a rate needs a burst of at least 1 (got rate " + requestsPerSecond
                    + ", burst " + burst + ")");
        }
    }
}
