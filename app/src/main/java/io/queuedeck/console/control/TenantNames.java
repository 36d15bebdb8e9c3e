package io.queuedeck.console.control;

import javafx.scene.control.OverrunStyle;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;

/**
 * The Flow tab's tenant names, read whole (decision 0142): the column is as wide as the longest name
 * listed, and the table scrolls sideways where the other columns then do not fit; a name wider than
 * {@value #MOST} px loses its middle, not its end ("research-batch-...-shard-0042"), whole in its tooltip.
 */
final class TenantNames {
    /** The widest the column gets for a name: about 50 characters, so the figures stay beside it. */
    static final double MOST = 360;

    private TenantNames() {}

    /** Cells that cut a name in its middle and show it whole on hover. */
    static <R> void show(TableColumn<R, String> column) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Tooltip whole = new Tooltip();

            {
                setTextOverrun(OverrunStyle.CENTER_ELLIPSIS); // tenants often share a head and differ at the end
            }

            @Override
            protected void updateItem(String name, boolean empty) {
                super.updateItem(name, empty);
                setText(empty ? null : name);
                whole.setText(name);
                setTooltip(empty || name == null ? null : whole);
            }
        });
    }

    /** The width the longest name listed takes in {@code column}'s cells, at most {@link #MOST}. */
    static double need(TableView<?> table, TableColumn<?, String> column) {
        return io.queuedeck.console.widgets.ColumnValues.need(table, column, MOST);
    }
}
