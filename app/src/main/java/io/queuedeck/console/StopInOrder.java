package io.queuedeck.console;

import java.io.PrintStream;
import java.util.List;

/**
 * The console's stop: its parts closed in order, every one of them even when one before it fails,
 * so a REST API that throws on close cannot leave the task store open or the process running.
 */
final class StopInOrder {
    private StopInOrder() {}

    /** A part of the console to close; {@code close} may be null when the part never started. */
    record Part(String name, Runnable close) {}

    /** @return whether every part closed; each failure is printed with the part's name */
    static boolean close(List<Part> parts, PrintStream err) {
        boolean clean = true;
        for (Part part : parts) {
            if (part.close() == null) {
                continue;
            }
            try {
                part.close().run();
            } catch (RuntimeException | LinkageError e) { // a missing class on the way out is a failure too
                err.println("queuedeck-console: closing " + part.name() + " failed: " + e);
                clean = false;
            }
        }
        return clean;
    }
}
