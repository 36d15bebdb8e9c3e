package io.queuedeck.console;

import javafx.application.Application;

/**
 * Entry point for the fat jar and jpackage. It must not extend {@link Application}: with
 * JavaFX on the classpath, a main class that does fails with "JavaFX runtime components are
 * missing".
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(ConsoleApp.class, args);
    }
}
