package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.ListView;

/**
 * A list whose selection stays on the tasks the operator chose while its rows are brought up to
 * date in place. A ListView's selection follows its rows by index: when a selected row left (a
 * task moved to the back of a long lane, out of the listing) and new arrivals were appended, the
 * index could land on a task nobody selected, and Delete then cancelled that one. Here the rows'
 * own changes never choose anything: after each, every selected row is one the operator chose, and
 * a chosen task that comes back into the listing is selected again.
 */
final class SelectionById {
    private final ListView<TaskRow> list;
    /** Ids of the tasks the operator (or the screen, on their behalf) selected last. */
    private final Set<String> chosen = new HashSet<>();
    /** A change of the rows, or this class's own repair of the selection, is running. */
    private boolean rowsChanging;

    private SelectionById(ListView<TaskRow> list) {
        this.list = list;
    }

    /** A list of {@code rows} that keeps its selection by task id. */
    static ListView<TaskRow> list(ObservableList<TaskRow> rows) {
        ListView<TaskRow> list = new ListView<>();
        SelectionById selection = new SelectionById(list);
        // listeners run in the order they were added: this one before the list's own selection
        // model (attached by setItems), which moves the selection by index ...
        rows.addListener((ListChangeListener<TaskRow>) c -> selection.rowsChanging = true);
        list.setItems(rows);
        // ... and this one after it, to put the selection back on the chosen tasks
        rows.addListener((ListChangeListener<TaskRow>) c -> selection.repair());
        list.getSelectionModel().getSelectedItems().addListener((ListChangeListener<TaskRow>) c -> {
            if (!selection.rowsChanging) {
                selection.remember();
            }
        });
        return list;
    }

    private void remember() {
        chosen.clear();
        for (TaskRow row : List.copyOf(list.getSelectionModel().getSelectedItems())) {
            if (row != null) {
                chosen.add(row.id());
            }
        }
    }

    private void repair() {
        try {
            var selection = list.getSelectionModel();
            List<Integer> wrong = new ArrayList<>();
            for (int index : List.copyOf(selection.getSelectedIndices())) {
                if (index >= 0 && index < list.getItems().size() && !chosen.contains(list.getItems().get(index).id())) {
                    wrong.add(index);
                }
            }
            wrong.forEach(selection::clearSelection);
            if (!chosen.isEmpty()) {
                for (int i = 0; i < list.getItems().size(); i++) {
                    if (chosen.contains(list.getItems().get(i).id()) && !selection.isSelected(i)) {
                        selection.select(i);
                    }
                }
            }
        } finally {
            rowsChanging = false;
        }
    }
}
