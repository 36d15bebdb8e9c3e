package io.queuedeck.console.widgets;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Labeled;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;

/**
 * A combo box as wide for each of its items as for the widest, so choosing another one moves
 * nothing beside it (the header's policy box moved the alert banner, a tier's mode box the tier
 * bar). Its width is measured once its skin is laid out, and again when its items or its font change.
 */
public final class SteadyComboBox<T> extends ComboBox<T> {
    private boolean measured;
    /** What it was measured with (font, arrow, paddings): a stylesheet may change them after the first layout. */
    private java.util.List<Object> measuredWith;
    private Labeled watched;

    public SteadyComboBox() {
        // a list filled after the first layout ("weighted" came with the engine) is measured at the next
        itemsProperty().addListener((o, was, is) -> {
            remeasure();
            if (is != null) {
                is.addListener((ListChangeListener<T>) change -> remeasure());
            }
        });
        getItems().addListener((ListChangeListener<T>) change -> remeasure());
        promptTextProperty().addListener((o, was, is) -> remeasure());
        converterProperty().addListener((o, was, is) -> remeasure());
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        if (!(getSkin() instanceof javafx.scene.control.skin.ComboBoxListViewSkin<?> skin)
                || !(skin.getDisplayNode() instanceof Labeled shown) || !(lookup(".arrow-button") instanceof Region arrow)
                || arrow.getWidth() <= 0) {
            return;
        }
        if (watched != shown) { // the header's stylesheet sets the cell's font and padding after the first layout
            watched = shown;
            shown.fontProperty().addListener((o, was, is) -> remeasure());
            shown.insetsProperty().addListener((o, was, is) -> remeasure());
            arrow.widthProperty().addListener((o, was, is) -> remeasure());
        }
        java.util.List<Object> with = java.util.List.of(shown.getFont(), arrow.getWidth(), getInsets(), shown.getInsets());
        if (measured && with.equals(measuredWith)) {
            return;
        }
        measured = true;
        measuredWith = with; // measured with the first layout's arrow, "weighted" read "weig…" in the header
        Text probe = new Text();
        probe.setFont(shown.getFont());
        // the prompt and what a null item reads as ("Min P") count too: measured as "", they read "..."
        probe.setText(getPromptText() == null ? "" : getPromptText());
        double widest = probe.getLayoutBounds().getWidth();
        for (T item : getItems()) {
            probe.setText(item == null ? nullText() : getConverter().toString(item));
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        setPrefWidth(Math.ceil(horizontal(getInsets()) + horizontal(shown.getInsets()) + widest + arrow.getWidth()) + 1);
    }

    /** What the converter shows for no choice, or "" where it takes none. */
    private String nullText() {
        try {
            String text = getConverter() == null ? null : getConverter().toString(null);
            return text == null ? "" : text;
        } catch (RuntimeException e) {
            return "";
        }
    }

    private void remeasure() {
        measured = false;
        requestLayout();
    }

    private static double horizontal(Insets insets) {
        return insets.getLeft() + insets.getRight();
    }
}
