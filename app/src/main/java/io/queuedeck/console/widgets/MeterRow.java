package io.queuedeck.console.widgets;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * One labelled meter: a name, a bar and its text ("24/32"), in a fixed place. The figure stays
 * whole and the bar keeps {@link #MIN_BAR} pixels; in a narrow row the name gives way (with "…" and
 * its whole text in a tooltip), since a meter without its bar says nothing at a glance.
 */
public final class MeterRow extends HBox {
    public static final String STYLE_CLASS = "qd-meter-row";
    /** The least a bar is drawn: at 1024 x 700 the Overview's GPU bars shrank to nothing beside their names. */
    public static final double MIN_BAR = 48;
    /** The least of a name before the bar gives way: "GPU 1…". */
    private static final double MIN_NAME = 44;

    private final Label name = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label value = new Label();
    private final javafx.scene.control.Tooltip nameTip = new javafx.scene.control.Tooltip();
    /** Measures a name's text outside the scene. */
    private final javafx.scene.text.Text measure = new javafx.scene.text.Text();

    public MeterRow(String text) {
        super(8);
        getStyleClass().add(STYLE_CLASS);
        setAlignment(Pos.CENTER_LEFT);
        name.setText(text);
        name.getStyleClass().add("qd-meter-name");
        name.setMinWidth(MIN_NAME);
        name.setPrefWidth(92);
        name.setTooltip(nameTip);
        bar.setMinWidth(MIN_BAR);
        bar.setPrefWidth(MIN_BAR); // it grows into the room left; a larger preferred width made the row cut the name first
        bar.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(bar, Priority.ALWAYS);
        value.getStyleClass().add("qd-meter-value");
        value.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the figure stays whole; the bar gives way
        value.setAlignment(Pos.CENTER_RIGHT);
        getChildren().addAll(name, bar, value);
    }

    /**
     * The name's width, where names are longer than a word ("GPU 0 · draining"); every row of a list
     * alike. The name still gives way to the bar in a row too narrow for both.
     */
    public MeterRow nameWidth(double width) {
        name.setMinWidth(Math.min(MIN_NAME, width));
        name.setPrefWidth(width);
        return this;
    }

    /** The width the name's text takes whole, in the name's font: rows size their names to the longest shown. */
    public double nameNeeds() {
        measure.setFont(name.getFont());
        measure.setText(name.getText());
        return Math.ceil(measure.getLayoutBounds().getWidth()) + name.snappedLeftInset() + name.snappedRightInset() + 2;
    }

    /** Fraction 0..1, the text beside it, and one of "ok", "warn", "bad", "off" for its colour. */
    public void set(String label, double fraction, String text, String level) {
        if (!label.equals(name.getText())) {
            name.setText(label);
            nameTip.setText(label);
        }
        bar.setProgress(Math.max(0, Math.min(1, fraction)));
        if (!text.equals(value.getText())) {
            value.setText(text);
        }
        // style classes only when the level changes: each change costs a CSS pass on the bar
        if (!bar.getStyleClass().contains(level)) {
            bar.getStyleClass().removeAll("ok", "warn", "bad", "off");
            bar.getStyleClass().add(level);
        }
    }

    /** A meter with nothing to measure (an offline GPU): an empty, dimmed bar and {@code text} ("offline"). */
    public void off(String label, String text) {
        set(label, 0, text, "off");
    }

    public ProgressBar bar() {
        return bar;
    }
}
