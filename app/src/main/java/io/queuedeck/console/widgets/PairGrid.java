package io.queuedeck.console.widgets;

import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.layout.GridPane;

/**
 * Label and field pairs (its children, in that order: label, field, label, field, …) in as many
 * pair columns as its width holds, wrapping in whole rows: every label sits in a label column and
 * every field in a field column, so a wrapped row lines up with the rows above it. A FlowPane of
 * pairs wrapped each row at its own x, and the fields of the rows started wherever their labels ended.
 */
public final class PairGrid extends GridPane {
    private static final double LABEL_GAP = 10;
    private static final double PAIR_GAP = 20;
    private final javafx.beans.property.ReadOnlyDoubleWrapper labelWidth = new javafx.beans.property.ReadOnlyDoubleWrapper(this, "labelWidth");
    private final javafx.beans.property.DoubleProperty leastLabelWidth = new javafx.beans.property.SimpleDoubleProperty(this, "leastLabelWidth");
    private int columns;

    public PairGrid() {
        setHgap(LABEL_GAP);
        setVgap(8);
        leastLabelWidth.addListener(o -> {
            columns = 0; // arranged again
            requestLayout();
        });
    }

    /** The least width of the first label column: a label of a row below, wider than those above, widens it. */
    public javafx.beans.property.DoubleProperty leastLabelWidthProperty() {
        return leastLabelWidth;
    }

    /** The width of the first label column: a row below the grid lines its own label and field up with it. */
    public javafx.beans.property.ReadOnlyDoubleProperty labelWidthProperty() {
        return labelWidth.getReadOnlyProperty();
    }

    /** How many pairs a row holds now. */
    public int columns() {
        return columns;
    }

    @Override
    protected void layoutChildren() {
        arrange(getWidth() - snappedLeftInset() - snappedRightInset());
        super.layoutChildren();
    }

    /** Narrow enough for one pair a row, so a narrow window wraps it instead of scrolling sideways. */
    @Override
    protected double computeMinWidth(double height) {
        return snappedLeftInset() + need(1) + snappedRightInset();
    }

    /** Wide enough for every pair in one row. */
    @Override
    protected double computePrefWidth(double height) {
        return snappedLeftInset() + need(Math.max(1, pairs().size())) + snappedRightInset();
    }

    /** Its height depends on its width: the parent asks for the height at the width it will give. */
    @Override
    public Orientation getContentBias() {
        return Orientation.HORIZONTAL;
    }

    /**
     * The rows' height at {@code width}, computed here rather than by the grid: the pairs move to
     * their cells only in the layout pass, after the parent has asked for this height.
     */
    @Override
    protected double computePrefHeight(double width) {
        List<Node[]> pairs = pairs();
        int n = width < 0 ? Math.max(1, pairs.size()) : fit(width - snappedLeftInset() - snappedRightInset());
        double total = 0;
        for (int row = 0; row * n < pairs.size(); row++) {
            double tallest = 0;
            for (int i = row * n; i < Math.min(pairs.size(), (row + 1) * n); i++) {
                tallest = Math.max(tallest, Math.max(pairs.get(i)[0].prefHeight(-1), pairs.get(i)[1].prefHeight(-1)));
            }
            total += (row == 0 ? 0 : getVgap()) + tallest;
        }
        return snappedTopInset() + total + snappedBottomInset();
    }

    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }

    /** The most pair columns that fit in {@code width}. */
    private int fit(double width) {
        int fit = Math.max(1, pairs().size());
        while (fit > 1 && need(fit) > width) {
            fit--;
        }
        return fit;
    }

    /** Moves the pairs to their cells when the number of pair columns that fit changes. */
    private void arrange(double width) {
        List<Node[]> pairs = pairs();
        int fit = fit(width);
        double first = leastLabelWidth.get();
        for (int i = 0; i < pairs.size(); i += fit) {
            first = Math.max(first, pairs.get(i)[0].prefWidth(-1));
        }
        labelWidth.set(first);
        if (fit == columns) {
            return;
        }
        columns = fit;
        javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
        labels.setMinWidth(first);
        getColumnConstraints().setAll(labels);
        for (int i = 0; i < pairs.size(); i++) {
            int column = i % fit;
            GridPane.setConstraints(pairs.get(i)[0], 2 * column, i / fit);
            GridPane.setConstraints(pairs.get(i)[1], 2 * column + 1, i / fit);
            GridPane.setMargin(pairs.get(i)[0], column == 0 ? null : new Insets(0, 0, 0, PAIR_GAP - LABEL_GAP));
        }
    }

    /** The width {@code n} pair columns take: each label and field column as wide as its widest member. */
    private double need(int n) {
        List<Node[]> pairs = pairs();
        double total = 0;
        for (int column = 0; column < n; column++) {
            double label = column == 0 ? leastLabelWidth.get() : 0;
            double field = 0;
            for (int i = column; i < pairs.size(); i += n) {
                label = Math.max(label, pairs.get(i)[0].prefWidth(-1));
                field = Math.max(field, pairs.get(i)[1].prefWidth(-1));
            }
            total += label + LABEL_GAP + field + (column == 0 ? 0 : PAIR_GAP);
        }
        return Math.ceil(total);
    }

    private List<Node[]> pairs() {
        List<Node> children = getManagedChildren();
        return java.util.stream.IntStream.range(0, children.size() / 2)
                .mapToObj(i -> new Node[] {children.get(2 * i), children.get(2 * i + 1)}).toList();
    }
}
