package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleSettingsTest {
    @TempDir
    Path dir;

    @Test
    void load_missingFile_defaults() {
        assertThat(ConsoleSettings.load(dir.resolve("none.properties"))).isEqualTo(ConsoleSettings.DEFAULTS);
    }

    @Test
    void saveThenLoad_roundTrips() {
        Path file = dir.resolve("sub/console.properties");
        new ConsoleSettings(1200, 800, Screen.LANES, true, java.util.OptionalDouble.of(0)).save(file);

        assertThat(ConsoleSettings.load(file)).isEqualTo(new ConsoleSettings(1200, 800, Screen.LANES, true,
                java.util.OptionalDouble.of(0))); // a demo load set to none stays none
    }

    @Test
    void load_garbage_fallsBackPerField() throws IOException {
        Path file = dir.resolve("console.properties");
        Files.writeString(file, "window.width=huge\nwindow.height=700\nscreen=teleport\n");

        assertThat(ConsoleSettings.load(file)).isEqualTo(new ConsoleSettings(ConsoleSettings.DEFAULTS.width(), 700, Screen.OVERVIEW, false,
                java.util.OptionalDouble.empty()));
    }

    /** The window that says the engine is starting took only --light: a console left light opened dark, then turned light. */
    @Test
    void aConsoleLeftLight_opensLight_fromItsFirstWindow() {
        ConsoleSettings leftLight = new ConsoleSettings(1200, 800, Screen.LANES, true, java.util.OptionalDouble.empty());
        ConsoleOptions noFlag = ConsoleOptions.parse(java.util.List.of());

        assertThat(ConsoleTheme.background(noFlag, leftLight)).isEqualTo(javafx.scene.paint.Color.WHITE);
        assertThat(ConsoleTheme.background(noFlag, ConsoleSettings.DEFAULTS)).isNotEqualTo(javafx.scene.paint.Color.WHITE);
        assertThat(ConsoleTheme.background(ConsoleOptions.parse(java.util.List.of("--light")), ConsoleSettings.DEFAULTS))
                .isEqualTo(javafx.scene.paint.Color.WHITE);
    }
}
