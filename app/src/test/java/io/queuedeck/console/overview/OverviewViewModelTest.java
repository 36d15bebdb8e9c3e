package io.queuedeck.console.overview;

import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.latency;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.console.testing.Snapshots;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.tier.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverviewViewModelTest {
    private final OverviewViewModel model = new OverviewViewModel();

    @Test
    void apply_snapshot_exposesQueueCountersAndGpuLoad() {
        model.apply(snapshot().queued(1, 3).queued(5, 7).running(20).counters(100, 2, 80, 1)
                .instances(gpu(0, InstanceState.UP, 16), gpu(1, InstanceState.DOWN, 0)).oldestWaitMs(1500).build());

        assertThat(model.queuedProperty().get()).isEqualTo(10);
        assertThat(model.queuedByPriorityProperty().get()).containsExactly(0, 3, 0, 0, 0, 7, 0, 0, 0, 0);
        assertThat(model.queuedByTierProperty().get()).containsEntry(Tier.CORE, 3).containsEntry(Tier.NORMAL, 7);
        assertThat(model.runningProperty().get()).isEqualTo(20);
        assertThat(model.slotsProperty().get()).as("a DOWN GPU offers no slots").isEqualTo(32);
        assertThat(model.rejectedProperty().get()).isEqualTo(2);
        assertThat(model.deadLetteredProperty().get()).isEqualTo(1);
        assertThat(model.oldestWaitMsProperty().get()).isEqualTo(1500);
        assertThat(model.gpusProperty().get()).containsExactly(
                new OverviewViewModel.GpuLoad(0, "UP", 50, 16_000 * 100.0 / 120_000),
                new OverviewViewModel.GpuLoad(1, "DOWN", 0, 0));
    }

    /** A draining GPU read as serving (no label) while the GPUs screen and Policy & load said it drained. */
    @Test
    void apply_aDrainingGpu_isSaidToDrain_withTheLoadItStillRuns() {
        model.apply(snapshot().instances(
                new io.queuedeck.engine.exec.InstanceStatus(0, "m", InstanceState.UP, 8, 32, 0, 120_000, 1.0, true, null),
                new io.queuedeck.engine.exec.InstanceStatus(1, "m", InstanceState.UP, 16, 32, 0, 120_000, 1.0)).build());

        assertThat(model.gpusProperty().get()).extracting(OverviewViewModel.GpuLoad::state)
                .containsExactly(OverviewViewModel.DRAINING, "UP");
        assertThat(model.gpusProperty().get().getFirst().batchPercent()).isEqualTo(25);
    }

    /** Why: backends read "GPU 0 … KV 0%" on the Overview, a KV use nobody measured. */
    @Test
    void apply_backendInstances_areBackends_withTheServersOwnKvUse_orNoneWhereItPublishesNone() {
        var vllm = new io.queuedeck.engine.exec.BackendLoad("http://gpu1:8000", 1, 4, 1, 2.0, 3.0, 0.42, 120.0, 30.0);
        var llamaCpp = new io.queuedeck.engine.exec.BackendLoad("http://gpu2:8080", 0, 2, 0, null, null, null, null, null);
        model.apply(snapshot().instances(
                new io.queuedeck.engine.exec.InstanceStatus(0, "m", InstanceState.UP, 1, 4, 0, 0, 1.0, false, vllm),
                new io.queuedeck.engine.exec.InstanceStatus(1, "m", InstanceState.UP, 0, 2, 0, 0, 1.0, false, llamaCpp)).build());

        assertThat(model.gpusProperty().get()).containsExactly(new OverviewViewModel.GpuLoad(0, "UP", 25, 42, true),
                new OverviewViewModel.GpuLoad(1, "UP", 0, Double.NaN, true));
    }

    /** An idle model of a full server read 0% here while its GPUs card read "2 / 2 slots". */
    @Test
    void apply_modelsOfOneServer_showItsSlotsInUse_asTheGpusScreenDoes() {
        var full = new io.queuedeck.engine.exec.BackendLoad("http://gpu1:8000", 2, 2, 2, null, null, null, null, null);
        var idleModel = new io.queuedeck.engine.exec.BackendLoad("http://gpu1:8000", 2, 2, 0, null, null, null, null, null);
        model.apply(snapshot().instances(
                new io.queuedeck.engine.exec.InstanceStatus(0, "m1", InstanceState.UP, 2, 2, 0, 0, 1.0, false, full),
                new io.queuedeck.engine.exec.InstanceStatus(1, "m2", InstanceState.UP, 0, 2, 0, 0, 1.0, false, idleModel)).build());

        assertThat(model.gpusProperty().get()).extracting(OverviewViewModel.GpuLoad::batchPercent).containsExactly(100.0, 100.0);
    }

    @Test
    void apply_tasksInNoPolicyLevel_areCountedAsParked_soTheLevelsAddUpToTheQueue() {
        model.apply(snapshot().queued(1, 3).queued(5, 7).levels(List.of(2, 1, 0)).build());

        assertThat(model.parkedOutsideLevelsProperty().get()).as("paused lanes and tiers hold 7 of the 10").isEqualTo(7);

        model.apply(snapshot().queued(1, 3).levels(List.of(2, 1, 0)).build());

        assertThat(model.parkedOutsideLevelsProperty().get()).isZero();
    }

    @Test
    void apply_rates_firstTakenAsIsThenSmoothed() {
        model.apply(snapshot().throughput(10, 1000).build());
        assertThat(model.throughputProperty().get()).isEqualTo(10);

        model.apply(snapshot().throughput(20, 1000).build());

        // one noisy interval moves the shown rate by the smoothing weight only
        assertThat(model.throughputProperty().get()).isCloseTo(10 + OverviewViewModel.SMOOTHING * 10, within(1e-9));
    }

    @Test
    void apply_intervalWithoutCompletions_keepsLastLatency() {
        model.apply(snapshot().recent(latency(5, 200, 900)).build());
        model.apply(snapshot().recent(latency(0, 0, 0)).build());

        assertThat(model.p50MsProperty().get()).isEqualTo(200);
        assertThat(model.p99MsProperty().get()).isEqualTo(900);
    }

    @Test
    void latencyNote_saysHowOldTheKeptFiguresAre_onceNothingFinishesForFiveSeconds() {
        assertThat(model.latencyNoteProperty().get()).isEmpty();
        model.apply(snapshot().recent(latency(0, 0, 0)).build());
        assertThat(model.latencyNoteProperty().get()).isEqualTo("none finished yet");
        model.apply(snapshot().recent(latency(5, 200, 900)).build());
        assertThat(model.latencyNoteProperty().get()).isEmpty();
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(4)).recent(latency(0, 0, 0)).build());
        assertThat(model.latencyNoteProperty().get()).as("a pause between completions is not news").isEmpty();
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(42)).recent(latency(0, 0, 0)).build());
        assertThat(model.latencyNoteProperty().get()).isEqualTo("42 s old");
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(600)).recent(latency(0, 0, 0)).build());
        assertThat(model.latencyNoteProperty().get()).isEqualTo("10 min old");
        assertThat(model.p99MsProperty().get()).isEqualTo(900);
    }

    @Test
    void ttftNote_followsFirstTokens_notFinishedTasks() {
        model.apply(snapshot().recent(latency(0, 0, 0)).build());
        assertThat(model.ttftNoteProperty().get()).isEqualTo("no first token yet");
        var streaming = new io.queuedeck.engine.snapshot.LatencySummary(Snapshots.stats(0, 0, 0), Snapshots.stats(3, 120, 300),
                Snapshots.stats(0, 0, 0));
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(1)).recent(streaming).build());
        assertThat(model.ttftNoteProperty().get()).as("first tokens came, though no task finished").isEmpty();
        assertThat(model.latencyNoteProperty().get()).isEqualTo("none finished yet");
        assertThat(model.ttftP50MsProperty().get()).isEqualTo(120);
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(31)).recent(latency(0, 0, 0)).build());
        assertThat(model.ttftNoteProperty().get()).isEqualTo("30 s old");
    }

    @Test
    void apply_latencyIntervals_smoothedLikeRates() {
        model.apply(snapshot().recent(latency(5, 200, 900)).build());
        model.apply(snapshot().recent(latency(5, 300, 900)).build());

        assertThat(model.p50MsProperty().get()).isCloseTo(200 + OverviewViewModel.SMOOTHING * 100, within(1e-9));
    }

    @Test
    void aSecondOfFinishesMinutesAfterTheLast_isShownAsItIs_notBlendedWithTheOldFigure() {
        model.apply(snapshot().recent(latency(5, 10_000, 12_000)).build());
        model.apply(snapshot().at(Snapshots.T0.plusSeconds(540)).recent(latency(2, 491_000, 491_500)).build());

        // blended, it showed p50 ≈ 106 s for tasks that took 491 s
        assertThat(model.p50MsProperty().get()).isEqualTo(491_000);
        assertThat(model.p99MsProperty().get()).isEqualTo(491_500);
    }

    @Test
    void apply_tierPaused_exposed() {
        model.apply(snapshot().tierMode(Tier.BATCH, io.queuedeck.engine.tier.TierMode.DRAINING).build());

        assertThat(model.tierModesProperty().get()).containsEntry(Tier.BATCH, io.queuedeck.engine.tier.TierMode.DRAINING);
    }

    @Test
    void apply_policyAndPause_followTheEngine() {
        model.apply(snapshot().policy("fifo").paused(true).build());

        assertThat(model.policyProperty().get()).isEqualTo("fifo");
        assertThat(model.pausedProperty().get()).isTrue();
    }

    @Test
    void throughput_atALowRate_countsCompletionsOverTheWindow_notZero() {
        // one task every 20 s: the engine's short-interval rate reads 0 almost always
        for (int second = 0; second <= 40; second++) {
            model.apply(snapshot().at(io.queuedeck.console.testing.Snapshots.T0.plusSeconds(second))
                    .counters(10, 0, second / 20, 0).throughput(0, 0).build());
        }

        // 40 s in: the window (10 s to 40 s) holds the completions at 20 s and 40 s
        assertThat(model.throughputProperty().get()).isCloseTo(2.0 / 30, within(1e-9));
    }
}
