package io.queuedeck.console.control;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Flow view from the snapshot's flow figures and the running tier limits. */
class FlowViewModelTest {
    private static final TierLimits CORE_CAPPED = new TierLimits(8, 3, 0, 0, Duration.ZERO, TierLimits.TimeoutAction.REJECT, 0,
            null, null, TierLimits.Degrade.REJECT, TierLimits.Fairness.NONE, false);

    private final FlowViewModel model = new FlowViewModel(() -> new FlowSettings(Map.of(Tier.CORE, CORE_CAPPED), Map.of()));

    private static FlowStats flow(long dispatchedA, long dispatchedB, int waitingA, int waitingB) {
        return new FlowStats(true, 16, List.of(
                new FlowStats.TierFlow(Tier.CORE, 4, 0, 8, 2, 0, 0, 1, 0, 0),
                new FlowStats.TierFlow(Tier.NORMAL, waitingA + waitingB, 0, 8, 0, 0, 0, 0, 0, 3),
                new FlowStats.TierFlow(Tier.BATCH, 0, 0, 0, 0, 0, 0, 0, 0, 0)), List.of(
                new FlowStats.TenantFlow(Tier.NORMAL, "a", 3, waitingA, dispatchedA, 0, 2, 120, 900),
                new FlowStats.TenantFlow(Tier.NORMAL, "b", 1, waitingB, dispatchedB, 5, 1, 2_500, 12_000)));
    }

    @Test
    void tiers_showLimitsUseAndWhatFlowControlDid() {
        model.apply(snapshot().flow(flow(0, 0, 1, 1)).build());

        FlowViewModel.TierRow core = model.tiers().getFirst();
        assertThat(core).isEqualTo(new FlowViewModel.TierRow("core", "4", "8", "8", "16 slots", "100%", "2", "0", "0", "1", "0", "0"));
        assertThat(model.tiers().get(1).cap()).isEqualTo("no cap");
        assertThat(model.tiers().get(1).use()).isEqualTo("50%"); // 8 of the 16 slots
        assertThat(model.summaryProperty().get()).isEqualTo("Saturated: work waits here · 16 of 16 slots busy");
    }

    @Test
    void tenants_dispatchShareOverTheWindow_againstFairShareByWeight() {
        model.apply(snapshot().at(T0).flow(flow(100, 100, 50, 50)).build());
        // in the next 10 s "a" got 60 dispatches and "b" 40: a weight of 3 against 1 is owed 75% and 25%
        model.apply(snapshot().at(T0.plusSeconds(10)).flow(flow(160, 140, 50, 50)).build());

        FlowViewModel.TenantRow a = model.tenants().get(0);
        FlowViewModel.TenantRow b = model.tenants().get(1);
        assertThat(a.share()).isEqualTo("60%");
        assertThat(a.fairShare()).isEqualTo("75%");
        assertThat(a.belowFair()).isTrue();
        assertThat(b.share()).isEqualTo("40%");
        assertThat(b.fairShare()).isEqualTo("25%");
        assertThat(b.belowFair()).isFalse();
        assertThat(a.waitP99()).isEqualTo("900 ms");
        assertThat(b.waitP99()).isEqualTo("12.0 s");
        assertThat(b.timedOut()).isEqualTo(5);
        assertThat(a.evicted()).isEqualTo(2);
    }

    @Test
    void tenants_withNothingWaitingOrDispatched_haveNoFairShare() {
        model.apply(snapshot().at(T0).flow(flow(10, 10, 0, 5)).build());
        model.apply(snapshot().at(T0.plusSeconds(40)).flow(flow(10, 15, 0, 5)).build());
        model.apply(snapshot().at(T0.plusSeconds(41)).flow(flow(10, 15, 0, 5)).build());

        assertThat(model.tenants().get(0).fairShare()).isEqualTo("–"); // "a" is idle: the share is b's alone
        assertThat(model.tenants().get(1).fairShare()).isEqualTo("100%");
    }
}
