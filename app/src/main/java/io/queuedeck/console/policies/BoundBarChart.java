package io.queuedeck.console.policies;

import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.control.Label;
import javafx.scene.shape.Line;

/**
 * A bar chart with a dashed line across it at one value, labelled: the reference every bar is
 * read against. The line sits in the plot, so it moves with the axis when the range changes.
 */
final class BoundBarChart extends BarChart<String, Number> {
    static final String LINE_CLASS = "compare-bound-line";
    static final String LABEL_CLASS = "compare-bound-label";

    private final Line line = new Line();
    private final Label label = new Label();
    private double bound = Double.NaN;

    BoundBarChart(CategoryAxis x, NumberAxis y) {
        super(x, y);
        line.getStyleClass().add(LINE_CLASS);
        line.setMouseTransparent(true);
        label.getStyleClass().add(LABEL_CLASS);
        label.setMouseTransparent(true);
        label.setId("compare-bound-label");
        getPlotChildren().addAll(line, label);
    }

    /** Draws the line at {@code value} with {@code text} above its right end; NaN hides it. */
    void setBound(double value, String text) {
        bound = value;
        label.setText(text);
        requestChartLayout();
    }

    /** The line's label (for tests). */
    Label boundLabel() {
        return label;
    }

    @Override
    protected void layoutPlotChildren() {
        super.layoutPlotChildren();
        boolean shown = Double.isFinite(bound);
        line.setVisible(shown);
        label.setVisible(shown);
        if (!shown) {
            return;
        }
        double width = getXAxis().getWidth();
        double y = getYAxis().getDisplayPosition(bound);
        line.setStartX(0);
        line.setEndX(width);
        line.setStartY(y);
        line.setEndY(y);
        double w = label.prefWidth(-1);
        double h = label.prefHeight(w);
        // above the line, or below it where the line runs along the plot's top (the tallest bar's)
        label.resizeRelocate(Math.max(0, width - w - 4), y - h - 2 >= 0 ? y - h - 2 : y + 2, w, h);
        line.toFront(); // bars added after the line would hide it
        label.toFront();
    }
}
