package io.queuedeck.console.widgets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.scene.control.ConstrainedColumnResizeBase;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.util.Callback;

/**
 * Column widths that follow the table's width only, not the way it got there. A constrained
 * resize policy works from the widths the columns have: narrowed, it takes from some columns,
 * and widened again it gives the room to the last one, so a column cut in a narrow window stayed
 * cut after the window was made wide again. On every change of the table's width the columns go
 * back to the widths they were designed with, and the policy fits those to the new width.
 *
 * <p>A column the operator sized by hand (a drag of its header's edge) is the exception: that
 * width is its design from then on, and the fit to a new width leaves it as the operator made it,
 * taking from and giving to the other columns only.
 */
public final class DesignedColumns {
    private DesignedColumns() {}

    /** Keeps {@code table}'s columns' current preferred widths as their design; call it after setting its resize policy. */
    public static <S> void keep(TableView<S> table) {
        Map<TableColumn<?, ?>, Double> designed = new IdentityHashMap<>();
        for (TableColumn<?, ?> column : table.getVisibleLeafColumns()) {
            designed.put(column, column.getPrefWidth());
        }
        table.setColumnResizePolicy(new HandSized(table.getColumnResizePolicy(), designed));
        table.widthProperty().addListener((o, was, now) -> designed.forEach((column, width) -> {
            column.setPrefWidth(width + 1); // a column takes its preferred width when that changes
            column.setPrefWidth(width);
        }));
    }

    /**
     * The table's own policy, told apart: a call for a column is the operator's drag, whose result
     * becomes that column's design; a call for none is a fit to the table's width, during which the
     * columns sized by hand are held at their width (their least and most, for that call only).
     * A {@link ConstrainedColumnResizeBase}, as the policy it wraps: the skin then still fits the
     * columns to the width instead of scrolling sideways.
     */
    private static final class HandSized extends ConstrainedColumnResizeBase implements Callback<TableView.ResizeFeatures, Boolean> {
        private final Callback<TableView.ResizeFeatures, Boolean> fit;
        private final Map<TableColumn<?, ?>, Double> designed;
        private final Set<TableColumn<?, ?>> byHand = Collections.newSetFromMap(new IdentityHashMap<>());

        HandSized(Callback<TableView.ResizeFeatures, Boolean> fit, Map<TableColumn<?, ?>, Double> designed) {
            this.fit = fit;
            this.designed = designed;
        }

        @Override
        public Boolean call(TableView.ResizeFeatures features) {
            TableColumn<?, ?> column = features.getColumn();
            if (column != null) {
                Boolean done = fit.call(features);
                if (designed.containsKey(column)) {
                    byHand.add(column);
                    designed.put(column, column.getWidth());
                }
                return done;
            }
            if (byHand.isEmpty()) {
                return fit.call(features);
            }
            // where the others at their least do not leave the operator's widths, those give way as little as
            // they must (a pixel spare): held at full width, the fit failed and the last columns went out of view
            TableView<?> table = features.getTable();
            double othersLeast = 0;
            double handTotal = 0;
            for (TableColumn<?, ?> each : table.getVisibleLeafColumns()) {
                if (byHand.contains(each)) {
                    handTotal += designed.get(each);
                } else {
                    othersLeast += each.getMinWidth();
                }
            }
            double scale = Math.min(1, Math.max(0, features.getContentWidth() - othersLeast - 1) / handTotal);
            List<Runnable> restore = new ArrayList<>();
            for (TableColumn<?, ?> held : byHand) {
                double min = held.getMinWidth();
                double max = held.getMaxWidth();
                double width = Math.max(min, Math.floor(designed.get(held) * scale));
                held.setMaxWidth(Math.max(max, width)); // widen the bounds first, so neither clamps the other
                held.setMinWidth(width);
                held.setMaxWidth(width);
                restore.add(() -> {
                    held.setMinWidth(min);
                    held.setMaxWidth(max);
                });
            }
            Boolean done;
            try {
                done = fit.call(features);
            } finally {
                restore.forEach(Runnable::run);
            }
            double sum = table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum();
            return sum > features.getContentWidth() + 0.5 ? fit.call(features) : done; // held, it did not fit: every column gives way
        }
    }
}
