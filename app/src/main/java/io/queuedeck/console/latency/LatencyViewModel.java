package io.queuedeck.console.latency;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import io.queuedeck.engine.EngineSnapshot;
import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.metrics.LatencyStats;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Latency over a sliding window, one point per second. The engine reports percentiles per
 * 100 ms interval; a second's point is their count-weighted mean (percentiles cannot be merged
 * exactly without the histograms, so this is a smoothing, not a recomputation). Seconds in
 * which nothing completed have no point. The number of points is bounded by the window.
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
    private final ChangeLog changes;
    private Bucket open;
    private Instant lastPriorityUpdate;

    public LatencyViewModel(ChangeLog changes) {
        this.changes = Objects.requireNonNull(changes, "changes");
    }

    /** Takes in the engine's intervals, oldest first. */
    public void addSamples(List<LatencySample> samples) {
        for (LatencySample sample : samples) {
            Instant second = sample.at().truncatedTo(ChronoUnit.SECONDS);
            if (open != null && !open.second.equals(second)) {
                close();
            }
            if (open == null) {
                open = new Bucket(second);
            }
            open.add(sample.recent());
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

    /** The points in the window, oldest first. */
    public ObservableList<Point> points() {
        return readOnlyPoints;
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

    /** The points as CSV, one line per second, times in ISO-8601 UTC. */
    public String toCsv() {
        StringBuilder csv = new StringBuilder("time,completed,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,ttft_p50_ms,ttft_p99_ms,queue_wait_p50_ms,queue_wait_p99_ms\n");
        for (Point p : points) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f%n", p.at(), p.count(), p.e2eP50(),
                    p.e2eP95(), p.e2eP99(), p.ttftP50(), p.ttftP99(), p.waitP50(), p.waitP99()));
        }
        return csv.toString();
    }

    private void close() {
        Point point = open.point();
        open = null;
        if (point != null) {
            points.add(point);
            trim();
        }
    }

    private void trim() {
        if (points.isEmpty()) {
            return;
        }
        Instant oldest = points.getLast().at().minus(window.get());
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
        final Instant second;
        long e2eCount, ttftCount, waitCount;
        double e2eP50, e2eP95, e2eP99, ttftP50, ttftP99, waitP50, waitP99;

        Bucket(Instant second) {
            this.second = second;
        }

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

        Point point() {
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
