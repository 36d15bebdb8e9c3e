package io.queuedeck.console.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/** Loads a screen's FXML with its view object as the controller, and adds its stylesheet. */
public final class Fxml {
    private Fxml() {}

    /**
     * Loads {@code name}.fxml beside {@code controller}'s class and {@code name}.css if present.
     *
     * @throws UncheckedIOException when the FXML is missing or broken: a packaging bug
     */
    public static Parent load(Object controller, String name) {
        Class<?> type = controller.getClass();
        URL fxml = type.getResource(name + ".fxml");
        if (fxml == null) {
            throw new UncheckedIOException(new IOException("missing " + name + ".fxml beside " + type.getName()));
        }
        FXMLLoader loader = new FXMLLoader(fxml);
        loader.setController(controller);
        try {
            Parent root = loader.load();
            URL css = type.getResource(name.toLowerCase(java.util.Locale.ROOT) + ".css");
            if (css != null) {
                root.getStylesheets().add(css.toExternalForm());
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + fxml, e);
        }
    }
}
