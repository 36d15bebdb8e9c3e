package io.queuedeck.engine.task;

import java.util.Map;

/**
 * How much of the byte budget ({@code max_queued_bytes}) one tenant may hold with its active
 * tasks' bodies and the results of its callbacks in flight, as a fraction of the budget: its own
 * share if it has one, else {@code fallback}. Tasks without a tenant count as one shared tenant.
 * A share of 1 sets no cap below the budget itself (the default, {@link #NONE}).
 *
 * @param fallback every tenant's share unless it has its own, above 0 and at most 1
 * @param own      tenants' own shares, each above 0 and at most 1
 */
public record TenantByteShares(double fallback, Map<String, Double> own) {
    /** No tenant capped below the budget. */
    public static final TenantByteShares NONE = new TenantByteShares(1, Map.of());

    public TenantByteShares {
        check(fallback, "the tenants' byte share");
        own.forEach((tenant, share) -> check(share, "the byte share of tenant '" + tenant + "'"));
        own = Map.copyOf(own);
    }

    /** The share of {@code tenant} (null: tasks without a tenant). */
    public double of(String tenant) {
        Double share = tenant == null ? null : own.get(tenant);
        return share == null ? fallback : share;
    }

    /** Whether any tenant is capped below the whole budget: if not, nothing need be counted per tenant. */
    public boolean capsAny() {
        return fallback < 1 || own.values().stream().anyMatch(share -> share < 1);
    }

    private static void check(Double share, String what) {
        if (share == null || !(share > 0 && share <= 1)) {
            throw new IllegalArgumentException(what + " must be above 0 and at most 1, got " + share);
        }
    }
}
