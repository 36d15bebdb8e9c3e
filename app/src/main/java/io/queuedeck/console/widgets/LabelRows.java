package io.queuedeck.console.widgets;

import java.util.Arrays;

/**
 * Rows for the labels at the top of markers on a chart, so that no two overlap: each label, left
 * to right, takes the first row where it clears the label before it in that row; where no row has
 * room it is not shown (its marker keeps its line and tooltip). Checking only the label just
 * before put a third label over the first when the second was short, and cycling through the rows
 * put a fourth over the first.
 */
public final class LabelRows {
    /** Space kept between two labels in one row. */
    private static final double GAP = 2;

    private LabelRows() {}

    /** The row of each label (its left edge and width, left to right), or -1 where none has room. */
    public static int[] of(double[] starts, double[] widths, int rowCount) {
        double[] rowEnds = new double[rowCount];
        Arrays.fill(rowEnds, Double.NEGATIVE_INFINITY);
        int[] rows = new int[starts.length];
        for (int i = 0; i < starts.length; i++) {
            rows[i] = -1;
            for (int r = 0; r < rowCount && rows[i] < 0; r++) {
                if (starts[i] >= rowEnds[r]) {
                    rows[i] = r;
                    rowEnds[r] = starts[i] + widths[i] + GAP;
                }
            }
        }
        return rows;
    }
}
