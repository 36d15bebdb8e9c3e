package io.queuedeck.console.lanes;

import atlantafx.base.theme.Styles;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The lanes screen's last column: the dead letters, oldest first. */
final class DeadLetterColumn {
    private DeadLetterColumn() {}

    /** The dead letters: multi-select, Retry (or R) queues them again, double-click inspects. */
    static VBox of(LanesViewModel model) {
        Label title = new Label("Dead letters");
        title.getStyleClass().add("lane-title");
        title.setTooltip(new Tooltip("Tasks that failed every attempt; retry queues them again"));
        Label count = new Label("0");
        count.setId("lane-dead-count");
        Tooltip tip = new Tooltip();
        count.setTooltip(tip);
        Runnable showCount = () -> {
            int shown = model.deadLetters().size();
            int total = Math.max(shown, model.deadLetterTotalProperty().get());
            count.setText(LaneColumn.compact(total));
            tip.setText(String.format(Locale.ROOT, "%,d dead letters", total)
                    + (shown < total ? String.format(Locale.ROOT, "; the oldest %,d listed", shown) : ""));
        };
        model.deadLetters().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> showCount.run());
        model.deadLetterTotalProperty().addListener((o, a, v) -> showCount.run());
        showCount.run();
        ListView<TaskRow> list = LaneColumn.list(model, model.deadLetters(), "lane-dead", "none", null);
        Button retry = new Button("Retry selected");
        retry.setMaxWidth(Double.MAX_VALUE);
        retry.setId("lanes-retry");
        retry.getStyleClass().add(Styles.SMALL);
        retry.setTooltip(new Tooltip("Queue the selected dead letters again, each with a fresh set of attempts (R)"));
        retry.disableProperty().bind(Bindings.isEmpty(list.getSelectionModel().getSelectedItems()));
        Runnable retrySelected = () -> model.retry(list.getSelectionModel().getSelectedItems().stream().map(TaskRow::id).toList());
        retry.setOnAction(e -> retrySelected.run());
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.R) {
                retrySelected.run();
            } else if (e.getCode() == KeyCode.ENTER && list.getSelectionModel().getSelectedItem() != null) {
                model.inspect(list.getSelectionModel().getSelectedItem().id());
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);
        Label columns = new Label("oldest first");
        columns.getStyleClass().add("lane-columns");
        title.setMinWidth(0);
        VBox box = LaneColumn.box(LaneColumn.header(title, count, null), columns, list, retry);
        box.getStyleClass().add("dead-lane");
        return box;
    }
}
