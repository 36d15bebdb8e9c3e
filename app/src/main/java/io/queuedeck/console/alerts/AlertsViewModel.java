package io.queuedeck.console.alerts;

import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Alerts from engine snapshots: the oldest wait, one second's p99 latency per priority class
 * against its tier's threshold (once it has held for {@link AlertThresholds#sustainedFor}),
 * dead-letter growth, GPUs that are not up, tasks waiting while no instance takes work, and
 * saturation that lasts. An alert stays for
 * {@link AlertThresholds#hold} after its condition last held, so a value hovering at a threshold
 * does not flap. The thresholds follow the running config ({@link #setThresholds}).
 */
public final class AlertsViewModel {
    /**
     * One alert: a stable key (one per condition), what the operator reads, and whether its
     * condition held at the last snapshot ({@code false} during the hold after it cleared, so the
     * banner can say it is over instead of repeating a state that has passed).
     */
    public record Alert(String key, String text, boolean active) {}

    /**
     * An alert raised (its key was not held before) or cleared (its hold ended): one per
     * transition, whatever the alert's text does while it holds (decision 0080).
     */
    public record Transition(Alert alert, boolean raised) {}

    /** The key of the alert that tasks wait and no instance takes work. */
    static final String NO_CAPACITY = "no-capacity";

    private AlertThresholds thresholds;
    /** Per priority class, since when its one-second p99 has been above its threshold (null: it is not). */
    private final Instant[] aboveSince = new Instant[io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY + 1];
    /** The last second in which a task of each priority finished: a longer gap than the window breaks a breach in two. */
    private final Instant[] lastObserved = new Instant[io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY + 1];
    private Instant saturatedSince;
    private Tiers table;
    private java.util.Set<Tier> tableKeys;
    private final ObservableList<Alert> alerts = FXCollections.observableArrayList();
    private final ObservableList<Alert> readOnly = FXCollections.unmodifiableObservableList(alerts);
    /** Key to (alert, when its condition last held), in the order they were raised. */
    private final Map<String, Map.Entry<Alert, Instant>> raised = new LinkedHashMap<>();
    private final ArrayDeque<Map.Entry<Instant, Long>> deadLettered = new ArrayDeque<>();
    private final List<Consumer<Transition>> transitions = new ArrayList<>();

    public AlertsViewModel(AlertThresholds thresholds) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    }

    /** New thresholds (the config's alerts section changed); alerts raised stay until their hold ends. */
    public void setThresholds(AlertThresholds next) {
        thresholds = Objects.requireNonNull(next, "thresholds");
    }

    public AlertThresholds thresholds() {
        return thresholds;
    }

    /** Calls {@code listener} after each apply with every alert raised, then every alert cleared, by it. */
    public void onTransition(Consumer<Transition> listener) {
        transitions.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The alerts now: those whose condition holds first, then those in their hold; each group oldest first. */
    public ObservableList<Alert> alerts() {
        return readOnly;
    }

    /**
     * Where an operator holds tasks back (the oldest wait counts them too), said with the alert and
     * short, as the banner shows one line; empty if nowhere.
     */
    static String heldOnPurpose(EngineSnapshot s) {
        if (s.dispatchPaused()) {
            return "; dispatch paused";
        }
        List<String> paused = new java.util.ArrayList<>();
        for (int p = 0; p < s.laneModes().size(); p++) {
            if (s.laneModes().get(p) == io.queuedeck.engine.tier.TierMode.PAUSED
                    || s.tierModes().get(s.tierOf(p)) == io.queuedeck.engine.tier.TierMode.PAUSED) {
                paused.add("P" + p);
            }
        }
        return paused.isEmpty() ? "" : "; " + String.join(", ", paused) + " paused";
    }

    public void apply(EngineSnapshot s) {
        Instant now = s.takenAt();
        if (s.oldestWaitMs() > thresholds.oldestWait().toMillis()) {
            raise(now, "oldest-wait", String.format(Locale.ROOT, "Oldest waiting task has waited %.0f s (alert above %d s%s)",
                    s.oldestWaitMs() / 1000, thresholds.oldestWait().toSeconds(), heldOnPurpose(s)));
        }
        List<LatencySummary> byPriority = s.lastSecond().byPriority();
        for (int p = 0; p < byPriority.size(); p++) {
            var e2e = byPriority.get(p).endToEnd();
            Tier tier = s.tierOf(p);
            Duration limit = thresholds.p99For(tier, table(s));
            if (e2e.count() == 0) {
                continue; // a second with nothing finished says nothing either way
            }
            if (lastObserved[p] != null && Duration.between(lastObserved[p], now).compareTo(thresholds.sustainedFor()) > 0) {
                aboveSince[p] = null; // nothing finished for longer than the window: a breach then and one now are not one breach
            }
            lastObserved[p] = now;
            if (e2e.p99Ms() <= limit.toMillis()) {
                aboveSince[p] = null;
                continue;
            }
            if (aboveSince[p] == null) {
                aboveSince[p] = now;
            }
            if (Duration.between(aboveSince[p], now).compareTo(thresholds.sustainedFor()) >= 0) {
                raise(now, "p99-P" + p, String.format(Locale.ROOT, "P%d · %s p99 latency %.1f s for %d s (alert above %d s for %d s)",
                        p, tier.name(), e2e.p99Ms() / 1000, Duration.between(aboveSince[p], now).toSeconds(), limit.toSeconds(),
                        thresholds.sustainedFor().toSeconds()));
            }
        }
        if (s.flow().saturated()) {
            if (saturatedSince == null) {
                saturatedSince = now;
            }
            if (Duration.between(saturatedSince, now).compareTo(thresholds.saturatedFor()) > 0) {
                raise(now, "saturated", String.format(Locale.ROOT, "Saturated for %d s: every one of %d slots busy (alert after %d s)",
                        Duration.between(saturatedSince, now).toSeconds(), s.flow().slots(), thresholds.saturatedFor().toSeconds()));
            }
        } else {
            saturatedSince = null;
        }
        deadLettered.addLast(Map.entry(now, s.counters().deadLettered()));
        while (deadLettered.size() > 1 && Duration.between(deadLettered.getFirst().getKey(), now).compareTo(thresholds.deadLetterWindow()) > 0) {
            deadLettered.removeFirst();
        }
        long grown = s.counters().deadLettered() - deadLettered.getFirst().getValue();
        if (grown >= thresholds.deadLetters()) {
            raise(now, "dead-letters", String.format(Locale.ROOT, "%d tasks dead-lettered in the last %d s (alert at %d)",
                    grown, thresholds.deadLetterWindow().toSeconds(), thresholds.deadLetters()));
        }
        for (InstanceStatus gpu : s.instances()) {
            if (thresholds.gpuDown() && gpu.state() != InstanceState.UP) {
                raise(now, "gpu-" + gpu.id(), (gpu.backend() != null ? "Backend " : "GPU ") + gpu.id() + " is " + gpu.state().name().toLowerCase(Locale.ROOT));
            }
        }
        if (s.queued() > 0 && !s.instances().isEmpty()
                && s.instances().stream().noneMatch(gpu -> gpu.state().acceptsWork() && !gpu.draining())) {
            // each instance's own alert says what it is (offline, draining, down, loading); only this one says that
            // nothing runs what waits, short enough to read whole in the banner of a 1280 px window
            boolean backends = s.instances().stream().anyMatch(gpu -> gpu.backend() != null);
            raise(now, NO_CAPACITY, String.format(Locale.ROOT, "No %s takes work while %,d tasks wait",
                    backends ? "backend" : "GPU", s.queued()));
        }
        raised.values().removeIf(e -> Duration.between(e.getValue(), now).compareTo(thresholds.hold()) > 0);
        List<Alert> next = new ArrayList<>();
        // the banner names the first alert: that nothing runs comes before why
        raised.values().stream().filter(e -> e.getValue().equals(now) && e.getKey().key().equals(NO_CAPACITY)).forEach(e -> next.add(e.getKey()));
        raised.values().stream().filter(e -> e.getValue().equals(now) && !e.getKey().key().equals(NO_CAPACITY)).forEach(e -> next.add(e.getKey()));
        raised.values().stream().filter(e -> !e.getValue().equals(now))
                .forEach(e -> next.add(new Alert(e.getKey().key(), e.getKey().text(), false)));
        if (next.equals(alerts)) {
            return;
        }
        List<Alert> before = List.copyOf(alerts);
        alerts.setAll(next);
        List<Transition> changed = new ArrayList<>();
        Set<String> had = before.stream().map(Alert::key).collect(Collectors.toSet());
        Set<String> has = next.stream().map(Alert::key).collect(Collectors.toSet());
        next.stream().filter(a -> !had.contains(a.key())).forEach(a -> changed.add(new Transition(a, true)));
        before.stream().filter(a -> !has.contains(a.key())).forEach(a -> changed.add(new Transition(a, false)));
        for (Transition t : changed) {
            transitions.forEach(listener -> listener.accept(t));
        }
    }

    private void raise(Instant now, String key, String text) {
        raised.put(key, Map.entry(new Alert(key, text, true), now));
    }

    /** The engine's tier table from the snapshot's tier keys; rebuilt only when they differ (the table changes at a restart). */
    private Tiers table(EngineSnapshot s) {
        if (table == null || !s.tierModes().keySet().equals(tableKeys)) {
            tableKeys = java.util.Set.copyOf(s.tierModes().keySet());
            table = tableKeys.isEmpty() ? Tiers.DEFAULT : Tiers.of(tableKeys);
        }
        return table;
    }
}
