package io.queuedeck.console;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;

/** The console's theme: Primer light or dark, from {@code --light} or what the last run ended with. */
final class ConsoleTheme {
    private ConsoleTheme() {}

    /** The user agent stylesheet set last: setting the same one again reads it again to compare checksums. */
    private static String theme;

    /** The dark theme's page background (Primer Dark's {@code -color-bg-default}). */
    private static final javafx.scene.paint.Color DARK_BACKGROUND = javafx.scene.paint.Color.web("#0d1117");

    /** Light when {@code --light} says so or the last run ended light: the opening window too, which flashed dark before. */
    static boolean light(ConsoleOptions options, ConsoleSettings settings) {
        return options.light() || settings.light();
    }

    /** The theme's page background, for a scene's fill before its stylesheet paints. */
    static javafx.scene.paint.Color background(ConsoleOptions options, ConsoleSettings settings) {
        return light(options, settings) ? javafx.scene.paint.Color.WHITE : DARK_BACKGROUND;
    }

    /** Sets the user agent stylesheet of {@code light}'s theme, unless it is set already. */
    static void apply(boolean light) {
        String next = light ? new PrimerLight().getUserAgentStylesheet() : new PrimerDark().getUserAgentStylesheet();
        if (!next.equals(theme)) {
            theme = next;
            Application.setUserAgentStylesheet(next);
        }
    }
}
