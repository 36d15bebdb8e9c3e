package io.queuedeck.console.widgets;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.control.Tooltip;
import javafx.scene.shape.Line;

/**
 * A line chart with vertical markers on its time axis (x in epoch seconds): fault injections,
 * recoveries, policy switches. Markers outside the visible range are not drawn.
 */
public final class MarkedLineChart extends LineChart<Number, Number> {
    public static final String MARKER_CLASS = "qd-chart-marker";

    /** One marker: where, what, and a style class for its colour. */
    public record Marker(double x, String label, String styleClass) {}

    private final List<Line> lines = new ArrayList<>();
    private List<Marker> markers = List.of();

    public MarkedLineChart(NumberAxis xAxis, NumberAxis yAxis) {
        super(xAxis, yAxis);
    }

    public void setMarkers(List<Marker> next) {
        if (markers.equals(next)) {
            return; // called on every axis update: rebuilding the lines and their tooltips each time shows in frame times
        }
        markers = List.copyOf(next);
        getPlotChildren().removeAll(lines);
        lines.clear();
        for (Marker marker : markers) {
            Line line = new Line();
            line.getStyleClass().addAll(MARKER_CLASS, marker.styleClass());
            Tooltip.install(line, new Tooltip(marker.label()));
            lines.add(line);
        }
        getPlotChildren().addAll(lines);
        requestChartLayout();
    }

    @Override
    protected void layoutPlotChildren() {
        super.layoutPlotChildren();
        NumberAxis x = (NumberAxis) getXAxis();
        double height = getYAxis().getHeight();
        for (int i = 0; i < lines.size(); i++) {
            Marker marker = markers.get(i);
            Line line = lines.get(i);
            boolean visible = marker.x() >= x.getLowerBound() && marker.x() <= x.getUpperBound();
            line.setVisible(visible);
            if (visible) {
                double px = x.getDisplayPosition(marker.x());
                line.setStartX(px);
                line.setEndX(px);
                line.setStartY(0);
                line.setEndY(height);
                line.toFront();
            }
        }
    }
}
