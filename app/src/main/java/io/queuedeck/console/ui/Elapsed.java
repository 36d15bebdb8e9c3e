package io.queuedeck.console.ui;

import java.util.Locale;

/** A time span in milliseconds as a person reads it: "840 ms", "12.4 s", "16 min 54 s", "2 h 05 min". */
public final class Elapsed {
    private Elapsed() {}

    /** {@code ms} in the largest units that keep it short; "–" for NaN. */
    public static String of(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms < 1_000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1_000);
        }
        long seconds = (long) (ms / 1_000);
        if (seconds < 3_600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%,d h %02d min", seconds / 3_600, seconds / 60 % 60);
    }
}
