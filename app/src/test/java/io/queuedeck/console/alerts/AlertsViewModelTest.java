package io.queuedeck.console.alerts;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.latency;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.exec.InstanceState;
import org.junit.jupiter.api.Test;

class AlertsViewModelTest {
    private final AlertsViewModel model = new AlertsViewModel(AlertThresholds.DEFAULTS);

    private java.util.List<String> keys() {
        return model.alerts().stream().map(AlertsViewModel.Alert::key).toList();
    }

    @Test
    void quietSystem_noAlerts() {
        model.apply(snapshot().oldestWaitMs(5_000).instances(gpu(0, InstanceState.UP, 4)).build());

        assertThat(model.alerts()).isEmpty();
    }

    @Test
    void oldestWaitOverItsThreshold_raises_andClearsOnlyAfterTheHold() {
        model.apply(snapshot().at(T0).oldestWaitMs(75_000).build());
        assertThat(model.alerts()).extracting(AlertsViewModel.Alert::text)
                .containsExactly("Oldest waiting task has waited 75 s (alert above 60 s)");

        model.apply(snapshot().at(T0.plusSeconds(5)).oldestWaitMs(1_000).build());
        assertThat(keys()).containsExactly("oldest-wait"); // held: no flapping

        model.apply(snapshot().at(T0.plusSeconds(11)).oldestWaitMs(1_000).build());
        assertThat(model.alerts()).isEmpty();
    }

    @Test
    void p99OfACoreClass_overTheCoreThreshold_raisesForThatClass() {
        model.apply(snapshot().recent(1, latency(20, 900, 12_000)).lastSecond(T0, latency(20, 900, 12_000)).build());

        assertThat(keys()).containsExactly("p99-P1");
    }

    @Test
    void deadLettersGrowingFastAndAGpuOffline_bothRaise() {
        model.apply(snapshot().at(T0).counters(0, 0, 0, 10).instances(gpu(0, InstanceState.UP, 0)).build());
        model.apply(snapshot().at(T0.plusSeconds(30)).counters(0, 0, 0, 16).instances(gpu(0, InstanceState.OFFLINE, 0)).build());

        assertThat(keys()).containsExactly("dead-letters", "gpu-0");
        assertThat(model.alerts().getFirst().text()).isEqualTo("6 tasks dead-lettered in the last 60 s (alert at 5)");
    }
}
