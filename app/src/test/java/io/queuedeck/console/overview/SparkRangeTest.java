package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SparkRangeTest {
    @Test
    void roundUp_zeroLoad_isTheFloor_andDataGetsARoundMaximumJustAboveIt() {
        assertThat(SparkRange.roundUp(0)).isEqualTo(SparkRange.FLOOR); // not 1e12: the axis read 800000000000 at zero load
        assertThat(SparkRange.roundUp(Double.NaN)).isEqualTo(SparkRange.FLOOR);
        assertThat(SparkRange.roundUp(1.3)).isEqualTo(2);
        assertThat(SparkRange.roundUp(3.7)).isEqualTo(5);
        assertThat(SparkRange.roundUp(420)).isEqualTo(500);
        assertThat(SparkRange.roundUp(1_000)).isEqualTo(1_000);
        assertThat(SparkRange.roundUp(1_001)).isEqualTo(2_000);
    }
}
