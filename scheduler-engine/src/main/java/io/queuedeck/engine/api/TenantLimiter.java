package io.queuedeck.engine.api;

import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant submission rates: a token bucket per tenant, at the tenant's own {@link RateLimit}
 * or the default one. Tenants with neither are not limited. When the buckets grow past a mark,
 * those of tenants that went quiet (full again) are dropped and the mark moves to twice what is
 * left, so a sweep costs O(1) per request amortized; when half of {@value #MAX_BUCKETS} are still
 * busy, all are dropped (every tenant gets a fresh burst), so arbitrary tenant names cannot grow
 * the map past {@value #MAX_BUCKETS}.
 */
final class TenantLimiter {
    /** Buckets kept before full ones are swept. */
    static final int SWEEP_AT = 10_000;
    /** Buckets kept at the most. */
    static final int MAX_BUCKETS = 100_000;

    private final Map<String, RateLimit> rates;
    private final RateLimit fallback;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile int sweepAt = SWEEP_AT;

    TenantLimiter(Map<String, RateLimit> rates, RateLimit fallback, LongSupplier nanos) {
        this.rates = Map.copyOf(rates);
        this.fallback = fallback;
        this.nanos = nanos;
    }

    /**
     * Takes {@code n} submissions from the tenant's rate, or refuses: 400 on {@code field} when
     * {@code n} passes the burst (a batch that can never fit), else 429 with the exact
     * {@code Retry-After}. Nothing when the tenant has no rate.
     */
    void take(Context ctx, String tenant, int n, String field) {
        RateLimit rate = rateOf(tenant);
        if (rate == null) {
            return;
        }
        if (n > rate.burst()) {
            throw new ApiException(400, "invalid_field", "the batch holds " + n + " tasks of tenant '" + tenant
                    + "', more than its burst of " + rate.burst() + "; split it", field, List.of());
        }
        long waitSeconds = acquire(tenant, n);
        if (waitSeconds > 0) {
            ctx.header("Retry-After", Long.toString(waitSeconds));
            throw new ApiException(429, "tenant_rate_limited", "tenant '" + tenant + "' is over its rate of "
                    + java.math.BigDecimal.valueOf(rate.requestsPerSecond()).stripTrailingZeros().toPlainString()
                    + " submissions/s (burst " + rate.burst() + "); retry in " + waitSeconds + " s", field, List.of());
        }
    }

    /** Limits nobody. */
    static TenantLimiter none() {
        return new TenantLimiter(Map.of(), null, () -> 0);
    }

    boolean limitsAnyone() {
        return fallback != null || !rates.isEmpty();
    }

    /** The tenant's rate, or null when it is not limited. */
    RateLimit rateOf(String tenant) {
        return rates.getOrDefault(tenant, fallback);
    }

    /**
     * Takes {@code n} submissions from the tenant's bucket: 0 when allowed (or the tenant is not
     * limited), else the seconds until they would be. {@code n} must not exceed the burst.
     */
    long acquire(String tenant, int n) {
        RateLimit rate = rateOf(tenant);
        if (rate == null) {
            return 0;
        }
        if (buckets.size() >= sweepAt) {
            sweep();
        }
        return buckets.computeIfAbsent(tenant, t -> new TokenBucket(rate.requestsPerSecond(), rate.burst(), nanos))
                .acquire(n);
    }

    /** Seconds until the key's bucket holds one submission again, without taking it; 0 when it does (or none is kept). */
    long waitOf(String tenant) {
        TokenBucket bucket = buckets.get(tenant);
        return bucket == null ? 0 : bucket.waitFor(1);
    }

    /** Buckets held now: for tests. */
    int buckets() {
        return buckets.size();
    }

    /** Gives back submissions taken for a batch that was refused after all. */
    void refund(String tenant, int n) {
        TokenBucket bucket = buckets.get(tenant);
        if (bucket != null) {
            bucket.refund(n);
        }
    }

    private synchronized void sweep() {
        if (buckets.size() < sweepAt) {
            return; // another request swept meanwhile
        }
        buckets.values().removeIf(TokenBucket::full);
        if (buckets.size() >= MAX_BUCKETS / 2) {
            buckets.clear(); // too many busy tenants: each starts over with a full burst
        }
        sweepAt = Math.max(SWEEP_AT, 2 * buckets.size()); // at most MAX_BUCKETS
    }
}
