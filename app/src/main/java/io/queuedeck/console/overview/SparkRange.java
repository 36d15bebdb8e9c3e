package io.queuedeck.console.overview;

import eu.hansolo.tilesfx.Tile;

/**
 * A sparkline's value range that follows its data: a tile draws its axis from its minimum to its
 * maximum, so a fixed huge maximum read "800000000000" at zero load, and a tile clamps values
 * above its maximum. The maximum is a round number just above the data, never below {@link #FLOOR}.
 */
final class SparkRange {
    static final double FLOOR = 1;
    /**
     * Points a sparkline tile takes per {@link #show}: TilesFX 21's skin adds one when the current
     * value changes and another with the value event, but only the second for a value equal to the
     * last (and three for one within 1e-6 of it), so a steady figure drew half as fast as a moving one
     * and "2 minutes" held 1 to 2. {@link #show} gives the same value twice, so every sample is two points.
     */
    static final int POINTS_PER_SAMPLE = 2;
    /** TilesFX's equality of values. */
    private static final double SAME = 1e-6;

    private SparkRange() {}

    /** The smallest 1, 2 or 5 times a power of ten at or above {@code value}, at least {@link #FLOOR}. */
    static double roundUp(double value) {
        if (!(value > FLOOR)) {
            return FLOOR;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** Adds a point; the range grows at once for a larger value (it never shrinks: the line keeps its older points). */
    static void show(Tile tile, double value) {
        double max = roundUp(value * 1.1);
        if (max > tile.getMaxValue()) {
            tile.setMaxValue(max);
        }
        double shown = Double.isFinite(value) ? value : 0;
        double last = tile.getValue();
        if (Math.abs(shown - last) < SAME) {
            // TilesFX takes a value this close as the same: one point for the same value, three for a hair off it.
            // The same value twice is two points, and the line stays flat (a nudge made it a full-height comb:
            // the skin scales the line to its points' own range)
            tile.setValue(last);
            tile.setValue(last);
        } else {
            tile.setValue(shown);
        }
    }
}
