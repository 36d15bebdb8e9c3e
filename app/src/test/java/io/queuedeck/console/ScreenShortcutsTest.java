package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import org.junit.jupiter.api.Test;

/**
 * The screens' shortcuts as the opening window reads them: a Ctrl+6 pressed while it said
 * "Starting the engine …" was lost, so the operator pressed it again. Key events built by hand:
 * what is tested is which screen a key names, not how the platform delivers it.
 */
class ScreenShortcutsTest {
    @Test
    void screenOf_ctrlAndADigit_isTheScreenInThatPlaceOfTheNavigation() {
        assertThat(MainView.screenOf(ctrl(KeyCode.DIGIT6))).contains(Screen.POLICIES);
        assertThat(MainView.screenOf(ctrl(KeyCode.DIGIT1))).contains(Screen.OVERVIEW);
        assertThat(MainView.screenOf(ctrl(KeyCode.DIGIT0))).contains(Screen.DRILLS);
    }

    @Test
    void screenOf_aDigitAloneOrAnotherKey_isNone() {
        assertThat(MainView.screenOf(new KeyEvent(KeyEvent.KEY_PRESSED, "6", "6", KeyCode.DIGIT6, false, false, false, false))).isEmpty();
        assertThat(MainView.screenOf(ctrl(KeyCode.P))).isEmpty();
    }

    private static KeyEvent ctrl(KeyCode code) {
        // Ctrl is the shortcut key on Linux and Windows, where the console's tests run
        return new KeyEvent(KeyEvent.KEY_PRESSED, "", "", code, false, true, false, false);
    }
}
