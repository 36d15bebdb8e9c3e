package io.queuedeck.console.widgets;

import java.util.IdentityHashMap;
import java.util.Map;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/**
 * Column widths that follow the table's width only, not the way it got there. A constrained
 * resize policy works from the widths the columns have: narrowed, it takes from some columns,
 * and widened again it gives the room to the last one, so a column cut in a narrow window stayed
 * cut after the window was made wide again. On every change of the table's width the columns go
 * back to the widths they were designed with, and the policy fits those to the new width.
 */
public final class DesignedColumns {
    private DesignedColumns() {}

    /** Keeps {@code table}'s columns' current preferred widths as their design. */
    public static void keep(TableView<?> table) {
        Map<TableColumn<?, ?>, Double> designed = new IdentityHashMap<>();
        for (TableColumn<?, ?> column : table.getVisibleLeafColumns()) {
            designed.put(column, column.getPrefWidth());
        }
        table.widthProperty().addListener((o, was, now) -> designed.forEach((column, width) -> {
            column.setPrefWidth(width + 1); // a column takes its preferred width when that changes
            column.setPrefWidth(width);
        }));
    }
}
