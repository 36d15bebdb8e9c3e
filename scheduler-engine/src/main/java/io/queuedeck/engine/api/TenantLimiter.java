package io.queuedeck.engine.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant submission rates: a token bucket per tenant, at the tenant's own {@link RateLimit}
 * or the default one. Tenants with neither are not limited. Buckets of tenants that went quiet
 * (full again) are dropped when there are many, so arbitrary tenant names cannot grow the map
 * without bound.
 */
final class TenantLimiter {
    /** Buckets kept before full ones are swept. */
    static final int SWEEP_AT = 10_000;

    private final Map<String, RateLimit> rates;
    private final RateLimit fallback;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    TenantLimiter(Map<String, RateLimit> rates, RateLimit fallback, LongSupplier nanos) {
        this.rates = Map.copyOf(rates);
        this.fallback = fallback;
        this.nanos = nanos;
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
        if (buckets.size() >= SWEEP_AT) {
            buckets.values().removeIf(TokenBucket::full);
        }
        return buckets.computeIfAbsent(tenant, t -> new TokenBucket(rate.requestsPerSecond(), rate.burst(), nanos))
                .acquire(n);
    }
}
