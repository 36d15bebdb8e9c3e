package io.queuedeck.engine.tier;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Flow control: each tier's limits and the tenants' weights for fairness inside a tier (the
 * {@code tiers} and {@code tenants.weights} config keys; docs/flow-control.md).
 *
 * @param tiers   limits of the table's tiers; a tier left out has none
 * @param weights tenants' weights (1 for a tenant not listed); a task without a tenant counts as tenant ""
 * @param table   the tiers and their priority bands ({@link Tiers#DEFAULT} unless the config defines them)
 */
public record FlowSettings(Map<Tier, TierLimits> tiers, Map<String, Double> weights, Tiers table) {

    /** No tier limits, every tenant weighs 1: today's behaviour. */
    public static final FlowSettings NONE = new FlowSettings(Map.of(), Map.of());

    /** Limits and weights over the default tiers. */
    public FlowSettings(Map<Tier, TierLimits> tiers, Map<String, Double> weights) {
        this(tiers, weights, Tiers.DEFAULT);
    }

    public FlowSettings {
        if (tiers.containsKey(Tier.DEAD_LETTER)) {
            throw new IllegalArgumentException("the dead-letter tier takes no limits");
        }
        Map<Tier, TierLimits> copy = new LinkedHashMap<>();
        for (Tier tier : table.list()) {
            if (tiers.containsKey(tier)) {
                copy.put(tier, tiers.get(tier));
            }
        }
        if (copy.size() != tiers.size()) {
            throw new IllegalArgumentException("limits for tiers outside the table (" + table.names() + "): " + tiers.keySet());
        }
        tiers = java.util.Collections.unmodifiableMap(copy);
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (!(e.getValue() > 0) || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("tenant weight of '" + e.getKey() + "' must be positive, got " + e.getValue());
            }
        }
        weights = Map.copyOf(weights);
    }

    /** The limits of {@code tier}: {@link TierLimits#NONE} when none were set. */
    public TierLimits of(Tier tier) {
        return tiers.getOrDefault(tier, TierLimits.NONE);
    }

    /** A tenant's weight. */
    public double weight(String tenant) {
        return weights.getOrDefault(tenant == null ? "" : tenant, 1.0);
    }

    /** Whether any tier needs tasks queued by tier ({@link TierLimits#needsOwnQueue()}). */
    public boolean tiered() {
        return tiers.values().stream().anyMatch(TierLimits::needsOwnQueue);
    }
}
