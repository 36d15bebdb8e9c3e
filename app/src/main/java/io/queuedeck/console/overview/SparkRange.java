package io.queuedeck.console.overview;

import eu.hansolo.tilesfx.Tile;

/**
 * A sparkline's value range that follows its data: a tile draws its axis from its minimum to its
 * maximum, so a fixed huge maximum read "800000000000" at zero load, and a tile clamps values
 * above its maximum. The maximum is a round number just above the data, never below {@link #FLOOR}.
 */
final class SparkRange {
    static final double FLOOR = 1;

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
        tile.setValue(Double.isFinite(value) ? value : 0);
    }
}
