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
 * bar). Its width is measured once its skin is laid out, and again when its items change.
 */
public final class SteadyComboBox<T> extends ComboBox<T> {
    private boolean measured;

    public SteadyComboBox() {
        getItems().addListener((ListChangeListener<T>) change -> measured = false);
        itemsProperty().addListener((o, was, is) -> measured = false);
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        if (measured || !(lookup(".list-cell") instanceof Labeled shown) || !(lookup(".arrow-button") instanceof Region arrow)
                || arrow.getWidth() <= 0) {
            return;
        }
        measured = true;
        Text probe = new Text();
        probe.setFont(shown.getFont());
        double widest = 0;
        for (T item : getItems()) {
            probe.setText(item == null ? "" : getConverter().toString(item));
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        setPrefWidth(Math.ceil(horizontal(getInsets()) + horizontal(shown.getInsets()) + widest + arrow.getWidth()) + 1);
    }

    private static double horizontal(Insets insets) {
        return insets.getLeft() + insets.getRight();
    }
}
