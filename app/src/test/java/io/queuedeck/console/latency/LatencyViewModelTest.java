package io.queuedeck.console.latency;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.latency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import io.queuedeck.engine.snapshot.LatencySummary;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyViewModelTest {
    private final LatencyViewModel model = new LatencyViewModel(new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC)));

    private static LatencySample at(long millis, long count, double p50, double p99) {
        return new LatencySample(T0.plusMillis(millis), latency(count, p50, p99));
    }

    /** A second whose only completions are {@code count} tasks of {@code priority}. */
    private static LatencySample classAt(long millis, int priority, long count, double p50, double p99) {
        List<LatencySummary> byPriority = new ArrayList<>(Collections.nCopies(10, LatencySummary.EMPTY));
        byPriority.set(priority, latency(count, p50, p99));
        return new LatencySample(T0.plusMillis(millis), latency(count, p50, p99), byPriority);
    }

    /** A second with completions in two classes (the overall figures are the engine's own). */
    private static LatencySample twoClassesAt(long millis) {
        List<LatencySummary> byPriority = new ArrayList<>(Collections.nCopies(10, LatencySummary.EMPTY));
        byPriority.set(2, latency(1, 40, 400));
        byPriority.set(7, latency(3, 400, 4000));
        return new LatencySample(T0.plusMillis(millis), latency(4, 310, 3100), byPriority);
    }

    @Test
    void addSamples_eachSecond_isOnePointWithTheEnginesExactFigures() {
        model.addSamples(List.of(at(0, 4, 175, 1750)));

        assertThat(model.points()).singleElement().satisfies(p -> {
            assertThat(p.at()).isEqualTo(T0);
            assertThat(p.count()).isEqualTo(4);
            assertThat(p.e2eP50()).isEqualTo(175);
            assertThat(p.e2eP99()).isEqualTo(1750);
        });
        assertThat(model.latestProperty().get()).isEqualTo(T0);

        model.addSamples(List.of(at(1_000, 1, 50, 50)));
        assertThat(model.points()).extracting(LatencyViewModel.Point::at).containsExactly(T0, T0.plusSeconds(1));
    }

    @Test
    void addSamples_secondWithoutCompletions_noPoint() {
        model.addSamples(List.of(at(0, 0, 0, 0), at(1_000, 0, 0, 0), at(2_000, 2, 10, 20)));

        assertThat(model.points()).extracting(LatencyViewModel.Point::at).containsExactly(T0.plusSeconds(2));
    }

    @Test
    void addSamples_beyondWindow_oldPointsDropped() {
        model.setWindow(Duration.ofMinutes(1));
        List<LatencySample> samples = new ArrayList<>();
        for (int s = 0; s <= 200; s++) {
            samples.add(at(s * 1000L, 1, s, s));
        }

        model.addSamples(samples);

        // 201 seconds; the window keeps the newest one and the 60 before it
        assertThat(model.points()).hasSize(61);
        assertThat(model.points().getFirst().at()).isEqualTo(T0.plusSeconds(140));
        assertThat(model.points().getLast().at()).isEqualTo(T0.plusSeconds(200));
    }

    @Test
    void toCsv_headerAndOneLinePerPoint() {
        model.addSamples(List.of(at(0, 2, 100, 400)));

        assertThat(model.toCsv().lines()).containsExactly(
                "time,class,completed,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,ttft_p50_ms,ttft_p99_ms,queue_wait_p50_ms,queue_wait_p99_ms",
                "2026-01-01T00:00:00Z,all,2,100.0,400.0,400.0,10.0,40.0,25.0,100.0");
        assertThat(model.exportName("csv")).isEqualTo("latency-all.csv");
    }

    @Test
    void selectClass_afterSecondsClosed_pointsAreThatClassesOwnHistory() {
        model.addSamples(List.of(twoClassesAt(0), twoClassesAt(1_000)));
        assertThat(model.points()).hasSize(2).allSatisfy(p -> assertThat(p.e2eP50()).isEqualTo(310));

        model.selectClass(LatencyClass.of(7));

        assertThat(model.selectedClassProperty().get()).isEqualTo(LatencyClass.of(7));
        assertThat(model.points()).hasSize(2).allSatisfy(p -> {
            assertThat(p.count()).isEqualTo(3);
            assertThat(p.e2eP50()).isEqualTo(400);
            assertThat(p.e2eP99()).isEqualTo(4000);
        });

        model.selectClass(LatencyClass.of(2));
        assertThat(model.points()).extracting(LatencyViewModel.Point::e2eP50).containsExactly(40.0, 40.0);

        model.selectClass(LatencyClass.of(5));
        assertThat(model.points()).as("no P5 task finished").isEmpty();

        model.selectClass(LatencyClass.ALL);
        assertThat(model.points()).extracting(LatencyViewModel.Point::e2eP50).containsExactly(310.0, 310.0);
    }

    @Test
    void selectClass_thenNewSeconds_onlyThatClassesSecondsAreAppended() {
        model.selectClass(LatencyClass.of(2));

        model.addSamples(List.of(classAt(0, 2, 1, 50, 60), classAt(1_000, 9, 5, 900, 990),
                classAt(2_000, 2, 2, 70, 80)));

        // second 1 had only a P9 completion: no P2 point for it
        assertThat(model.points()).extracting(LatencyViewModel.Point::at).containsExactly(T0, T0.plusSeconds(2));
        assertThat(model.points(LatencyClass.of(9))).singleElement()
                .satisfies(p -> assertThat(p.e2eP50()).isEqualTo(900));
        assertThat(model.points(LatencyClass.ALL)).hasSize(3);
        assertThat(model.latestProperty().get()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void addSamples_classQuietBeyondWindow_itsOldPointsDroppedToo() {
        model.setWindow(Duration.ofMinutes(1));
        List<LatencySample> samples = new ArrayList<>();
        samples.add(classAt(0, 9, 1, 900, 900));
        for (int s = 1; s <= 200; s++) {
            samples.add(classAt(s * 1000L, 2, 1, s, s));
        }

        model.addSamples(samples);

        // the window is the last minute of the engine, not of each class: P9's one point left it
        assertThat(model.points(LatencyClass.of(9))).isEmpty();
        assertThat(model.points(LatencyClass.of(2))).hasSize(61);
        assertThat(model.points(LatencyClass.of(2)).getFirst().at()).isEqualTo(T0.plusSeconds(140));
        assertThat(model.points(LatencyClass.ALL)).hasSize(61);
        assertThat(model.firstSecond()).isEqualTo(T0.plusSeconds(140));
    }

    @Test
    void setWindow_shorter_trimsEveryClass() {
        List<LatencySample> samples = new ArrayList<>();
        for (int s = 0; s <= 200; s++) {
            samples.add(classAt(s * 1000L, s % 2 == 0 ? 4 : 6, 1, s, s));
        }
        model.addSamples(samples);
        model.selectClass(LatencyClass.of(4));
        assertThat(model.points()).hasSize(101); // even seconds 0..200 within 5 minutes

        model.setWindow(Duration.ofMinutes(1));

        // the newest second is 200: the minute keeps 140..200, P4's even and P6's odd seconds
        assertThat(model.points()).hasSize(31).allSatisfy(p -> assertThat(p.at()).isAfterOrEqualTo(T0.plusSeconds(140)));
        assertThat(model.points(LatencyClass.of(6))).hasSize(30);
    }

    @Test
    void toCsv_classSelected_writesThatClassAndNamesIt() {
        model.addSamples(List.of(twoClassesAt(0)));

        model.selectClass(LatencyClass.of(7));

        assertThat(model.toCsv().lines()).containsExactly(
                "time,class,completed,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,ttft_p50_ms,ttft_p99_ms,queue_wait_p50_ms,queue_wait_p99_ms",
                "2026-01-01T00:00:00Z,P7,3,400.0,4000.0,4000.0,40.0,400.0,100.0,1000.0");
        assertThat(model.exportName("png")).isEqualTo("latency-P7.png");
    }

    @Test
    void selectClass_null_refused() {
        assertThatThrownBy(() -> model.selectClass(null)).isInstanceOf(NullPointerException.class);
        assertThat(model.selectedClassProperty().get()).isEqualTo(LatencyClass.ALL);
    }

    @Test
    void classLabels_ofAFourTierTable_nameTheEnginesTiers_onceItsSnapshotArrives() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.LinkedHashMap<>();
        String[][] table = {{"urgent", "0", "0"}, {"core", "1", "2"}, {"normal", "3", "6"}, {"batch", "7", "9"}};
        for (int i = 0; i < table.length; i++) {
            modes.put(new io.queuedeck.engine.tier.Tier(table[i][0], i, Integer.parseInt(table[i][1]),
                    Integer.parseInt(table[i][2])), io.queuedeck.engine.tier.TierMode.ACTIVE);
        }
        assertThat(model.label(LatencyClass.of(0))).isEqualTo("P0 · core"); // the default table until a snapshot

        model.apply(io.queuedeck.console.testing.Snapshots.snapshot().tierModes(modes).build());

        assertThat(model.tiersProperty().get().names()).isEqualTo("urgent, core, normal, batch");
        assertThat(LatencyClass.CHOICES).extracting(model::label).containsExactly("All classes", "P0 · urgent", "P1 · core",
                "P2 · core", "P3 · normal", "P4 · normal", "P5 · normal", "P6 · normal", "P7 · batch", "P8 · batch", "P9 · batch");
        // the CSV's class column and the file name stay by priority, whatever the table
        model.selectClass(LatencyClass.of(0));
        assertThat(model.exportName("csv")).isEqualTo("latency-P0.csv");
    }

    @Test
    void tierTable_unchangedSnapshots_keepTheSameTable() {
        model.apply(io.queuedeck.console.testing.Snapshots.snapshot().build());
        io.queuedeck.engine.tier.Tiers first = model.tiersProperty().get();
        model.apply(io.queuedeck.console.testing.Snapshots.snapshot().at(T0.plusSeconds(2)).build());

        assertThat(model.tiersProperty().get()).isSameAs(first);
        assertThat(model.label(LatencyClass.of(4))).isEqualTo("P4 · normal");
    }

    @Test
    void priorityRow_ofAClassWithoutAFirstTokenOfItsOwn_showsNoTtft_notZero() {
        // the task took its first token as P5 and was moved to P0 before it finished: P0 has its end-to-end, not its TTFT
        LatencySummary p0 = new LatencySummary(io.queuedeck.console.testing.Snapshots.stats(1, 4_968, 4_968),
                io.queuedeck.console.testing.Snapshots.stats(0, 0, 0), io.queuedeck.console.testing.Snapshots.stats(1, 5_454, 5_454));
        model.apply(io.queuedeck.console.testing.Snapshots.snapshot().sinceStart(0, p0).build());

        LatencyViewModel.PriorityRow row = model.priorities().getFirst();
        assertThat(row.priority()).isZero();
        assertThat(row.ttftP50()).isNaN();
        assertThat(row.waitP50()).isEqualTo(4_968);
    }
}
