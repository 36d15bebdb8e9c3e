package io.queuedeck.console.ui;

import javafx.scene.paint.Color;

/**
 * Colours that must be given in code (TilesFX and chart markers take Color objects). Everything
 * else is styled in CSS; these match the theme's accents in console.css.
 */
public final class Palette {
    private Palette() {}

    public static final Color TILE_BACKGROUND = Color.web("#161b22");
    public static final Color TILE_FOREGROUND = Color.web("#c9d1d9");
    public static final Color TILE_BACKGROUND_LIGHT = Color.web("#f6f8fa");
    public static final Color TILE_FOREGROUND_LIGHT = Color.web("#1f2328");
    public static final Color ACCENT = Color.web("#58a6ff");
    public static final Color GREEN = Color.web("#3fb950");
    public static final Color YELLOW = Color.web("#d29922");
    public static final Color ORANGE = Color.web("#db6d28");
    public static final Color RED = Color.web("#f85149");
    public static final Color PURPLE = Color.web("#bc8cff");
    public static final Color GREY = Color.web("#8b949e");

    /** Colour of priority 0 (most urgent, red) through 9 (bulk, grey-blue). */
    public static Color priority(int priority) {
        return switch (priority) {
            case 0 -> RED;
            case 1 -> ORANGE;
            case 2 -> YELLOW;
            case 3, 4 -> GREEN;
            case 5, 6 -> ACCENT;
            default -> PURPLE;
        };
    }
}
