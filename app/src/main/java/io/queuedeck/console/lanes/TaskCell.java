package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableLongValue;
import javafx.css.PseudoClass;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tooltip;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/**
 * Two lines per task: id and its wait (the wait column, right-aligned, never cut); model,
 * tenant, sizes and attempts, cut at the end when the lane is narrow (the tooltip has all). A
 * task dragged onto a row goes just above it ({@code rowDrop}: dragged ids, this row's id; null
 * where rows take no drops). The wait counts on with the engine clock, not with new rows.
 */
final class TaskCell extends ListCell<TaskRow> {
    static final String CELL_CLASS = "task-cell";
    static final String WAIT_CLASS = "task-wait";
    private static final PseudoClass DROP_BEFORE = PseudoClass.getPseudoClass("drop-before");

    private final Label id = new Label();
    private final Label wait = new Label();
    private final Label details = new Label();
    private final Label badge = new Label();
    private final GridPane grid = new GridPane();
    private final Tooltip tooltip = new Tooltip();
    private final ObservableLongValue clock;

    TaskCell(BiConsumer<List<String>, String> rowDrop, ObservableBooleanValue levelView, ObservableLongValue clock) {
        this.clock = clock;
        getStyleClass().add(CELL_CLASS);
        id.getStyleClass().add("task-id");
        wait.getStyleClass().add(WAIT_CLASS);
        details.getStyleClass().add("task-details");
        badge.getStyleClass().add("task-badge");
        for (Label label : List.of(id, details)) {
            label.setMinWidth(0);
            label.setTextOverrun(OverrunStyle.ELLIPSIS);
        }
        // ids share their start ("bulk9-000…" on every row once waits took minutes): an id keeps its end
        id.setTextOverrun(OverrunStyle.CENTER_ELLIPSIS);
        wait.setMinWidth(Region.USE_PREF_SIZE);
        badge.setMinWidth(Region.USE_PREF_SIZE);
        grid.setHgap(6);
        grid.add(id, 0, 0);
        grid.add(wait, 1, 0);
        grid.add(details, 0, 1);
        grid.add(badge, 1, 1);
        GridPane.setHgrow(id, Priority.ALWAYS);
        GridPane.setHgrow(details, Priority.ALWAYS);
        GridPane.setHalignment(wait, javafx.geometry.HPos.RIGHT);
        GridPane.setHalignment(badge, javafx.geometry.HPos.RIGHT);
        grid.setMinWidth(0);
        setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
        setPrefWidth(0); // cells take the lane's width: no horizontal scrolling for long lines
        // a weak listener: a cell the list throws away must not stay reachable from the clock
        javafx.beans.InvalidationListener tick = o -> showWait();
        clock.addListener(new javafx.beans.WeakInvalidationListener(tick));
        getProperties().put("qd.tick", tick); // keeps the listener as long as the cell
        if (rowDrop != null) {
            setOnDragOver(e -> {
                if (getItem() != null && !levelView.get() && e.getDragboard().hasString()
                        && e.getGestureSource() instanceof TaskCell && e.getGestureSource() != this) {
                    e.acceptTransferModes(TransferMode.MOVE);
                    pseudoClassStateChanged(DROP_BEFORE, true);
                    e.consume();
                }
            });
            setOnDragExited(e -> pseudoClassStateChanged(DROP_BEFORE, false));
            setOnDragDropped(e -> {
                if (getItem() != null && e.getDragboard().hasString()) {
                    rowDrop.accept(draggedIds(e.getDragboard()), getItem().id());
                    e.setDropCompleted(true);
                    e.consume();
                }
            });
        }
        setOnDragDetected(e -> {
            TaskRow row = getItem();
            if (row == null || rowDrop == null) { // dead letters are retried, not dragged
                return;
            }
            List<String> ids = getListView().getSelectionModel().getSelectedItems().stream().map(TaskRow::id).toList();
            if (!ids.contains(row.id())) {
                ids = List.of(row.id());
            }
            Dragboard board = startDragAndDrop(TransferMode.MOVE);
            ClipboardContent content = new ClipboardContent();
            content.putString(String.join("\n", ids));
            board.setContent(content);
            e.consume();
        });
    }

    static List<String> draggedIds(Dragboard board) {
        return Arrays.stream(board.getString().split("\n")).filter(s -> !s.isBlank()).toList();
    }

    @Override
    protected void updateItem(TaskRow row, boolean empty) {
        super.updateItem(row, empty);
        if (empty || row == null) {
            setGraphic(null);
            setTooltip(null);
            return;
        }
        id.setText(row.id());
        // sizes first, the model last: a narrow lane cuts the end, and the model is mostly every row's
        // ("llama-2-7b · 141…" lost the sizes beside the inspector)
        details.setText(String.format(Locale.ROOT, "%d→%d tok", row.promptTokens(), row.outputTokens())
                + (row.tenant().isEmpty() ? "" : " · " + row.tenant()) + " · " + row.model());
        String flag = flag(row);
        badge.setText(flag);
        badge.setVisible(!flag.isEmpty());
        tooltip.setText(String.format(Locale.ROOT, "%s%nmodel %s · tenant %s · P%d%s%n%d prompt → %d output tokens%s",
                row.id(), row.model(), row.tenant().isEmpty() ? "–" : row.tenant(), row.priority(),
                row.level() > 0 ? " · level " + row.level() : "", row.promptTokens(), row.outputTokens(),
                row.attempts() > 1 ? " · attempt " + row.attempts() : ""));
        setTooltip(tooltip);
        showWait();
        setGraphic(grid);
    }

    /**
     * The row's badge: its attempt and a state other than waiting. A dead letter shows neither: its
     * wait column already says "3 tries" (it read "3 tries … try 3").
     */
    static String flag(LanesViewModel.TaskRow row) {
        if (row.state().equals("dead_lettered")) {
            return "";
        }
        String flag = row.attempts() > 1 ? "try " + row.attempts() : "";
        if (!row.state().equals("queued")) {
            flag = flag.isEmpty() ? row.state() : flag + " · " + row.state();
        }
        return flag;
    }

    private void showWait() {
        TaskRow row = getItem();
        if (row != null && !isEmpty()) {
            // a dead letter waits for nobody: its attempts say more
            String text = row.state().equals("dead_lettered") ? row.attempts() + (row.attempts() == 1 ? " try" : " tries")
                    : TaskRow.compactWait(row.waitedMs(clock.get()));
            if (!text.equals(wait.getText())) {
                wait.setText(text);
            }
        }
    }
}
