package io.queuedeck.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What the console remembers between runs: window size, the last screen, the theme and the demo
 * load last set (empty until one is), in
 * {@code $XDG_CONFIG_HOME/queuedeck/console.properties} (else {@code ~/.config/...}). A missing
 * or unreadable file gives the defaults; a failed save is reported on stderr only, since losing
 * a window size must never stop the console from closing.
 */
public record ConsoleSettings(double width, double height, Screen screen, boolean light, java.util.OptionalDouble demoLoad) {
    public static final ConsoleSettings DEFAULTS = new ConsoleSettings(1440, 900, Screen.OVERVIEW, false,
            java.util.OptionalDouble.empty());

    /** The settings file for this user; the {@code queuedeck.settings} system property overrides it (tests). */
    public static Path defaultFile() {
        String override = System.getProperty("queuedeck.settings");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(io.queuedeck.engine.store.DataDirectory.userHome(), ".config");
        return base.resolve("queuedeck").resolve("console.properties");
    }

    public static ConsoleSettings load(Path file) {
        if (!Files.isRegularFile(file)) {
            return DEFAULTS;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            return DEFAULTS;
        }
        double width = number(p.getProperty("window.width"), DEFAULTS.width, 640, 10_000);
        double height = number(p.getProperty("window.height"), DEFAULTS.height, 480, 10_000);
        Screen screen = DEFAULTS.screen;
        try {
            if (p.getProperty("screen") != null) {
                screen = Screen.parse(p.getProperty("screen"));
            }
        } catch (IllegalArgumentException e) {
            // a screen from a newer or older version: start on the default one
        }
        double load = number(p.getProperty("demo.load"), Double.NaN, 0, 10);
        return new ConsoleSettings(width, height, screen, Boolean.parseBoolean(p.getProperty("theme.light", "false")),
                Double.isNaN(load) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(load));
    }

    public void save(Path file) {
        Properties p = new Properties();
        p.setProperty("window.width", String.valueOf(Math.round(width)));
        p.setProperty("window.height", String.valueOf(Math.round(height)));
        p.setProperty("screen", screen.name().toLowerCase(Locale.ROOT));
        p.setProperty("theme.light", String.valueOf(light));
        demoLoad.ifPresent(load -> p.setProperty("demo.load", String.valueOf(load)));
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "QueueDeck console");
            }
        } catch (IOException e) {
            System.err.println("queuedeck-console: could not save settings to " + file + ": " + e.getMessage());
        }
    }

    private static double number(String text, double fallback, double min, double max) {
        try {
            double v = Double.parseDouble(text);
            return v >= min && v <= max ? v : fallback;
        } catch (NullPointerException | NumberFormatException e) {
            return fallback;
        }
    }
}
