package io.queuedeck.console;

import java.util.List;
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
        StartTimes.mark("main()");
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(ConsoleOptions.USAGE);
            return;
        }
        ConsoleOptions options = null;
        try {
            options = ConsoleOptions.parse(List.of(args)); // fail fast, before a window opens
        } catch (IllegalArgumentException e) {
            System.err.println("queuedeck-console: " + e.getMessage());
            System.err.print(ConsoleOptions.USAGE);
            System.exit(2);
        }
        ConsoleOptions parsed = options;
        MemoryTuning.apply();
        Rendering.choose();
        if (parsed.benchUi().isEmpty()) { // the UI benchmark starts its own engine
            parsed.stateDirectory(System::getenv, io.queuedeck.engine.store.DataDirectory.userHome())
                    .ifPresent(dir -> QueueOpening.begin(parsed, dir));
        }
        Application.launch(ConsoleApp.class, args);
        // the window is gone and the console stopped: end the process and say how the run ended, also
        // when the FX thread is still held by a native file chooser left open (it then never ended)
        System.exit(ConsoleApp.exitCode());
    }
}
