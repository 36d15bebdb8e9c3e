package io.queuedeck.console.widgets;

import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.text.Text;

/** The width a table column's values take, in its cells' own font (the theme decides it). */
public final class ColumnValues {
    private ColumnValues() {}

    /**
     * The width the widest of {@code column}'s values listed takes in its cells, padding included, at
     * most {@code most}; 0 until one of its cells is laid out (asked again after each layout, it follows).
     */
    public static double need(TableView<?> table, TableColumn<?, ?> column, double most) {
        for (Node node : table.lookupAll(".table-cell")) {
            if (node instanceof TableCell<?, ?> cell && cell.getTableColumn() == column) {
                Text measure = new Text();
                measure.setFont(cell.getFont());
                double widest = 0;
                for (int row = 0; row < table.getItems().size(); row++) {
                    Object value = column.getCellData(row);
                    measure.setText(value == null ? "" : value.toString());
                    widest = Math.max(widest, measure.getLayoutBounds().getWidth());
                }
                return Math.min(most, Math.ceil(widest + cell.snappedLeftInset() + cell.snappedRightInset()) + 2); // + 2: rounding
            }
        }
        return 0;
    }
}
