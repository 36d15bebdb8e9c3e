package io.queuedeck.console;

import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.util.Duration;

/**
 * Runs work the first frame does not need (the demo load, the REST API) once the window has been
 * drawn: on two cores they would take the CPU the first layout and paint need. The second pulse
 * waits for the first frame's rendering, so the work starts after it; at the latest after
 * {@link #LATEST}, should the scene have no second pulse.
 */
final class AfterFirstFrame {
    static final Duration LATEST = Duration.seconds(3);

    private AfterFirstFrame() {
    }

    /** Call on the FX thread before the scene's window shows. */
    static void run(Scene scene, Runnable work) {
        boolean[] done = {false};
        Runnable once = () -> {
            if (!done[0]) {
                done[0] = true;
                work.run();
            }
        };
        int[] pulses = {0};
        Runnable[] listener = new Runnable[1];
        listener[0] = () -> {
            if (++pulses[0] == 2) {
                scene.removePostLayoutPulseListener(listener[0]);
                Platform.runLater(once);
            }
        };
        scene.addPostLayoutPulseListener(listener[0]);
        PauseTransition latest = new PauseTransition(LATEST);
        latest.setOnFinished(e -> once.run());
        latest.play();
    }
}
