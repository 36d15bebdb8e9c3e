package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.config.ShippedDrills;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.util.List;

/**
 * The Redis-outage drill against a real redis-server behind the TCP fault proxy, on the real clock:
 * clients are refused while Redis is unreachable, nothing acknowledged is lost, and submissions are
 * accepted again after; without Redis to lose (an in-memory store) nothing is refused and the
 * hypothesis cannot hold. A machine without redis-server fails this class (CI installs it).
 */
class RedisOutageDrillTest {
    /** Shipped drills that run on the real clock only, tested here rather than in ShippedDrillsTest. */
    static final List<String> REAL_CLOCK_ONLY = List.of("redis-outage");

    private static DrillResult realtime(String text) {
        return DrillRunner.realtime(DrillReader.read("redis-outage.yaml", text), control -> { }).run();
    }

    @Test
    void redisOutage_onTheRealClock_holds() {
        assertThat(DrillRedis.available()).as(DrillRedis.MISSING).isTrue();

        DrillResult result = realtime(ShippedDrills.text("redis-outage"));

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " measured " + p.measured()).isTrue());
        assertThat(result.holds()).isTrue();
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.accounting().refused()).isPositive();
        assertThat(result.markers()).anySatisfy(m -> assertThat(m.label()).startsWith("network down=1 on backend:redis"));
    }

    @Test
    void brokenVariant_withoutRedis_nothingRefused_doesNotHold() {
        String broken = ShippedDrills.text("redis-outage").replace("store: redis", "store: none");

        DrillResult result = realtime(broken);

        assertThat(result.holds()).isFalse();
        assertThat(result.probes().stream().filter(p -> p.probe().name().equals("refused while unreachable")).findFirst()
                .orElseThrow().passed()).isFalse();
    }

    @Test
    void redisOutage_onTheVirtualClock_saysItNeedsTheRealClock() {
        assertThatThrownBy(() -> new DrillRunner(DrillReader.read("redis-outage.yaml", ShippedDrills.text("redis-outage"))).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target.store: redis runs on the real clock only (drill --realtime)");
    }

    @Test
    void noRedisServer_saysSoAndHowToGetOne() {
        assertThatThrownBy(() -> DrillRedis.binary(List.of(Path.of("/nonexistent-dir").toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a redis-server on the PATH")
                .hasMessageContaining("apt-get install redis-server");
    }
}
