package io.queuedeck.console;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

/** The QueueDeck console window. Placeholder until the console lands in its own issue. */
public final class ConsoleApp extends Application {

    @Override
    public void start(Stage stage) {
        Label placeholder = new Label("The QueueDeck console arrives in its own issue.");
        // Scene before show(): under headless Monocle a stage shown without one sits at NaN.
        stage.setScene(new Scene(new StackPane(placeholder), 640, 400));
        stage.setTitle("QueueDeck");
        stage.show();
    }
}
