package io.queuedeck.console.alerts;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.latency;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.exec.InstanceState;
import java.util.ArrayList;
import java.util.List;
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

    /** Why: the alert fired for a lane the operator had paused on purpose, without a word of it. */
    @Test
    void oldestWaitAlert_namesThePausedLanesThatMayHoldIt_orPausedDispatch() {
        model.apply(snapshot().at(T0).oldestWaitMs(75_000).laneMode(8, io.queuedeck.engine.tier.TierMode.PAUSED).build());
        assertThat(model.alerts()).extracting(AlertsViewModel.Alert::text)
                .containsExactly("Oldest waiting task has waited 75 s (alert above 60 s; P8 paused)");
        assertThat(AlertsViewModel.heldOnPurpose(snapshot().paused(true).build())).isEqualTo("; dispatch paused");
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

    /**
     * Every instance offline or draining while tasks wait: each instance's alert said only that it
     * was offline ("Backend 1 is offline"), and nothing said that no task would run.
     */
    @Test
    void tasksWaiting_whileNoInstanceTakesWork_isSaidFirst_andClearsWhenOneTakesWorkAgain() {
        var draining = new io.queuedeck.engine.exec.InstanceStatus(1, "llama-2-7b", InstanceState.UP, 3, 32, 3000, 120_000, 1, true, null);
        model.apply(snapshot().at(T0).queued(5, 22).instances(gpu(0, InstanceState.OFFLINE, 0), draining).build());

        assertThat(model.alerts()).extracting(AlertBanner::said).first()
                .isEqualTo("No GPU takes work while 22 tasks wait");
        assertThat(model.alerts()).extracting(AlertsViewModel.Alert::key).contains("gpu-0");

        model.apply(snapshot().at(T0.plusSeconds(1)).queued(5, 22).instances(gpu(0, InstanceState.UP, 0), draining).build());
        assertThat(model.alerts()).filteredOn(a -> a.key().equals(AlertsViewModel.NO_CAPACITY))
                .extracting(AlertsViewModel.Alert::active).containsExactly(false);

        AlertsViewModel idle = new AlertsViewModel(AlertThresholds.DEFAULTS);
        idle.apply(snapshot().at(T0).instances(gpu(0, InstanceState.OFFLINE, 0)).build()); // nothing waits: nothing to say of it
        assertThat(idle.alerts()).extracting(AlertsViewModel.Alert::key).containsExactly("gpu-0");
    }

    @Test
    void gpuBackUp_itsAlertSaysClearedDuringTheHold_andAnAlertStillHoldingComesFirst() {
        model.apply(snapshot().at(T0).instances(gpu(0, InstanceState.LOADING, 0), gpu(1, InstanceState.UP, 0)).build());
        assertThat(model.alerts()).extracting(AlertsViewModel.Alert::active).containsExactly(true);

        model.apply(snapshot().at(T0.plusSeconds(2)).instances(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.DOWN, 0)).build());

        assertThat(model.alerts()).extracting(a -> a.key() + " " + a.active()).containsExactly("gpu-1 true", "gpu-0 false");
        assertThat(model.alerts()).extracting(AlertBanner::said).containsExactly("GPU 1 is down", "GPU 0 is loading — cleared");
    }

    @Test
    void p99OfACoreClass_overTheCoreThresholdForSustainedFor_raisesForThatClass() {
        for (int second = 0; second <= 30; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).recent(1, latency(20, 900, 35_000))
                    .lastSecond(T0.plusSeconds(second), latency(20, 900, 35_000)).build());
            if (second < 30) {
                assertThat(keys()).as("after %d s above", second).isEmpty();
            }
        }
        assertThat(keys()).containsExactly("p99-P1");
        assertThat(model.alerts().getFirst().text()).isEqualTo("P1 · core p99 latency 35.0 s for 30 s (alert above 30 s for 30 s)");
    }

    /** {@code urgent, core, normal, batch}: a table of one's own with a tier before core. */
    private static java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> fourTiers() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = new java.util.HashMap<>();
        modes.put(new io.queuedeck.engine.tier.Tier("urgent", 0, 0, 0), io.queuedeck.engine.tier.TierMode.ACTIVE);
        modes.put(new io.queuedeck.engine.tier.Tier("core", 1, 1, 2), io.queuedeck.engine.tier.TierMode.ACTIVE);
        modes.put(new io.queuedeck.engine.tier.Tier("normal", 2, 3, 6), io.queuedeck.engine.tier.TierMode.ACTIVE);
        modes.put(new io.queuedeck.engine.tier.Tier("batch", 3, 7, 9), io.queuedeck.engine.tier.TierMode.ACTIVE);
        return modes;
    }

    /** {@code seconds} seconds in which class {@code priority} alone finishes tasks with this p99. */
    private void slowClass(java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes, int priority,
                           double p99Ms, int seconds) {
        for (int second = 0; second <= seconds; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).tierModes(modes).recent(priority, latency(20, 900, p99Ms))
                    .lastSecond(T0.plusSeconds(second), latency(20, 900, p99Ms)).build());
        }
    }

    @Test
    void fourTierTable_theUrgentTiersOwnKey_raisesForP0Only() {
        model.setThresholds(AlertThresholds.from(io.queuedeck.engine.config.AlertSettings.read("f.yaml",
                "alerts:\n  p99_latency: {urgent: 5s, core: 40s}\n", io.queuedeck.engine.tier.Tiers.of(fourTiers().keySet()))));
        slowClass(fourTiers(), 0, 6_000, 30);
        assertThat(keys()).containsExactly("p99-P0");
        assertThat(model.alerts().getFirst().text()).isEqualTo("P0 · urgent p99 latency 6.0 s for 30 s (alert above 5 s for 30 s)");
    }

    @Test
    void fourTierTable_aCoreClassAt35s_quietUnderItsOwn40sKey() {
        model.setThresholds(AlertThresholds.from(io.queuedeck.engine.config.AlertSettings.read("f.yaml",
                "alerts:\n  p99_latency: {urgent: 5s, core: 40s}\n", io.queuedeck.engine.tier.Tiers.of(fourTiers().keySet()))));
        slowClass(fourTiers(), 1, 35_000, 60);
        assertThat(keys()).isEmpty();
    }

    @Test
    void fourTierTable_aTierWithoutAKey_answersToTheDefaultOfItsPlace() {
        // urgent is first and has no key: the first tier's default, 30 s (not core's key of the file)
        model.setThresholds(AlertThresholds.from(io.queuedeck.engine.config.AlertSettings.read("f.yaml",
                "alerts:\n  p99_latency: {core: 10m}\n", io.queuedeck.engine.tier.Tiers.of(fourTiers().keySet()))));
        slowClass(fourTiers(), 0, 31_000, 30);
        assertThat(keys()).containsExactly("p99-P0");
        assertThat(model.alerts().getFirst().text()).contains("(alert above 30 s for 30 s)");
    }

    @Test
    void p99OfACoreClass_inAFourTierTable_answersToTheCoreThresholdByName() {
        java.util.Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> modes = fourTiers();
        for (int second = 0; second <= 30; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).tierModes(modes).recent(1, latency(20, 900, 35_000))
                    .lastSecond(T0.plusSeconds(second), latency(20, 900, 35_000)).build());
        }

        // core is the second tier here, yet its 30 s threshold applies (by place it would get normal's 60 s)
        assertThat(keys()).containsExactly("p99-P1");
        assertThat(model.alerts().getFirst().text()).startsWith("P1 · core p99 latency 35.0 s");
    }

    @Test
    void twoSlowSecondsMinutesApart_areNotOneSustainedBreach() {
        // a slow P1 finish, nine minutes with none, then another: it said "for 550 s" after one second of data
        model.apply(snapshot().at(T0).recent(1, latency(20, 900, 35_000)).lastSecond(T0, latency(20, 900, 35_000)).build());
        model.apply(snapshot().at(T0.plusSeconds(550)).recent(1, latency(20, 900, 35_000))
                .lastSecond(T0.plusSeconds(550), latency(20, 900, 35_000)).build());
        assertThat(keys()).isEmpty();

        for (int second = 551; second <= 580; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).recent(1, latency(20, 900, 35_000))
                    .lastSecond(T0.plusSeconds(second), latency(20, 900, 35_000)).build());
        }
        assertThat(model.alerts().getFirst().text()).isEqualTo("P1 · core p99 latency 35.0 s for 30 s (alert above 30 s for 30 s)");
    }

    @Test
    void p99SpikesBelowSustainedFor_neverRaise() {
        // a second under the threshold restarts the count: spikes of 20 s do not add up
        for (int second = 0; second < 120; second++) {
            double p99 = second % 20 == 19 ? 8_000 : 40_000;
            model.apply(snapshot().at(T0.plusSeconds(second)).recent(1, latency(20, 900, p99))
                    .lastSecond(T0.plusSeconds(second), latency(20, 900, p99)).build());
        }
        assertThat(model.alerts()).isEmpty();
    }

    @Test
    void demoLoadLatency_p1At10point5Seconds_isQuietWithTheDefaults() {
        // what the console's 90% demo load under mlfq shows most of the time (decision 0049)
        for (int second = 0; second < 300; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).recent(1, latency(20, 2_000, 10_500))
                    .lastSecond(T0.plusSeconds(second), latency(20, 2_000, 10_500)).build());
        }
        assertThat(model.alerts()).isEmpty();
    }

    @Test
    void saturatedLongerThanSaturatedFor_raises_shortSaturationDoesNot() {
        var saturated = new io.queuedeck.engine.snapshot.FlowStats(true, 64, java.util.List.of());
        var free = new io.queuedeck.engine.snapshot.FlowStats(false, 64, java.util.List.of());
        model.apply(snapshot().at(T0).flow(saturated).build());
        model.apply(snapshot().at(T0.plusSeconds(100)).flow(saturated).build());
        model.apply(snapshot().at(T0.plusSeconds(101)).flow(free).build());
        model.apply(snapshot().at(T0.plusSeconds(102)).flow(saturated).build());
        model.apply(snapshot().at(T0.plusSeconds(200)).flow(saturated).build());
        assertThat(keys()).isEmpty();

        model.apply(snapshot().at(T0.plusSeconds(223)).flow(saturated).build());
        assertThat(keys()).containsExactly("saturated");
        assertThat(model.alerts().getFirst().text()).contains("every one of 64 slots busy");
    }

    @Test
    void newThresholds_applyToTheNextSnapshot() {
        model.setThresholds(new AlertThresholds(java.time.Duration.ofSeconds(5), AlertThresholds.DEFAULTS.p99ByTier(),
                java.time.Duration.ZERO, 5, java.time.Duration.ofMinutes(1), false, java.time.Duration.ofMinutes(2),
                java.time.Duration.ofSeconds(10)));
        model.apply(snapshot().oldestWaitMs(6_000).instances(gpu(0, InstanceState.OFFLINE, 0)).build());

        assertThat(keys()).containsExactly("oldest-wait"); // gpu_down: false
    }

    @Test
    void deadLettersGrowingFastAndAGpuOffline_bothRaise() {
        model.apply(snapshot().at(T0).counters(0, 0, 0, 10).instances(gpu(0, InstanceState.UP, 0)).build());
        model.apply(snapshot().at(T0.plusSeconds(30)).counters(0, 0, 0, 16).instances(gpu(0, InstanceState.OFFLINE, 0)).build());

        assertThat(keys()).containsExactly("dead-letters", "gpu-0");
        assertThat(model.alerts().getFirst().text()).isEqualTo("6 tasks dead-lettered in the last 60 s (alert at 5)");
    }

    @Test
    void transitions_oneWhenRaisedAndOneWhenCleared_notOnePerSnapshot() {
        List<AlertsViewModel.Transition> seen = new ArrayList<>();
        model.onTransition(seen::add);
        // the oldest wait grows for 20 s: the alert's text changes every second, the alert is one
        for (int second = 0; second < 20; second++) {
            model.apply(snapshot().at(T0.plusSeconds(second)).oldestWaitMs(70_000 + second * 1_000).build());
        }
        assertThat(seen).extracting(t -> t.alert().key() + (t.raised() ? " raised" : " cleared")).containsExactly("oldest-wait raised");
        assertThat(seen.getFirst().alert().text()).startsWith("Oldest waiting task has waited 70 s");

        for (int second = 20; second < 40; second++) { // below: held for 10 s, then cleared once
            model.apply(snapshot().at(T0.plusSeconds(second)).oldestWaitMs(1_000).build());
        }
        assertThat(seen).extracting(t -> t.alert().key() + (t.raised() ? " raised" : " cleared"))
                .containsExactly("oldest-wait raised", "oldest-wait cleared");
        assertThat(seen.getLast().alert().text()).startsWith("Oldest waiting task has waited 89 s"); // the last it said

        model.apply(snapshot().at(T0.plusSeconds(40)).oldestWaitMs(61_000).build()); // a new transition: a new notice
        assertThat(seen).hasSize(3);
        assertThat(seen.getLast().raised()).isTrue();
    }

    @Test
    void transitions_twoAlertsAtOnce_eachOnce_inTheBannersOrder() {
        List<AlertsViewModel.Transition> seen = new ArrayList<>();
        model.onTransition(seen::add);
        model.apply(snapshot().at(T0).instances(gpu(0, InstanceState.OFFLINE, 0), gpu(1, InstanceState.DOWN, 0)).build());
        model.apply(snapshot().at(T0.plusSeconds(1)).instances(gpu(0, InstanceState.OFFLINE, 0), gpu(1, InstanceState.DOWN, 0)).build());
        model.apply(snapshot().at(T0.plusSeconds(2)).instances(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.DOWN, 0)).build());
        model.apply(snapshot().at(T0.plusSeconds(13)).instances(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.DOWN, 0)).build());

        assertThat(seen).extracting(t -> t.alert().key() + (t.raised() ? " raised" : " cleared"))
                .containsExactly("gpu-0 raised", "gpu-1 raised", "gpu-0 cleared");
    }
}
