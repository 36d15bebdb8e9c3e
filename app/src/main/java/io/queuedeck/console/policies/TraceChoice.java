package io.queuedeck.console.policies;

import java.io.File;
import java.util.List;
import java.util.function.Consumer;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Tooltip;
import javafx.stage.FileChooser;

/** The trace picker both tabs of the screen share: a shipped trace, or a CSV file chosen with Browse…. */
final class TraceChoice {
    private TraceChoice() {}

    /** Fills {@code box} with the shipped traces and makes {@code browse} hand a chosen file's path to {@code chosen}. */
    static void wire(ComboBox<String> box, Button browse, List<String> shipped, Consumer<String> chosen) {
        box.getItems().setAll(shipped);
        box.setTooltip(new Tooltip("A shipped trace, or the path of a CSV trace (QueueDeck's or Azure's format)"));
        browse.setTooltip(new Tooltip("Choose a trace file"));
        browse.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV trace", "*.csv"));
            File file = chooser.showOpenDialog(browse.getScene().getWindow());
            if (file != null) {
                chosen.accept(file.getAbsolutePath());
            }
        });
    }
}
