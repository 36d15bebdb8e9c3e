package io.queuedeck.console.gateway;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.exec.InstanceState;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ChangeLogTest {
    private final ChangeLog log = new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void apply_firstSnapshot_recordsNothing() {
        log.apply(snapshot().build());

        assertThat(log.entries()).isEmpty();
    }

    @Test
    void apply_instanceCrashesAndRecovers_faultThenRecovery() {
        log.apply(snapshot().build());
        log.apply(snapshot().at(T0.plusSeconds(1)).instances(gpu(0, InstanceState.LOADING, 0), gpu(1, InstanceState.UP, 0)).build());
        log.apply(snapshot().at(T0.plusSeconds(9)).instances(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.UP, 0)).build());

        assertThat(log.entries()).extracting(ChangeLog.Entry::kind, ChangeLog.Entry::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ChangeLog.Kind.FAULT, "GPU 0 up → loading"),
                org.assertj.core.groups.Tuple.tuple(ChangeLog.Kind.RECOVERY, "GPU 0 loading → up"));
        assertThat(log.entries().get(1).at()).isEqualTo(T0.plusSeconds(9));
    }

    @Test
    void apply_policySwitchAndPause_recorded() {
        log.apply(snapshot().policy("mlfq").build());
        log.apply(snapshot().policy("fifo").paused(true).build());

        assertThat(log.entries()).extracting(ChangeLog.Entry::text).containsExactly("policy mlfq → fifo", "dispatch paused");
    }

    @Test
    void apply_tierPaused_recorded() {
        log.apply(snapshot().build());
        log.apply(snapshot().tierMode(io.queuedeck.engine.tier.Tier.CORE, io.queuedeck.engine.tier.TierMode.PAUSED).build());

        assertThat(log.entries()).extracting(ChangeLog.Entry::text).containsExactly("core tier active → paused");
    }

    @Test
    void record_beyondCapacity_oldestDropped() {
        for (int i = 0; i < ChangeLog.CAPACITY + 5; i++) {
            log.record(ChangeLog.Kind.OPERATOR, "action " + i);
        }

        assertThat(log.entries()).hasSize(ChangeLog.CAPACITY);
        assertThat(log.entries().getFirst().text()).isEqualTo("action 5");
    }
}
