package io.queuedeck.console.widgets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Rows for marker labels: none over another. */
class LabelRowsTest {
    /** A short second label in the row below let the third go back to the first row, over the first label. */
    @Test
    void aLabelTakesTheFirstRowItClears() {
        double[] starts = {100, 120, 160, 170, 260};
        double[] widths = {82, 30, 30, 30, 40};

        assertThat(LabelRows.of(starts, widths, 2)).containsExactly(0, 1, 1, -1, 0);
    }

    /** Cycling through three rows put a fourth close label back in the first row, over the first. */
    @Test
    void aFourthCloseLabel_withThreeRows_isNotShown() {
        double[] starts = {100, 105, 110, 115};
        double[] widths = {60, 60, 60, 60};

        assertThat(LabelRows.of(starts, widths, 3)).containsExactly(0, 1, 2, -1);
    }
}
