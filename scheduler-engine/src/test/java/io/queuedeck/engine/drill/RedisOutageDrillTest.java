package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.config.ShippedDrills;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.util.List;

/**
 * The Redis-outage drill against a real redis-server behind the TCP fault proxy. On the virtual
 * clock (ShippedDrillsTest runs it and its broken variant) the drill's time is held while the
 * engine's Redis client meets each change in real time; here the run log must say so, and the same
 * file also holds live on the real clock, its steady state, outage and observation shortened (the
 * recovery window kept). A machine without redis-server fails this class (CI installs it).
 */
class RedisOutageDrillTest {

    @Test
    void redisOutage_onTheVirtualClock_holdsItsTimeUntilTheClientLostAndRegainedRedis() throws Exception {
        assertThat(DrillRedis.available()).as(DrillRedis.MISSING).isTrue();

        DrillResult result = new DrillRunner(DrillReader.read("redis-outage.yaml", ShippedDrills.text("redis-outage"))).run();

        assertThat(result.holds()).isTrue();
        assertThat(result.accounting().refused()).isPositive();
        assertThat(result.accounting().lost()).isZero();
        List<String> held = result.log().stream().filter(l -> l.action().equals("redis")).map(DrillResult.LogLine::observed).toList();
        assertThat(held).hasSize(2);
        assertThat(held.get(0)).startsWith("the engine's Redis client lost Redis after");
        assertThat(held.get(1)).startsWith("the engine's Redis client reconnected after");
        // the outage is 20 s of drill time from second 15, whatever the reconnect cost in real time
        assertThat(result.markers()).anySatisfy(m -> {
            assertThat(m.label()).startsWith("end network down=1 on backend:redis");
            assertThat(m.second()).isEqualTo(35.0);
        });
    }

    @Test
    void redisOutage_onTheRealClock_holds() {
        assertThat(DrillRedis.available()).as(DrillRedis.MISSING).isTrue();

        // 22 s instead of the file's 60: 3 s of steady state, 6 s of outage, 3 s observed. The engine's
        // Redis client reaches its longest reconnect delay (2 s: RedisTaskStore's backoff, doubling from
        // 50 ms) about 2.3 s into an outage, so after six seconds it comes back from the same state as
        // after the file's twenty, and must do so within the file's own recovery window (10 s).
        String file = ShippedDrills.text("redis-outage");
        String shortened = replaceOnce(replaceOnce(replaceOnce(file, "steady_state: 15s", "steady_state: 3s"),
                "observe: 15s", "observe: 3s"), "duration: 20s}", "duration: 6s}");
        assertThat(shortened).contains("recovery_window: 10s");

        DrillResult result = DrillRunner.realtime(DrillReader.read("redis-outage.yaml", shortened), control -> { }).run();

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " measured " + p.measured()).isTrue());
        assertThat(result.holds()).isTrue();
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.accounting().refused()).isPositive();
        assertThat(result.markers()).anySatisfy(m -> assertThat(m.label()).startsWith("network down=1 on backend:redis"));
    }

    private static String replaceOnce(String text, String from, String to) {
        assertThat(text).as("the shipped file says " + from).containsOnlyOnce(from);
        return text.replace(from, to);
    }

    @Test
    void noRedisServer_saysSoAndHowToGetOne() {
        assertThatThrownBy(() -> DrillRedis.binary(List.of(Path.of("/nonexistent-dir").toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a redis-server on the PATH")
                .hasMessageContaining("apt-get install redis-server");
    }
}
