package io.queuedeck.console;

import io.queuedeck.engine.Engine;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

/**
 * What the window does when its engine's scheduler loop dies (an error on the loop, or one pass
 * stuck past the stall timeout, decision 0107). The engine has already failed its health and
 * refuses commands; {@code serve} would end at once with exit code 70 so that a supervisor
 * restarts it. Someone who started the console from a desktop sees nothing of its standard error,
 * so the window first replaces its screens with what happened and what became of the queue, and
 * Close (or closing the window, or a signal) ends the process with that code. Should the window not
 * manage to say so within {@link #SAY_WITHIN_SECONDS} (its own thread stuck), the process ends
 * anyway.
 */
final class DeadLoop {
    static final int SAY_WITHIN_SECONDS = 10;

    private final Stage stage;
    private final Path stateDir;
    private final IntConsumer halt;
    private final AtomicBoolean reported = new AtomicBoolean();

    /**
     * @param stateDir where the queue is kept, or null in memory
     * @param halt     ends the process with the code given (halt, not exit: shutdown hooks would
     *                 wait for the loop that died)
     */
    DeadLoop(Stage stage, Path stateDir, IntConsumer halt) {
        this.stage = stage;
        this.stateDir = stateDir;
        this.halt = halt;
    }

    /** Any thread; only the first failure is shown. */
    void report(Throwable failure) {
        if (!reported.compareAndSet(false, true)) {
            return;
        }
        System.err.println("queuedeck-console: " + message(failure, stateDir));
        AtomicBoolean shown = new AtomicBoolean();
        Thread.ofPlatform().name("queuedeck-dead-loop").daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(SAY_WITHIN_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!shown.get()) {
                halt.accept(Engine.Builder.LOOP_FAILURE_EXIT_CODE);
            }
        });
        Platform.runLater(() -> {
            show(failure);
            shown.set(true);
        });
    }

    /** What the window and standard error say: what stopped, its cause's first line, and the queue's fate. */
    static String message(Throwable failure, Path stateDir) {
        String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage().lines().findFirst().orElse("");
        return "The scheduler stopped and nothing more can run in this window (" + why + "). "
                + (stateDir != null ? "Every task accepted is kept in " + stateDir + " and runs again at the next start."
                : "The queue was in memory: its tasks are lost.")
                + " Close ends QueueDeck with exit code " + Engine.Builder.LOOP_FAILURE_EXIT_CODE + ".";
    }

    private void show(Throwable failure) {
        Label text = new Label(message(failure, stateDir));
        text.setId("dead-loop-message");
        text.setWrapText(true);
        text.setMaxWidth(640);
        text.setMinHeight(Region.USE_PREF_SIZE); // the whole message, never "…"
        Button close = new Button("Close");
        close.setId("dead-loop-close");
        close.setDefaultButton(true);
        close.setOnAction(e -> end());
        VBox box = new VBox(16, text, close);
        box.setAlignment(Pos.CENTER);
        box.setPadding(new Insets(24));
        stage.getScene().setRoot(box);
        stage.setOnCloseRequest(e -> end());
        for (String name : java.util.List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> end());
        }
        close.requestFocus();
    }

    private void end() {
        halt.accept(Engine.Builder.LOOP_FAILURE_EXIT_CODE);
    }
}
