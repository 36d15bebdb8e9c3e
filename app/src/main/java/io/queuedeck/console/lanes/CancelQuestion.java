package io.queuedeck.console.lanes;

import io.queuedeck.console.widgets.ConfirmBar;
import java.util.List;
import java.util.function.Consumer;
import javafx.scene.Node;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The question before the lanes' selection is cancelled (Delete, "Cancel selected"), as the other
 * actions that cannot be taken back ask one. It stands in the tier bar's place while it asks, so
 * nothing below moves.
 */
final class CancelQuestion {
    private final ConfirmBar bar;
    private final Consumer<List<String>> cancel;

    /** Puts the question in {@code tierBar}'s place in its parent; {@code cancel} runs on a yes. */
    CancelQuestion(Node screen, HBox tierBar, Consumer<List<String>> cancel) {
        this.cancel = cancel;
        bar = new ConfirmBar("lanes", "Keep them", screen);
        bar.getStyleClass().add("lanes-tierbar");
        tierBar.visibleProperty().bind(bar.visibleProperty().not());
        VBox top = (VBox) tierBar.getParent();
        int at = top.getChildren().indexOf(tierBar);
        top.getChildren().remove(at);
        top.getChildren().add(at, new StackPane(tierBar, bar));
    }

    /** Asks about {@code ids}; those are the tasks cancelled on a yes, whatever is selected by then. */
    void ask(List<String> ids) {
        if (ids.isEmpty()) {
            cancel.accept(ids); // says that nothing is selected
            return;
        }
        boolean one = ids.size() == 1;
        bar.ask("Cancel " + (one ? "task " + ids.getFirst() : "the " + ids.size() + " selected tasks")
                        + "? A cancelled task cannot be queued again.",
                one ? "Cancel it" : "Cancel " + ids.size() + " tasks", one ? "Keep it" : "Keep them", () -> cancel.accept(ids));
    }
}
