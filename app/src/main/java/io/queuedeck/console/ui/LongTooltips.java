package io.queuedeck.console.ui;

import javafx.collections.ListChangeListener;
import javafx.scene.control.Tooltip;
import javafx.stage.Window;

/**
 * Every tooltip of the console wraps at a readable width. A tooltip is one line by default, and
 * the long ones (a rule's syntax, a figure's definition) ran off the window, over what they
 * explained; CSS cannot set it, since the tooltip's label takes its width from the tooltip itself.
 */
public final class LongTooltips {
    /** About 80 characters of the console's font. */
    static final double MAX_WIDTH = 560;

    private LongTooltips() {}

    /** From now on, each tooltip as it is shown; on the FX thread. */
    public static void wrapEverywhere() {
        Window.getWindows().addListener((ListChangeListener<Window>) change -> {
            while (change.next()) {
                for (Window window : change.getAddedSubList()) {
                    if (window instanceof Tooltip tip) {
                        wrap(tip);
                    }
                }
            }
        });
    }

    static void wrap(Tooltip tip) {
        tip.setWrapText(true);
        tip.setMaxWidth(MAX_WIDTH);
    }
}
