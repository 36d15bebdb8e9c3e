package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which change-log entries become sparkline markers, where, and with what label. */
class SparkMarkersTest {
    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");

    @Test
    void place_faultsAndRecoveriesInTheWindow_atTheirShareOfIt() {
        List<ChangeLog.Entry> entries = List.of(
                new ChangeLog.Entry(T0.minusSeconds(5), ChangeLog.Kind.FAULT, "fault f-1: crash on instance:0"),
                new ChangeLog.Entry(T0.plusSeconds(30), ChangeLog.Kind.FAULT, "fault f-2: slow factor=4 on instance:1"),
                new ChangeLog.Entry(T0.plusSeconds(60), ChangeLog.Kind.POLICY, "policy fifo"),
                new ChangeLog.Entry(T0.plusSeconds(90), ChangeLog.Kind.RECOVERY, "fault cleared f-2: slow factor=4 on instance:1"),
                new ChangeLog.Entry(T0.plusSeconds(121), ChangeLog.Kind.FAULT, "fault f-3: hang on node"));

        List<SparkMarkers.Placed> placed = SparkMarkers.place(entries, T0, T0.plusSeconds(120));

        // f-1 is older than the oldest point, f-3 newer than the newest; a policy switch is not a fault
        assertThat(placed).containsExactly(
                new SparkMarkers.Placed(0.25, "slow factor…", "fault f-2: slow factor=4 on instance:1", "marker-fault"),
                new SparkMarkers.Placed(0.75, "end slow fa…", "fault cleared f-2: slow factor=4 on instance:1", "marker-recovery"));
    }

    @Test
    void place_beforeTwoPoints_nothing() {
        List<ChangeLog.Entry> entries = List.of(new ChangeLog.Entry(T0, ChangeLog.Kind.FAULT, "crash injected on GPU 0"));

        assertThat(SparkMarkers.place(entries, T0, T0)).isEmpty();
        assertThat(SparkMarkers.place(entries, null, null)).isEmpty();
    }

    @Test
    void shorten_buttonFaults_keepTheirWords() {
        assertThat(SparkMarkers.shorten("crash injected on GPU 0")).isEqualTo("crash injec…");
        assertThat(SparkMarkers.shorten("load burst")).isEqualTo("load burst");
    }
}
