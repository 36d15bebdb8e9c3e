package io.queuedeck.console.latency;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import io.queuedeck.engine.EngineSnapshot;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.metrics.LatencyStats;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Latency over a sliding window, one point per second, overall and per priority class; the
 * selected class is the one charted. The engine reports percentiles per 100 ms interval; a
 * second's point is their count-weighted mean (percentiles cannot be merged exactly without the
 * histograms, so this is a smoothing, not a recomputation). Seconds in which nothing of a class
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
    /** Per class (index 0: all, 1 + p: priority p), oldest first; the selected one is mirrored in {@link #points}. */
    private final List<ArrayDeque<Point>> history = new ArrayList<>();
    private final ChangeLog changes;
    private Instant openSecond;
    private final Bucket[] open = new Bucket[LatencyClass.CHOICES.size()];
    private Instant lastPriorityUpdate;

    public LatencyViewModel(ChangeLog changes) {
        this.changes = Objects.requireNonNull(changes, "changes");
        for (int i = 0; i < open.length; i++) {
            history.add(new ArrayDeque<>());
            open[i] = new Bucket();
        }
    }

    /** Takes in the engine's intervals, oldest first. */
    public void addSamples(List<LatencySample> samples) {
        for (LatencySample sample : samples) {
            Instant second = sample.at().truncatedTo(ChronoUnit.SECONDS);
            if (openSecond != null && !openSecond.equals(second)) {
                close();
            }
            openSecond = second;
            for (int i = 0; i < open.length; i++) {
                open[i].add(sample.recent(LatencyClass.CHOICES.get(i).priority()));
            }
        }
    }

    /** Since-start latency per priority, refreshed once a second. */
    public void apply(EngineSnapshot snapshot) {
        if (lastPriorityUpdate != null && Duration.between(lastPriorityUpdate, snapshot.takenAt()).toMillis() < 1000) {
            return;
        }
        lastPriorityUpdate = snapshot.takenAt();
        List<PriorityRow> rows = new ArrayList<>();
        for (int p = 0; p < snapshot.byPriority().size(); p++) {
            LatencyMetrics.Stats s = snapshot.byPriority().get(p);
            if (s.endToEnd().count() > 0) {
                rows.add(new PriorityRow(p, s.endToEnd().count(), s.endToEnd().p50Ms(), s.endToEnd().p99Ms(),
                        s.ttft().p50Ms(), s.queueWait().p50Ms()));
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

    private void close() {
        int selected = index(selectedClass.get());
        latest.set(openSecond);
        for (int i = 0; i < open.length; i++) {
            Point point = open[i].point(openSecond);
            open[i] = new Bucket();
            if (point != null) {
                history.get(i).addLast(point);
                if (i == selected) {
                    points.add(point);
                }
            }
        }
        trim();
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

    /** Count-weighted sums of one second's intervals. */
    private static final class Bucket {
        long e2eCount, ttftCount, waitCount;
        double e2eP50, e2eP95, e2eP99, ttftP50, ttftP99, waitP50, waitP99;

        void add(LatencyMetrics.Stats s) {
            LatencyStats e = s.endToEnd();
            e2eCount += e.count();
            e2eP50 += e.count() * e.p50Ms();
            e2eP95 += e.count() * e.p95Ms();
            e2eP99 += e.count() * e.p99Ms();
            LatencyStats t = s.ttft();
            ttftCount += t.count();
            ttftP50 += t.count() * t.p50Ms();
            ttftP99 += t.count() * t.p99Ms();
            LatencyStats w = s.queueWait();
            waitCount += w.count();
            waitP50 += w.count() * w.p50Ms();
            waitP99 += w.count() * w.p99Ms();
        }

        Point point(Instant second) {
            if (e2eCount == 0 && ttftCount == 0) {
                return null;
            }
            return new Point(second, e2eCount, div(e2eP50, e2eCount), div(e2eP95, e2eCount), div(e2eP99, e2eCount),
                    div(ttftP50, ttftCount), div(ttftP99, ttftCount), div(waitP50, waitCount), div(waitP99, waitCount));
        }

        private static double div(double sum, long count) {
            return count == 0 ? Double.NaN : sum / count;
        }
    }
}
