package io.queuedeck.console.widgets;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/** One labelled meter: a name, a bar and its text ("24/32"), in a fixed place. */
public final class MeterRow extends HBox {
    public static final String STYLE_CLASS = "qd-meter-row";

    private final Label name = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label value = new Label();

    public MeterRow(String text) {
        super(8);
        getStyleClass().add(STYLE_CLASS);
        setAlignment(Pos.CENTER_LEFT);
        name.setText(text);
        name.getStyleClass().add("qd-meter-name");
        name.setMinWidth(92);
        name.setPrefWidth(92);
        bar.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(bar, Priority.ALWAYS);
        value.getStyleClass().add("qd-meter-value");
        value.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the figure stays whole; the bar gives way
        value.setAlignment(Pos.CENTER_RIGHT);
        getChildren().addAll(name, bar, value);
    }

    /** The name's width, where names are longer than a word ("GPU 0 · draining"); every row of a list alike. */
    public MeterRow nameWidth(double width) {
        name.setMinWidth(width);
        name.setPrefWidth(width);
        return this;
    }

    /** Fraction 0..1, the text beside it, and one of "ok", "warn", "bad", "off" for its colour. */
    public void set(String label, double fraction, String text, String level) {
        if (!label.equals(name.getText())) {
            name.setText(label);
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
