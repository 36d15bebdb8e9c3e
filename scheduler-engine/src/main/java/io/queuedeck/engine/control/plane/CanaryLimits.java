package io.queuedeck.engine.control.plane;

import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which of a candidate's tier settings a canary may hold its tasks to (decision 0081): those that
 * decide a task's own fate ({@code max_queue}, {@code queue_ttl}, {@code timeout_action},
 * {@code degrade}, {@code retry}) may differ; those that divide the slots between tiers and tenants
 * ({@code max_concurrency}, {@code share}, {@code fairness}, {@code evict_lower},
 * {@code tenants.weights}) and the table itself are one capacity, shared by both releases.
 */
final class CanaryLimits {
    private static final String WHY = ": a tier's slots are one capacity shared by both releases' tasks; change it with"
            + " PUT /v1/config, for all traffic (decision 0081)";

    private CanaryLimits() {}

    /** Every shared setting the candidate changes, as a refusal names it; empty when it may run. */
    static List<String> sharedChanged(FlowSettings candidate, FlowSettings running) {
        List<String> problems = new ArrayList<>();
        if (!candidate.table().equals(running.table())) {
            problems.add("canary config: tiers must name the running tiers " + running.table().names() + " with their"
                    + " priorities, got " + candidate.table().names() + ": the tier table changes only at a restart"
                    + " (decision 0061)");
            return problems;
        }
        if (!candidate.weights().equals(running.weights())) {
            problems.add("canary config: tenants.weights must be the running ones " + running.weights() + ", got "
                    + candidate.weights() + WHY);
        }
        for (Tier tier : running.table().list()) {
            TierLimits c = candidate.of(tier);
            TierLimits r = running.of(tier);
            same(problems, tier, "max_concurrency", c, r, TierLimits::maxConcurrency);
            same(problems, tier, "share", c, r, TierLimits::share);
            same(problems, tier, "fairness", c, r, l -> l.fairness().name().toLowerCase(java.util.Locale.ROOT));
            same(problems, tier, "evict_lower", c, r, TierLimits::evictLower);
        }
        return problems;
    }

    private static void same(List<String> problems, Tier tier, String key, TierLimits candidate, TierLimits running,
                             Function<TierLimits, Object> value) {
        Object want = value.apply(running);
        Object got = value.apply(candidate);
        if (!Objects.equals(want, got)) {
            problems.add("canary config: tiers." + tier.name() + "." + key + " must be the running " + want + ", got " + got
                    + WHY);
        }
    }
}
