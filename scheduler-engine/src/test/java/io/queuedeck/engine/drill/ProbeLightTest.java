package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A probe's light while its drill runs. */
class ProbeLightTest {
    private static final Drill.Probe AT_LEAST_50 = new Drill.Probe("poison dead-lettered", Drill.Metric.DEAD_LETTERS, null, null,
            null, 50.0, Drill.Mode.DURING, 1);
    private static final Drill.Probe AT_MOST_10 = new Drill.Probe("few dead letters", Drill.Metric.DEAD_LETTERS, null, null,
            10.0, null, Drill.Mode.DURING, 1);

    /** 44 of at least 50 showed red, "broken", while the count was still going up: an operator may abort on it. */
    @Test
    void shortOfItsMinimum_whileItsWindowIsOpen_isNotJudgedYet() {
        assertThat(ProbeLight.judged(AT_LEAST_50, "dead_letters", "during", 44, true).light()).isEqualTo(ProbeLight.Light.PENDING);
        assertThat(ProbeLight.judged(AT_LEAST_50, "dead_letters", "during", 44, true).measured()).isEqualTo(44);
        assertThat(ProbeLight.judged(AT_LEAST_50, "dead_letters", "during", 50, true).light()).isEqualTo(ProbeLight.Light.GREEN);
    }

    @Test
    void shortOfItsMinimum_onceItsWindowClosed_isBroken() {
        assertThat(ProbeLight.judged(AT_LEAST_50, "dead_letters", "during", 44, false).light()).isEqualTo(ProbeLight.Light.RED);
    }

    @Test
    void pastItsMaximum_isBroken_evenWhileItsWindowIsOpen() {
        assertThat(ProbeLight.judged(AT_MOST_10, "dead_letters", "during", 11, true).light()).isEqualTo(ProbeLight.Light.RED);
        assertThat(ProbeLight.judged(AT_MOST_10, "dead_letters", "during", 9, true).light()).isEqualTo(ProbeLight.Light.AMBER);
    }
}
