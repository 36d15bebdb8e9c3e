package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tiers} section and {@code tenants.weights}, read into {@link FlowSettings}. */
class FlowConfigTest {
    @TempDir
    Path dir;

    private FlowSettings read(String yaml) throws Exception {
        return ServeConfig.load(Files.writeString(dir.resolve("q.yaml"), yaml), Map.<String, String>of()::get).flow();
    }

    @Test
    void everyTierKey_isRead() throws Exception {
        FlowSettings flow = read("""
                tenants:
                  weights: {acme: 3, globex: 0.5}
                tiers:
                  core:
                    max_concurrency: 16
                    share: 4
                    max_queue: {tasks: 100, bytes: 65536}
                    queue_ttl: 2s
                    timeout_action: demote
                    retries: {max_attempts: 5, base_delay: 100ms, max_delay: 3s}
                    degrade: spill
                    fairness: vtc
                    evict_lower: true
                  batch:
                    degrade: reject_lowest
                """);

        assertThat(flow.of(Tier.CORE)).isEqualTo(new TierLimits(16, 4, 100, 65536, Duration.ofSeconds(2),
                TierLimits.TimeoutAction.DEMOTE, 5, Duration.ofMillis(100), Duration.ofSeconds(3), TierLimits.Degrade.SPILL,
                TierLimits.Fairness.VTC, true));
        assertThat(flow.of(Tier.BATCH).degrade()).isEqualTo(TierLimits.Degrade.REJECT_LOWEST);
        assertThat(flow.of(Tier.NORMAL)).isEqualTo(TierLimits.NONE);
        assertThat(flow.weight("acme")).isEqualTo(3.0);
        assertThat(flow.weight("globex")).isEqualTo(0.5);
        assertThat(flow.weight("initech")).isEqualTo(1.0);
        assertThat(flow.tiered()).isTrue();
    }

    @Test
    void defaultFile_setsNoTierLimit_keepingTodaysBehaviour() {
        FlowSettings flow = ServeConfig.load(ServeConfigTest.DEFAULT_FILE, Map.<String, String>of()::get).flow();

        assertThat(flow).isEqualTo(FlowSettings.NONE);
        assertThat(flow.tiered()).isFalse();
    }

    @Test
    void queueLimitsAndTtlAlone_doNotSplitTheQueueByTier() throws Exception {
        // only caps, shares and fairness need a queue per tier; the policy keeps ordering the rest
        assertThat(read("tiers: {batch: {max_queue: {tasks: 5}, queue_ttl: 1s, degrade: park}}").tiered()).isFalse();
        assertThat(read("tiers: {batch: {share: 1}}").tiered()).isTrue();
    }
}
