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
     * and "2 minutes" held 1 to 2. {@link #show} makes every value a change, so every sample is two points.
     */
    static final int POINTS_PER_SAMPLE = 2;
    /** Past TilesFX's equality of values (1e-6), below any figure a tile shows. */
    private static final double NUDGE = 2e-6;

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
        // within TilesFX's equality (1e-6) of the last value it would add one point or three, not two: a
        // step of 2e-6 makes it a change, and no tile shows six decimals
        tile.setValue(Math.abs(shown - tile.getValue()) < 1.5e-6 ? tile.getValue() + NUDGE : shown);
    }
}
