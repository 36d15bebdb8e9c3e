package io.queuedeck.console.latency;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.snapshot.LatencyStats;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Latency over a sliding window, one point per second, overall and per priority class; the
 * selected class is the one charted. The engine reports each second's exact percentiles (its
 * snapshots' {@code lastSecond}), one sample a second. Seconds in which nothing of a class
 * completed have no point for it.
 *
 * <p>Every class keeps its own history, so switching class shows the whole window at once. Memory
 * is bounded: at most one point per second of the window per series (all classes, P0..P9), and
 * every series is trimmed against the newest second seen overall, so a class that went quiet
 * loses its old points as the window slides on.
 */
public final class LatencyViewModel {
    /** Windows the operator can pick. */
    public static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    /** One second of latency, in milliseconds. */
    public record Point(Instant at, long count, double e2eP50, double e2eP95, double e2eP99, double ttftP50,
                        double ttftP99, double waitP50, double waitP99) {}

    /** Since-start latency of one priority. */
    public record PriorityRow(int priority, long count, double e2eP50, double e2eP99, double ttftP50, double waitP50) {}

    private final ObservableList<Point> points = FXCollections.observableArrayList();
    private final ObservableList<Point> readOnlyPoints = FXCollections.unmodifiableObservableList(points);
    private final ObservableList<PriorityRow> priorities = FXCollections.observableArrayList();
    private final ObservableList<PriorityRow> readOnlyPriorities = FXCollections.unmodifiableObservableList(priorities);
    private final ReadOnlyObjectWrapper<Duration> window = new ReadOnlyObjectWrapper<>(this, "window", DEFAULT_WINDOW);
    private final ReadOnlyObjectWrapper<LatencyClass> selectedClass =
            new ReadOnlyObjectWrapper<>(this, "selectedClass", LatencyClass.ALL);
    private final ReadOnlyObjectWrapper<Instant> latest = new ReadOnlyObjectWrapper<>(this, "latest");
    private final ReadOnlyObjectWrapper<Tiers> tiers = new ReadOnlyObjectWrapper<>(this, "tiers", Tiers.DEFAULT);
    /** Per class (index 0: all, 1 + p: priority p), oldest first; the selected one is mirrored in {@link #points}. */
    private final List<ArrayDeque<Point>> history = new ArrayList<>();
    private final ChangeLog changes;
    private Instant lastPriorityUpdate;

    public LatencyViewModel(ChangeLog changes) {
        this.changes = Objects.requireNonNull(changes, "changes");
        for (int i = 0; i < LatencyClass.CHOICES.size(); i++) {
            history.add(new ArrayDeque<>());
        }
    }

    /** Takes in the engine's seconds, oldest first: a point per class that had completions in it. */
    public void addSamples(List<LatencySample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        int selected = index(selectedClass.get());
        for (LatencySample sample : samples) {
            Instant second = sample.at().truncatedTo(ChronoUnit.SECONDS);
            latest.set(second);
            for (int i = 0; i < LatencyClass.CHOICES.size(); i++) {
                Point point = point(second, sample.recent(LatencyClass.CHOICES.get(i).priority()));
                if (point != null) {
                    history.get(i).addLast(point);
                    if (i == selected) {
                        points.add(point);
                    }
                }
            }
        }
        trim();
    }

    /** Since-start latency per priority, refreshed once a second. */
    public void apply(EngineSnapshot snapshot) {
        // the table changes only at a restart (decision 0061): compare the keys, build a table only then
        if (!snapshot.tierModes().isEmpty() && !snapshot.tierModes().keySet().equals(Set.copyOf(tiers.get().list()))) {
            tiers.set(snapshot.tiers());
        }
        if (lastPriorityUpdate != null && Duration.between(lastPriorityUpdate, snapshot.takenAt()).toMillis() < 1000) {
            return;
        }
        lastPriorityUpdate = snapshot.takenAt();
        List<PriorityRow> rows = new ArrayList<>();
        for (int p = 0; p < snapshot.byPriority().size(); p++) {
            LatencySummary s = snapshot.byPriority().get(p);
            if (s.endToEnd().count() > 0) {
                // a class whose finished tasks all took their first token in another class (moved
                // while running) has no TTFT of its own: "–", not 0
                rows.add(new PriorityRow(p, s.endToEnd().count(), s.endToEnd().p50Ms(), s.endToEnd().p99Ms(),
                        s.ttft().count() > 0 ? s.ttft().p50Ms() : Double.NaN,
                        s.queueWait().count() > 0 ? s.queueWait().p50Ms() : Double.NaN));
            }
        }
        priorities.setAll(rows);
    }

    public void setWindow(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + value);
        }
        window.set(value);
        trim();
    }

    /** Charts {@code value}'s history from now on: {@link #points()} is replaced by it at once. */
    public void selectClass(LatencyClass value) {
        Objects.requireNonNull(value, "class");
        if (value.equals(selectedClass.get())) {
            return;
        }
        selectedClass.set(value);
        points.setAll(history.get(index(value)));
    }

    /** The class whose points {@link #points()} holds. */
    public ReadOnlyObjectProperty<LatencyClass> selectedClassProperty() {
        return selectedClass.getReadOnlyProperty();
    }

    /** The engine's tier table, from its snapshots (decision 0070); the default table until the first. */
    public ReadOnlyObjectProperty<Tiers> tiersProperty() {
        return tiers.getReadOnlyProperty();
    }

    /** "P0 · urgent": the class named by the engine's tiers. */
    public String label(LatencyClass latencyClass) {
        return latencyClass.label(tiers.get());
    }

    /** The newest closed second of any class (the window's right edge), or null before the first. */
    public ReadOnlyObjectProperty<Instant> latestProperty() {
        return latest.getReadOnlyProperty();
    }

    /** The oldest second in the window with a point of any class, or null when there is none. */
    public Instant firstSecond() {
        // every class's point is also in the overall series, which therefore starts first
        Point first = history.get(index(LatencyClass.ALL)).peekFirst();
        return first == null ? null : first.at();
    }

    /** The selected class's points in the window, oldest first. */
    public ObservableList<Point> points() {
        return readOnlyPoints;
    }

    /** One class's points in the window, oldest first, whichever class is selected. */
    public List<Point> points(LatencyClass latencyClass) {
        return List.copyOf(history.get(index(latencyClass)));
    }

    public ObservableList<PriorityRow> priorities() {
        return readOnlyPriorities;
    }

    public ReadOnlyObjectProperty<Duration> windowProperty() {
        return window.getReadOnlyProperty();
    }

    /** Fault injections, recoveries, policy switches and pauses: the chart's markers. */
    public ObservableList<ChangeLog.Entry> markers() {
        return changes.entries();
    }

    /** The selected class's points as CSV, one line per second, times in ISO-8601 UTC. */
    public String toCsv() {
        String key = selectedClass.get().key();
        StringBuilder csv = new StringBuilder("time,class,completed,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,ttft_p50_ms,ttft_p99_ms,"
                + "queue_wait_p50_ms,queue_wait_p99_ms\n");
        for (Point p : points) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f%n", p.at(), key, p.count(),
                    p.e2eP50(), p.e2eP95(), p.e2eP99(), p.ttftP50(), p.ttftP99(), p.waitP50(), p.waitP99()));
        }
        return csv.toString();
    }

    /** A file name for the export of the selected class, e.g. {@code latency-P3.csv}. */
    public String exportName(String extension) {
        return "latency-" + selectedClass.get().key() + "." + extension;
    }

    private static int index(LatencyClass latencyClass) {
        return latencyClass.priority() + 1;
    }

    private void trim() {
        if (latest.get() == null) {
            return;
        }
        Instant oldest = latest.get().minus(window.get());
        for (ArrayDeque<Point> series : history) {
            while (!series.isEmpty() && series.getFirst().at().isBefore(oldest)) {
                series.removeFirst();
            }
        }
        int drop = 0;
        while (drop < points.size() && points.get(drop).at().isBefore(oldest)) {
            drop++;
        }
        if (drop > 0) {
            points.remove(0, drop);
        }
    }

    /** A second's figures, or null when nothing finished and no first token came in it. */
    private static Point point(Instant second, LatencySummary s) {
        LatencyStats e = s.endToEnd();
        LatencyStats t = s.ttft();
        LatencyStats w = s.queueWait();
        if (e.count() == 0 && t.count() == 0) {
            return null;
        }
        return new Point(second, e.count(), ms(e, e.p50Ms()), ms(e, e.p95Ms()), ms(e, e.p99Ms()), ms(t, t.p50Ms()),
                ms(t, t.p99Ms()), ms(w, w.p50Ms()), ms(w, w.p99Ms()));
    }

    private static double ms(LatencyStats stats, double value) {
        return stats.count() == 0 ? Double.NaN : value;
    }
}
