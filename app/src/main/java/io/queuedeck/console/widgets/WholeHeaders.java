package io.queuedeck.console.widgets;

import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumnBase;
import javafx.scene.control.TableView;
import javafx.scene.control.skin.TableColumnHeader;

/**
 * Every column of a table at least as wide as its header's words. A constrained resize policy
 * shrinks the columns alike in a narrow window, and at 1024 px the Flow tab's headers read "Que…",
 * "Spil…", "Time…": here each column's least width is its header's text in the header's own font
 * (the theme decides it), so the policy takes the room from what is wider than its header, and
 * only where all the headers together do not fit does the table scroll sideways.
 */
public final class WholeHeaders {
    /** Narrower padding around a header's words, for a table of many short columns (the Flow tab's twelve). */
    public static final String TIGHT_CLASS = "qd-tight-headers";

    private WholeHeaders() {}

    /**
     * Keeps each of {@code table}'s columns at least as wide as its header, measured after each layout,
     * and at least its own least width as set before this call (one its values need).
     */
    public static void keep(TableView<?> table) {
        keep(table, column -> 0);
    }

    /**
     * As {@link #keep(TableView)}, each column also at least {@code valuesNeed} of it, asked after each
     * layout: the width its values take now (the Flow tab's tenant names), which a least width set once cannot follow.
     */
    public static void keep(TableView<?> table, java.util.function.ToDoubleFunction<TableColumnBase<?, ?>> valuesNeed) {
        java.util.Map<TableColumnBase<?, ?>, Double> own = new java.util.IdentityHashMap<>();
        table.getVisibleLeafColumns().forEach(column -> own.put(column, column.getMinWidth()));
        table.needsLayoutProperty().addListener((o, was, needs) -> {
            if (!needs) {
                fit(table, own, valuesNeed);
            }
        });
    }

    private static void fit(TableView<?> table, java.util.Map<TableColumnBase<?, ?>, Double> own,
                            java.util.function.ToDoubleFunction<TableColumnBase<?, ?>> valuesNeed) {
        boolean changed = false;
        for (Node node : table.lookupAll(".column-header")) {
            if (node instanceof TableColumnHeader header && header.getTableColumn() != null
                    && header.lookup(".label") instanceof Label label && label.getText() != null && !label.getText().isEmpty()) {
                TableColumnBase<?, ?> column = header.getTableColumn();
                // the words in the label's font, not the label's own preferred width, which follows the column's
                javafx.scene.text.Text words = new javafx.scene.text.Text(label.getText());
                words.setFont(label.getFont());
                double least = Math.ceil(words.getLayoutBounds().getWidth() + label.snappedLeftInset() + label.snappedRightInset()
                        + header.snappedLeftInset() + header.snappedRightInset()) + 1; // + 1: the text's own rounding
                least = Math.max(Math.max(least, own.getOrDefault(column, 0.0)), Math.ceil(valuesNeed.applyAsDouble(column)));
                if (least != column.getMinWidth()) { // set only when it changes: a set asks for another layout
                    column.setMinWidth(least);
                    changed = true;
                }
            }
        }
        if (changed) {
            refit(table);
        }
    }

    /**
     * The resize policy fitted again to the table's width: a least width raised after the fit (a longer
     * tenant name) widened its column alone, and at 1280 px the Flow tab's last column left the view.
     */
    private static <S> void refit(TableView<S> table) {
        table.getColumnResizePolicy().call(new TableView.ResizeFeatures<>(table, null, 0.0));
    }
}
