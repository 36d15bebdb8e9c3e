package io.queuedeck.console.control;

import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Flow view: per tier, its limits and how full it is; per tier and tenant, what waits, its
 * share of the tier's dispatches over the last {@value #WINDOW_SECONDS} s against its fair share
 * (its weight over the weights of the tenants active in the tier), its queue waits and what flow
 * control did to it. Everything comes from the snapshot's flow figures, which the engine keeps
 * as tasks move; nothing here asks for tasks.
 */
public final class FlowViewModel {
    static final int WINDOW_SECONDS = 30;

    /** One tier: limits, use and what flow control did (counts since start). */
    public record TierRow(String tier, String waiting, String running, String cap, String guaranteed, String use, String shed,
                          String spilled, String parked, String timedOut, String demoted, String evicted) {}

    /** One tenant in one tier. */
    public record TenantRow(String tier, String tenant, int waiting, String share, String fairShare, String waitP50,
                            String waitP99, long timedOut, long evicted, boolean belowFair) {}

    private final Supplier<FlowSettings> settings;
    private final ObservableList<TierRow> tiers = FXCollections.observableArrayList();
    private final ObservableList<TenantRow> tenants = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    /** Dispatch counts per "tier/tenant", one entry a second, oldest first: the window's start. */
    private final ArrayDeque<Map.Entry<Instant, Map<String, Long>>> history = new ArrayDeque<>();
    private Instant lastSecond;

    /** @param settings the running config's tier limits and tenant weights */
    public FlowViewModel(Supplier<FlowSettings> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public void apply(EngineSnapshot s) {
        FlowStats flow = s.flow();
        FlowSettings limits = settings.get();
        int running = 0;
        List<TierRow> tierRows = new ArrayList<>();
        double shareSum = 0;
        for (Tier t : limits.table().list()) {
            shareSum += limits.of(t).share();
        }
        for (FlowStats.TierFlow f : flow.tiers()) {
            running += f.running();
            TierLimits l = limits.of(f.tier());
            double guaranteed = l.share() > 0 ? l.share() / shareSum * flow.slots() : 0;
            int ceiling = l.maxConcurrency() > 0 ? l.maxConcurrency() : flow.slots();
            tierRows.add(new TierRow(name(f.tier()), num(f.waiting()), num(f.running()),
                    l.maxConcurrency() > 0 ? num(l.maxConcurrency()) : "no cap",
                    l.share() > 0 ? String.format(Locale.ROOT, "%.0f slots", guaranteed) : "none",
                    ceiling == 0 ? "–" : String.format(Locale.ROOT, "%.0f%%", 100.0 * f.running() / ceiling),
                    num(f.shed()), num(f.spilled()), num(f.parked()), num(f.timedOut()), num(f.demoted()), num(f.evicted())));
        }
        replaceIfChanged(tiers, tierRows);
        summary.set(String.format(Locale.ROOT, "%s · %,d of %,d slots busy", flow.saturated() ? "Saturated: work waits here"
                : "Not saturated", running, flow.slots()));

        Instant second = s.takenAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Long> now = new HashMap<>();
        for (FlowStats.TenantFlow t : flow.tenants()) {
            now.put(key(t), t.dispatched());
        }
        if (!second.equals(lastSecond)) {
            lastSecond = second;
            history.addLast(Map.entry(second, now));
            while (history.size() > 1 && Duration.between(history.getFirst().getKey(), second).toSeconds() > WINDOW_SECONDS) {
                history.removeFirst();
            }
        }
        Map<String, Long> start = history.isEmpty() ? Map.of() : history.getFirst().getValue();
        Map<Tier, Long> tierDispatched = new HashMap<>();
        Map<Tier, Double> tierWeights = new HashMap<>();
        for (FlowStats.TenantFlow t : flow.tenants()) {
            long recent = t.dispatched() - start.getOrDefault(key(t), 0L);
            tierDispatched.merge(t.tier(), recent, Long::sum);
            if (t.waiting() > 0 || recent > 0) {
                tierWeights.merge(t.tier(), t.weight(), Double::sum);
            }
        }
        List<TenantRow> rows = new ArrayList<>();
        for (FlowStats.TenantFlow t : flow.tenants()) {
            long recent = t.dispatched() - start.getOrDefault(key(t), 0L);
            long all = tierDispatched.getOrDefault(t.tier(), 0L);
            boolean active = t.waiting() > 0 || recent > 0;
            double fair = active ? t.weight() / tierWeights.get(t.tier()) : 0;
            double share = all == 0 ? 0 : (double) recent / all;
            rows.add(new TenantRow(name(t.tier()), t.tenant().isEmpty() ? "(none)" : t.tenant(), t.waiting(),
                    all == 0 ? "–" : String.format(Locale.ROOT, "%.0f%%", share * 100),
                    active ? String.format(Locale.ROOT, "%.0f%%", fair * 100) : "–",
                    wait(t.waitP50Ms()), wait(t.waitP99Ms()), t.timedOut(), t.evicted(),
                    active && t.waiting() > 0 && all > 0 && share < fair - 0.05));
        }
        replaceIfChanged(tenants, rows);
    }

    private static <T> void replaceIfChanged(ObservableList<T> list, List<T> next) {
        if (!list.equals(next)) {
            list.setAll(next);
        }
    }

    private static String key(FlowStats.TenantFlow t) {
        return t.tier() + "/" + t.tenant();
    }

    private static String name(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    private static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String wait(double ms) {
        return io.queuedeck.console.ui.Elapsed.of(ms);
    }

    public ObservableList<TierRow> tiers() {
        return tiers;
    }

    public ObservableList<TenantRow> tenants() {
        return tenants;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }
}
