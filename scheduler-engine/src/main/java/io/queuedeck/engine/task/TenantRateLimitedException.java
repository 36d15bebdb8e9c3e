package io.queuedeck.engine.task;

/**
 * A submission refused because its tenant is over its submission rate (in distributed mode: the
 * rate across every node, counted in Redis). Nothing was queued.
 */
public final class TenantRateLimitedException extends RuntimeException {
    private final String tenant;
    private final long retryAfterSeconds;

    public TenantRateLimitedException(String tenant, long retryAfterSeconds, String message) {
        super(message);
        this.tenant = tenant;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String tenant() {
        return tenant;
    }

    /** Whole seconds until a submission of the tenant would be allowed (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
