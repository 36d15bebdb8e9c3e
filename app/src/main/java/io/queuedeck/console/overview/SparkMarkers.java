package io.queuedeck.console.overview;

import io.queuedeck.console.gateway.ChangeLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Line;

/**
 * Fault markers on the Overview's sparklines, as on the Latency charts: each fault injected or
 * cleared in the sparklines' window is a vertical line over every sparkline tile, with a short
 * label at its top and the whole change-log entry as a tooltip. TilesFX draws sparklines itself,
 * so the markers are an overlay on each tile, placed by time between the oldest and newest point
 * the sparklines hold (one point a second).
 */
final class SparkMarkers {
    static final String MARKER_CLASS = "qd-spark-marker";
    static final String LABEL_CLASS = "qd-spark-marker-label";
    /** Characters of the label at a marker's top; the tooltip has all of it. */
    static final int SHORT_LABEL = 12;
    /** Rows of labels a tile has room for below its value; close markers beyond them show no label. */
    static final int LABEL_ROWS = 2;
    /** The sparkline's inset from the tile's sides, as a fraction of its width (TilesFX pads its graph). */
    private static final double INSET = 0.05;
    /**
     * Where a marker starts, as a fraction of the tile's height: below the tile's big value, which
     * ends near 0.35 (at 0.3 the labels were drawn over the value's digits, seen at 1280 x 800).
     */
    static final double TOP = 0.45;

    /** A marker placed on the sparklines: {@code fraction} 0 is the oldest point, 1 the newest. */
    record Placed(double fraction, String shortLabel, String tooltip, String styleClass) {}

    private final ObservableList<ChangeLog.Entry> entries;
    private final List<Pane> overlays = new ArrayList<>();
    private List<Placed> shown = List.of();

    SparkMarkers(ObservableList<ChangeLog.Entry> entries) {
        this.entries = entries;
    }

    /**
     * The fault and recovery entries between {@code oldest} and {@code newest}, placed; the rest
     * (policy switches, operator actions) stay on the Latency charts, where there is room.
     */
    static List<Placed> place(List<ChangeLog.Entry> entries, Instant oldest, Instant newest) {
        List<Placed> placed = new ArrayList<>();
        if (oldest == null || newest == null || !newest.isAfter(oldest)) {
            return placed;
        }
        double span = newest.toEpochMilli() - oldest.toEpochMilli();
        for (ChangeLog.Entry entry : entries) {
            if (entry.kind() != ChangeLog.Kind.FAULT && entry.kind() != ChangeLog.Kind.RECOVERY
                    || entry.at().isBefore(oldest) || entry.at().isAfter(newest)) {
                continue;
            }
            double fraction = (entry.at().toEpochMilli() - oldest.toEpochMilli()) / span;
            placed.add(new Placed(fraction, shorten(entry.text()), entry.text(),
                    "marker-" + entry.kind().name().toLowerCase(Locale.ROOT)));
        }
        return placed;
    }

    /** The few words at a marker's top: a fault's label without its id ("fault f-3: slow …" → "slow …"). */
    static String shorten(String text) {
        String words = text.replaceFirst("^fault (cleared )?f-\\d+: ", (text.contains("cleared") ? "end " : ""));
        return words.length() <= SHORT_LABEL ? words : words.substring(0, SHORT_LABEL - 1) + "…";
    }

    /** {@code tile} with an overlay for the markers; the overlay takes the mouse only on its markers. */
    StackPane attach(Node tile) {
        Pane overlay = new Pane();
        overlay.setPickOnBounds(false);
        overlay.getStyleClass().add("qd-spark-markers");
        overlays.add(overlay);
        overlay.widthProperty().addListener((o, a, v) -> draw(overlay));
        overlay.heightProperty().addListener((o, a, v) -> draw(overlay));
        StackPane stack = new StackPane(tile, overlay);
        stack.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        return stack;
    }

    /** Places the markers for the sparklines' current window; cheap when nothing moved a marker. */
    void update(Instant oldest, Instant newest) {
        List<Placed> next = place(entries, oldest, newest);
        if (next.equals(shown)) {
            return;
        }
        shown = next;
        overlays.forEach(this::draw);
    }

    /** What is drawn now (for tests). */
    List<Placed> shown() {
        return shown;
    }

    /** One marker's nodes on one tile, kept from one draw to the next. */
    private record Drawn(Line band, Line line, Label label, Tooltip tip) {}

    /**
     * Places the markers on {@code overlay}, moving the nodes already there: made anew at every
     * refresh (about once a second), a marker's tooltip restarted its delay and never showed.
     */
    private void draw(Pane overlay) {
        @SuppressWarnings("unchecked")
        List<Drawn> drawn = (List<Drawn>) overlay.getProperties().computeIfAbsent(Drawn.class, k -> new ArrayList<Drawn>());
        while (drawn.size() > shown.size()) {
            Drawn gone = drawn.removeLast();
            overlay.getChildren().removeAll(gone.band(), gone.line(), gone.label());
        }
        double width = overlay.getWidth(), height = overlay.getHeight();
        double left = width * INSET, usable = width * (1 - 2 * INSET);
        double[] starts = new double[shown.size()], widths = new double[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            Placed marker = shown.get(i);
            if (i == drawn.size()) {
                drawn.add(made(overlay));
            }
            Drawn d = drawn.get(i);
            double x = left + marker.fraction() * usable;
            for (Line line : List.of(d.line(), d.band())) {
                line.setStartX(x);
                line.setEndX(x);
                line.setStartY(height * TOP);
                line.setEndY(height - height * INSET);
            }
            d.line().getStyleClass().setAll(MARKER_CLASS, marker.styleClass());
            d.tip().setText(marker.tooltip());
            Label label = d.label();
            label.setText(marker.shortLabel());
            label.getStyleClass().setAll("label", LABEL_CLASS, marker.styleClass());
            label.applyCss();
            widths[i] = label.prefWidth(-1);
            starts[i] = Math.min(x + 2, Math.max(0, width - widths[i]));
        }
        int[] rows = io.queuedeck.console.widgets.LabelRows.of(starts, widths, LABEL_ROWS);
        for (int i = 0; i < shown.size(); i++) {
            Label label = drawn.get(i).label();
            double labelHeight = label.prefHeight(-1);
            label.setVisible(width > 0 && height > 0 && rows[i] >= 0);
            label.resizeRelocate(starts[i], height * TOP + Math.max(0, rows[i]) * (labelHeight + 1), widths[i], labelHeight);
        }
    }

    private static Drawn made(Pane overlay) {
        Line line = new Line();
        line.setMouseTransparent(true);
        Line band = new Line(); // a 1-px line is hard to hover
        band.setStroke(Color.TRANSPARENT);
        band.setStrokeWidth(9);
        Tooltip tip = new Tooltip();
        Tooltip.install(band, tip);
        Label label = new Label();
        label.setTooltip(tip);
        overlay.getChildren().addAll(band, line, label);
        return new Drawn(band, line, label, tip);
    }
}
