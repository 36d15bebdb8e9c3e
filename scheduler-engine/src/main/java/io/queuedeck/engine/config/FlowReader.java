package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
                java.util.Optional<String> bad = io.queuedeck.engine.task.TaskSpecValidator.tenantProblem(tenant);
                if (bad.isPresent()) { // a weight for a name no task can carry is a typo, never a tenant
                    // the refusal shows any control character in it as \\uXXXX (ConfigException)
                    inner.problem(inner.at(tenant.isEmpty() ? "\"\"" : tenant), "is no tenant name: it " + bad.get());
                    return;
                }
                Double weight = inner.positive(tenant);
                if (weight != null && weight != 1.0) { // 1 is every tenant's weight unless given: {x: 1} is {}
                    weights.put(tenant, weight);
                }
            });
        }
        return weights;
    }

    /**
     * The {@code tiers} section: with no tier setting {@code priorities}, limits of the default
     * tiers (core, normal, batch); else the ordered table it defines (decision 0061), every tier
     * with its band, the bands covering 0-9 in order without gaps or overlaps.
     */
    static FlowSettings tiers(Section s, Map<String, Double> weights) {
        if (s == null) {
            return new FlowSettings(Map.of(), weights);
        }
        s.retired("dead_letter", "takes no limits and no priorities: parked and exhausted tasks wait there until replayed;"
                + " it is always the last tier (docs/flow-control.md)");
        Map<String, Section> entries = new LinkedHashMap<>(s.entries());
        entries.remove(Tier.DEAD_LETTER.name());
        boolean defined = entries.values().stream().anyMatch(t -> t.raw("priorities") != null);
        Tiers table = defined ? table(s, entries) : Tiers.DEFAULT;
        Map<Tier, TierLimits> tiers = new LinkedHashMap<>();
        for (Map.Entry<String, Section> e : entries.entrySet()) {
            Tier tier = table.named(e.getKey()).orElse(null);
            if (tier == null) {
                if (!defined) {
                    s.problem(s.at(e.getKey()), "is not a tier: the tiers are " + table.names()
                            + " (a tiers table of your own gives every tier its priorities, e.g. priorities: 0-1)");
                }
                continue; // a defined table's own problem was noted
            }
            tiers.put(tier, limits(e.getValue(), tier, table));
        }
        s.finish();
        return new FlowSettings(tiers, weights, table);
    }

    /** The table the entries define, or the default one after noting every problem of their bands. */
    private static Tiers table(Section s, Map<String, Section> entries) {
        int before = s.problemCount();
        List<Tier> tiers = new ArrayList<>();
        int next = 0;
        String previous = null;
        for (Map.Entry<String, Section> e : entries.entrySet()) {
            String name = e.getKey();
            Section t = e.getValue();
            String at = t.at("priorities");
            if (!Tier.NAME.matcher(name).matches() || name.equals("all") || name.matches("p[0-9]")) {
                s.problem(s.at(name), "is not a usable tier name: lower-case letters, digits and _, starting with a letter,"
                        + " at most 32, and not all or p0..p9 (queue routes use those)");
            }
            int[] band = band(t, at);
            if (band == null) {
                continue;
            }
            if (band[0] > next) {
                t.problem(at, "leaves priorities " + range(next, band[0] - 1) + " in no tier: bands cover 0-9 in tier order"
                        + " without gaps, got " + range(band[0], band[1]));
            } else if (band[0] < next) {
                t.problem(at, "overlaps " + (previous == null ? "" : s.at(previous) + ".priorities ") + "(priorities up to "
                        + (next - 1) + " are taken): bands cover 0-9 in tier order without overlaps, got " + range(band[0], band[1]));
            }
            tiers.add(new Tier(Tier.NAME.matcher(name).matches() ? name : "invalid", tiers.size(), band[0], band[1]));
            next = Math.max(next, band[1] + 1);
            previous = name;
        }
        if (next <= 9 && s.problemCount() == before) {
            s.problem(s.path(), "leaves priorities " + range(next, 9) + " in no tier: the last tier's band must end at 9");
        }
        return s.problemCount() == before ? new Tiers(tiers) : Tiers.DEFAULT;
    }

    /** {@code priorities: 0-2} or {@code priorities: 5}, within 0-9; null (a problem) otherwise. */
    private static int[] band(Section t, String at) {
        JsonNode raw = t.raw("priorities");
        if (raw == null) {
            t.problem(at, "is missing: when one tier sets its priorities, every tier does (the table replaces core,"
                    + " normal and batch)");
            return null;
        }
        Matcher m = BAND.matcher(raw.asText().strip());
        if (!raw.isValueNode() || !m.matches()) {
            t.problem(at, "must be a band of priorities such as 0-2, or one priority such as 5, got " + Section.shown(raw));
            return null;
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (last < first || last > 9) {
            t.problem(at, "must run from a lower to a higher priority within 0-9, got " + raw.asText());
            return null;
        }
        return new int[] {first, last};
    }

    private static final Pattern BAND = Pattern.compile("(\\d)\\s*(?:-\\s*(\\d))?");

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    private static TierLimits limits(Section t, Tier tier, Tiers table) {
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
        if (action == TierLimits.TimeoutAction.DEMOTE && tier.equals(table.last())) {
            t.problem(t.at("timeout_action"), "cannot be demote in the last tier (" + tier.name() + "): there is no tier below it");
            action = null;
        }
        if (action != null && ttl == null && !t.has("queue_ttl")) {
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
        if (degrade == TierLimits.Degrade.SPILL && tier.equals(table.last())) {
            t.problem(t.at("degrade"), "cannot be spill in the last tier (" + tier.name() + "): there is no tier below it");
            degrade = null;
        }
        TierLimits.Fairness fairness = choice(t, "fairness", TierLimits.Fairness.class);
        Boolean evict = t.flag("evict_lower");
        if (Boolean.TRUE.equals(evict) && tier.equals(table.last())) {
            t.problem(t.at("evict_lower"), "cannot be true in the last tier (" + tier.name() + "): there is no tier below it");
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
