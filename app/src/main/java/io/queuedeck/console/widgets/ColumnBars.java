package io.queuedeck.console.widgets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/**
 * A row of labelled vertical bars in a fixed order (TilesFX's bar chart re-sorts by value,
 * which makes a per-priority view jump around). Bars scale to the largest value shown.
 */
public final class ColumnBars extends HBox {
    public static final String STYLE_CLASS = "qd-column-bars";

    private final List<Region> bars = new ArrayList<>();
    private final List<Label> values = new ArrayList<>();
    private final List<Label> names = new ArrayList<>();
    /** The values shown, kept so that the bars follow the tile's height, not only the values. */
    private List<Double> shown = List.of();

    public ColumnBars() {
        super(6);
        getStyleClass().add(STYLE_CLASS);
        setAlignment(Pos.BOTTOM_CENTER);
        setFillHeight(true);
        // set before the first layout (height 0) or in another window size, the bars kept the heights of then
        heightProperty().addListener((o, was, now) -> scaleBars());
    }

    /**
     * Below this share of their stylesheet size the labels shrink no further: past it they would be
     * unreadable, and the columns overflow as before.
     */
    static final double SMALLEST_FONT_SHARE = 0.6;

    /** The labels' font size now, as a share of the stylesheet's. */
    private double fontShare = 1;
    /** The stylesheet's font size of the labels, read before the first shrink. */
    private double stylesheetFontSize;

    /**
     * As narrow as its tile: the columns' own minimum spilled out of the tile on both sides, over the
     * tiles beside it, at the window's smallest width (1024 px), where the labels shrink instead.
     */
    @Override
    protected double computeMinWidth(double height) {
        return snappedLeftInset() + snappedRightInset();
    }

    @Override
    protected void layoutChildren() {
        fitLabels();
        super.layoutChildren();
    }

    /** Shrinks the labels' font just enough for every column to fit the width, or back to the stylesheet's. */
    private void fitLabels() {
        double width = getWidth() - snappedLeftInset() - snappedRightInset();
        if (width <= 0 || names.isEmpty()) {
            return;
        }
        double spacing = getSpacing() * (names.size() - 1);
        double text = 0;
        for (int i = 0; i < names.size(); i++) {
            text += Math.max(names.get(i).prefWidth(-1), values.get(i).prefWidth(-1));
        }
        if (text <= 0) {
            return;
        }
        // the labels' widths follow their font size: the share that makes them fit, from the share in use
        double fits = Math.clamp(fontShare * (width - spacing) / text, SMALLEST_FONT_SHARE, 1);
        if (Math.abs(fits - fontShare) < 0.02) {
            return;
        }
        if (fontShare == 1) {
            stylesheetFontSize = names.getFirst().getFont().getSize();
        }
        fontShare = fits;
        String style = fits == 1 ? "" : String.format(Locale.ROOT, "-fx-font-size: %.2fpx;", stylesheetFontSize * fits);
        for (int i = 0; i < names.size(); i++) {
            names.get(i).setStyle(style);
            values.get(i).setStyle(style);
        }
    }

    /** The labels' font size now, as a share of the stylesheet's (for tests). */
    double fontShare() {
        return fontShare;
    }

    /** Sets the columns' names and colours; keeps them if unchanged. */
    public void setColumns(List<String> columnNames, List<Color> colors) {
        if (columnNames.equals(names.stream().map(Label::getText).toList())) {
            return;
        }
        getChildren().clear();
        bars.clear();
        values.clear();
        names.clear();
        fontShare = 1; // new labels, in the stylesheet's size
        for (int i = 0; i < columnNames.size(); i++) {
            Label value = new Label("0");
            value.getStyleClass().add("qd-bar-value");
            Region bar = new Region();
            bar.getStyleClass().add("qd-bar");
            Color c = colors.get(i);
            bar.setStyle(String.format(Locale.ROOT, "-fx-background-color: rgb(%d,%d,%d); -fx-background-radius: 3 3 0 0;",
                    (int) (c.getRed() * 255), (int) (c.getGreen() * 255), (int) (c.getBlue() * 255)));
            bar.setMinHeight(2);
            bar.setMaxWidth(Double.MAX_VALUE);
            Region space = new Region();
            VBox.setVgrow(space, Priority.ALWAYS);
            Label name = new Label(columnNames.get(i));
            name.getStyleClass().add("qd-bar-name");
            // a name is never cut to "nor…": the column is at least as wide as its name (and its value)
            name.setMinWidth(Region.USE_PREF_SIZE);
            value.setMinWidth(Region.USE_PREF_SIZE);
            name.setAlignment(Pos.CENTER);
            name.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
            VBox column = new VBox(3, space, value, bar, name);
            column.setMinWidth(Region.USE_PREF_SIZE);
            column.setAlignment(Pos.BOTTOM_CENTER);
            column.setFillWidth(true);
            HBox.setHgrow(column, Priority.ALWAYS);
            column.setMaxWidth(Double.MAX_VALUE);
            bars.add(bar);
            values.add(value);
            names.add(name);
            getChildren().add(column);
        }
    }

    /** Sets the bar heights; extra values are ignored. */
    public void setValues(List<? extends Number> numbers) {
        shown = numbers.stream().map(Number::doubleValue).toList();
        scaleBars();
        for (int i = 0; i < values.size() && i < shown.size(); i++) {
            long n = Math.round(shown.get(i)); // compact, as lane counts are: a narrow column shows "1.4k", not "1,…"
            String text = n < 1_000 ? Long.toString(n) : n < 10_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3)
                    : n < 1_000_000 ? n / 1_000 + "k" : String.format(Locale.ROOT, "%.1fM", n / 1e6);
            if (!text.equals(values.get(i).getText())) {
                values.get(i).setText(text);
            }
        }
    }

    private void scaleBars() {
        double max = 1;
        for (double v : shown) {
            max = Math.max(max, v);
        }
        // the tallest bar takes the space left after the value and name labels (a name may take two
        // lines, "normal" over "paused": counted as one, it pushed the second line out of the tile)
        double nameHeight = 16;
        for (Label name : names) {
            nameHeight = Math.max(nameHeight, name.prefHeight(-1));
        }
        double room = Math.max(10, getHeight() - 30 - nameHeight);
        for (int i = 0; i < bars.size() && i < shown.size(); i++) {
            double h = Math.max(2, room * shown.get(i) / max);
            Region bar = bars.get(i);
            bar.setPrefHeight(h);
            bar.setMaxHeight(h);
        }
    }
}
