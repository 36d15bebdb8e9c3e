package io.queuedeck.engine.config;

import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code tiers} section and {@code tenants.weights} (docs/flow-control.md): each value
 * checked with its key path, like every other section.
 */
final class FlowReader {
    private FlowReader() {}

    /** {@code tenants.weights}: tenant name to a positive weight. */
    static Map<String, Double> weights(Section tenants) {
        Map<String, Double> weights = new LinkedHashMap<>();
        Section inner = tenants.section("weights");
        if (inner == null) {
            return weights;
        }
        Map<String, String> texts = tenants.texts("weights");
        if (texts != null) {
            texts.keySet().forEach(tenant -> {
                Double weight = inner.positive(tenant);
                if (weight != null) {
                    weights.put(tenant, weight);
                }
            });
        }
        return weights;
    }

    static FlowSettings tiers(Section s, Map<String, Double> weights) {
        Map<Tier, TierLimits> tiers = new EnumMap<>(Tier.class);
        if (s != null) {
            for (Tier tier : new Tier[] {Tier.CORE, Tier.NORMAL, Tier.BATCH}) {
                Section t = s.section(tier.name().toLowerCase(Locale.ROOT));
                if (t != null) {
                    tiers.put(tier, limits(t, tier));
                }
            }
            s.retired("dead_letter", "takes no limits: parked and exhausted tasks wait there until replayed (docs/flow-control.md)");
            s.finish();
        }
        return new FlowSettings(tiers, weights);
    }

    private static TierLimits limits(Section t, Tier tier) {
        Integer concurrency = t.integer("max_concurrency", 1, 1_000_000);
        Double share = t.positive("share");
        Integer maxTasks = null;
        Long maxBytes = null;
        Section queue = t.section("max_queue");
        if (queue != null) {
            maxTasks = queue.integer("tasks", 1, Integer.MAX_VALUE);
            maxBytes = queue.whole("bytes", 1, Long.MAX_VALUE);
            queue.finish();
        }
        Duration ttl = t.duration("queue_ttl");
        TierLimits.TimeoutAction action = choice(t, "timeout_action", TierLimits.TimeoutAction.class);
        if (action == TierLimits.TimeoutAction.DEMOTE && tier == Tier.BATCH) {
            t.problem(t.at("timeout_action"), "cannot be demote in the last tier (batch): there is no tier below it");
            action = null;
        }
        if (action != null && ttl == null && t.raw("queue_ttl") == null) {
            t.problem(t.at("timeout_action"), "needs queue_ttl beside it");
        }
        Integer attempts = null;
        Duration base = null;
        Duration cap = null;
        Section retries = t.section("retries");
        if (retries != null) {
            attempts = retries.integer("max_attempts", 1, 100);
            base = retries.duration("base_delay");
            cap = retries.duration("max_delay");
            if (base != null && cap != null && cap.compareTo(base) < 0) {
                retries.problem(retries.at("max_delay"), "must not be shorter than " + retries.at("base_delay")
                        + ", got " + cap + " < " + base);
            }
            retries.finish();
        }
        TierLimits.Degrade degrade = choice(t, "degrade", TierLimits.Degrade.class);
        if (degrade == TierLimits.Degrade.SPILL && tier == Tier.BATCH) {
            t.problem(t.at("degrade"), "cannot be spill in the last tier (batch): there is no tier below it");
            degrade = null;
        }
        TierLimits.Fairness fairness = choice(t, "fairness", TierLimits.Fairness.class);
        Boolean evict = t.flag("evict_lower");
        if (Boolean.TRUE.equals(evict) && tier == Tier.BATCH) {
            t.problem(t.at("evict_lower"), "cannot be true in the last tier (batch): there is no tier below it");
            evict = null;
        }
        t.finish();
        TierLimits none = TierLimits.NONE;
        return new TierLimits(concurrency == null ? 0 : concurrency, share == null ? 0 : share,
                maxTasks == null ? 0 : maxTasks, maxBytes == null ? 0 : maxBytes, ttl == null ? Duration.ZERO : ttl,
                action == null ? none.timeoutAction() : action, attempts == null ? 0 : attempts, base, cap,
                degrade == null ? none.degrade() : degrade, fairness == null ? none.fairness() : fairness,
                Boolean.TRUE.equals(evict));
    }

    /** One of an enum's constants, written in lower case ({@code reject_lowest}). */
    private static <E extends Enum<E>> E choice(Section s, String key, Class<E> type) {
        String value = s.string(key);
        if (value == null) {
            return null;
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            if (name.equals(value)) {
                return constant;
            }
            allowed.append(allowed.isEmpty() ? "" : ", ").append(name);
        }
        s.problem(s.at(key), "must be one of " + allowed + ", got '" + value + "'");
        return null;
    }
}
