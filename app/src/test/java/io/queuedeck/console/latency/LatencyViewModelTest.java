package io.queuedeck.console.latency;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.latency;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyViewModelTest {
    private final LatencyViewModel model = new LatencyViewModel(new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC)));

    private static LatencySample at(long millis, long count, double p50, double p99) {
        return new LatencySample(T0.plusMillis(millis), latency(count, p50, p99));
    }

    @Test
    void addSamples_oneSecond_countWeightedMeanOnceTheSecondCloses() {
        model.addSamples(List.of(at(100, 1, 100, 1000), at(200, 3, 200, 2000)));
        assertThat(model.points()).as("the second is still open").isEmpty();

        model.addSamples(List.of(at(1_100, 1, 50, 50)));

        assertThat(model.points()).singleElement().satisfies(p -> {
            assertThat(p.at()).isEqualTo(T0);
            assertThat(p.count()).isEqualTo(4);
            assertThat(p.e2eP50()).isEqualTo((100 + 3 * 200) / 4.0);
            assertThat(p.e2eP99()).isEqualTo((1000 + 3 * 2000) / 4.0);
        });
    }

    @Test
    void addSamples_secondWithoutCompletions_noPoint() {
        model.addSamples(List.of(at(100, 0, 0, 0), at(1_100, 0, 0, 0), at(2_100, 2, 10, 20)));

        assertThat(model.points()).isEmpty();
    }

    @Test
    void addSamples_beyondWindow_oldPointsDropped() {
        model.setWindow(Duration.ofMinutes(1));
        List<LatencySample> samples = new ArrayList<>();
        for (int s = 0; s <= 200; s++) {
            samples.add(at(s * 1000L + 500, 1, s, s));
        }

        model.addSamples(samples);

        // 200 closed seconds; the window keeps the newest one and the 60 before it
        assertThat(model.points()).hasSize(61);
        assertThat(model.points().getFirst().at()).isEqualTo(T0.plusSeconds(139));
        assertThat(model.points().getLast().at()).isEqualTo(T0.plusSeconds(199));
    }

    @Test
    void toCsv_headerAndOneLinePerPoint() {
        model.addSamples(List.of(at(100, 2, 100, 400), at(1_100, 1, 1, 1)));

        assertThat(model.toCsv().lines()).containsExactly(
                "time,completed,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,ttft_p50_ms,ttft_p99_ms,queue_wait_p50_ms,queue_wait_p99_ms",
                "2026-01-01T00:00:00Z,2,100.0,400.0,400.0,10.0,40.0,25.0,100.0");
    }
}
