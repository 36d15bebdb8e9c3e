package io.queuedeck.console.widgets;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.paint.Color;
import javafx.scene.shape.Line;

/**
 * A line chart with vertical markers on its time axis (x in epoch seconds): fault injections,
 * recoveries, policy switches. Each marker has a short label at its top and a tooltip with what
 * happened, on the label and on a band a few pixels wide around the line (a 1-px line alone is
 * hard to hover). Markers outside the visible range are not drawn.
 */
public final class MarkedLineChart extends LineChart<Number, Number> {
    public static final String MARKER_CLASS = "qd-chart-marker";
    public static final String MARKER_LABEL_CLASS = "qd-chart-marker-label";
    /** Characters of a marker's text shown at its top; the tooltip has all of it. */
    static final int SHORT_LABEL = 18;

    /**
     * One marker: where, what (the tooltip), a style class for its colour, and the few words at
     * its top ({@code shortLabel}, cut to {@value #SHORT_LABEL} characters).
     */
    public record Marker(double x, String label, String styleClass, String shortLabel) {
        public Marker(double x, String label, String styleClass) {
            this(x, label, styleClass, label);
        }
    }

    /** The nodes of one marker. */
    private record Drawn(Line line, Line band, Label label) {}

    /** Rows of marker labels at a chart's top; close markers beyond them show no label (their tooltip stays). */
    static final int LABEL_ROWS = 3;

    private final List<Drawn> drawn = new ArrayList<>();
    private List<Marker> markers = List.of();

    public MarkedLineChart(NumberAxis xAxis, NumberAxis yAxis) {
        super(xAxis, yAxis);
    }

    public void setMarkers(List<Marker> next) {
        if (markers.equals(next)) {
            return; // called on every axis update: rebuilding the lines and their tooltips each time shows in frame times
        }
        markers = List.copyOf(next);
        for (Drawn d : drawn) {
            getPlotChildren().removeAll(d.band(), d.line(), d.label());
        }
        drawn.clear();
        for (Marker marker : markers) {
            Line line = new Line();
            line.getStyleClass().addAll(MARKER_CLASS, marker.styleClass());
            line.setMouseTransparent(true);
            Line band = new Line();
            band.setStroke(Color.TRANSPARENT); // picked by its shape, not its paint
            band.setStrokeWidth(9);
            Tooltip tip = new Tooltip(marker.label());
            Tooltip.install(band, tip);
            Label label = new Label(shorten(marker.shortLabel()));
            label.getStyleClass().addAll(MARKER_LABEL_CLASS, marker.styleClass());
            label.setTooltip(tip);
            drawn.add(new Drawn(line, band, label));
            getPlotChildren().addAll(band, line, label);
        }
        requestChartLayout();
    }

    /** The markers' labels, in marker order (for tests and screenshots). */
    public List<Label> markerLabels() {
        return drawn.stream().map(Drawn::label).toList();
    }

    /** Turns the segment into a gap wherever two neighbouring points are more than {@link #GAP_SECONDS} apart. */
    private static void breakAtGaps(Series<Number, Number> series) {
        if (!(series.getNode() instanceof javafx.scene.shape.Path path)) {
            return;
        }
        var elements = path.getElements();
        var data = series.getData();
        // JavaFX 21 draws a MoveTo to the first point, then a LineTo to every point, the first included
        int offset = elements.size() - data.size();
        if (data.isEmpty() || offset < 0 || offset > 1 || !(elements.getFirst() instanceof javafx.scene.shape.MoveTo)) {
            return; // not the path this was written for: leave it as drawn
        }
        for (int i = 1; i < data.size(); i++) {
            if (data.get(i).getXValue().doubleValue() - data.get(i - 1).getXValue().doubleValue() > GAP_SECONDS
                    && elements.get(i + offset) instanceof javafx.scene.shape.LineTo to) {
                elements.set(i + offset, new javafx.scene.shape.MoveTo(to.getX(), to.getY()));
            }
        }
        // a point alone between gaps (one second of finishes) drew nothing: a short stroke shows it. From the
        // last point back, so the elements of the points before keep their indexes
        for (int i = data.size() - 1; i >= 0; i--) {
            boolean gapBefore = i == 0 || data.get(i).getXValue().doubleValue() - data.get(i - 1).getXValue().doubleValue() > GAP_SECONDS;
            boolean gapAfter = i == data.size() - 1
                    || data.get(i + 1).getXValue().doubleValue() - data.get(i).getXValue().doubleValue() > GAP_SECONDS;
            javafx.scene.shape.PathElement at = elements.get(i + offset);
            if (gapBefore && gapAfter) {
                double x = at instanceof javafx.scene.shape.MoveTo m ? m.getX() : ((javafx.scene.shape.LineTo) at).getX();
                double y = at instanceof javafx.scene.shape.MoveTo m ? m.getY() : ((javafx.scene.shape.LineTo) at).getY();
                elements.add(i + offset + 1, new javafx.scene.shape.LineTo(x + 2, y));
            }
        }
    }

    static String shorten(String text) {
        return text.length() <= SHORT_LABEL ? text : text.substring(0, SHORT_LABEL - 1) + "…";
    }

    /**
     * Seconds between two points past which the line breaks: a point a second, and a second in which
     * nothing finished has none. Drawn across, a minute without a finished task read as a steady fall.
     */
    static final double GAP_SECONDS = 1.5;

    @Override
    protected void layoutPlotChildren() {
        super.layoutPlotChildren();
        for (Series<Number, Number> s : getData()) {
            breakAtGaps(s);
        }
        NumberAxis x = (NumberAxis) getXAxis();
        double height = getYAxis().getHeight();
        double[] starts = new double[drawn.size()], widths = new double[drawn.size()];
        for (int i = 0; i < drawn.size(); i++) {
            Marker marker = markers.get(i);
            Drawn d = drawn.get(i);
            boolean visible = marker.x() >= x.getLowerBound() && marker.x() <= x.getUpperBound();
            d.line().setVisible(visible);
            d.band().setVisible(visible);
            d.label().setVisible(visible);
            if (visible) {
                double px = x.getDisplayPosition(marker.x());
                for (Line line : List.of(d.line(), d.band())) {
                    line.setStartX(px);
                    line.setEndX(px);
                    line.setStartY(0);
                    line.setEndY(height);
                    line.toFront();
                }
                d.label().autosize();
                starts[i] = px + 3;
                widths[i] = d.label().getWidth();
            } else {
                starts[i] = Double.NEGATIVE_INFINITY; // out of view: hidden, and its row's end does not move
            }
        }
        // labels of close markers go a row lower rather than over each other; past the last row, none
        int[] rows = LabelRows.of(starts, widths, LABEL_ROWS);
        for (int i = 0; i < drawn.size(); i++) {
            Label label = drawn.get(i).label();
            if (label.isVisible()) {
                label.setVisible(rows[i] >= 0);
                label.relocate(starts[i], Math.max(0, rows[i]) * (label.getHeight() + 1));
                label.toFront();
            }
        }
    }
}
