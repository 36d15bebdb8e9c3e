package io.queuedeck.console.widgets;

import javafx.beans.value.ObservableBooleanValue;
import javafx.css.PseudoClass;
import javafx.event.ActionEvent;
import javafx.scene.control.ButtonBase;

/**
 * A button that goes off after its own press (Apply while the change is checked, Crash while its GPU
 * is down) without taking the keyboard's place away. A disabled node loses the focus, and JavaFX hands
 * it to the next control: Load file…, whose next Space opened a file dialog, or the Slow ×N menu,
 * whose arrow keys slow a GPU. So a focused button that goes off stays focused, looks off (the
 * {@link #OFF} pseudo-class, styled as disabled) and does nothing when pressed; it is disabled for
 * real as soon as the focus leaves it, and is on again when {@code off} clears.
 */
public final class OffKeepingFocus {
    /** On a button that is off but keeps the focus. */
    public static final PseudoClass OFF = PseudoClass.getPseudoClass("qd-off");

    private OffKeepingFocus() {}

    /** {@code button} is off while {@code off} holds; use this instead of binding its disable property. */
    public static void disableWhile(ButtonBase button, ObservableBooleanValue off) {
        boolean[] inert = {false};
        button.addEventFilter(ActionEvent.ACTION, e -> {
            if (inert[0]) {
                e.consume();
            }
        });
        Runnable show = () -> {
            boolean isOff = off.get();
            inert[0] = isOff && button.isFocused();
            button.setDisable(isOff && !inert[0]);
            button.pseudoClassStateChanged(OFF, inert[0]);
        };
        off.addListener((o, was, is) -> show.run());
        button.focusedProperty().addListener((o, was, focused) -> {
            if (!focused && inert[0]) {
                show.run();
            }
        });
        show.run();
    }

    /** Whether {@code button} is off now, either way. */
    public static boolean isOff(ButtonBase button) {
        return button.isDisabled() || button.getPseudoClassStates().contains(OFF);
    }
}
