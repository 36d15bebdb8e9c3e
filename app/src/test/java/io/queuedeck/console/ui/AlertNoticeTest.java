package io.queuedeck.console.ui;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.geometry.Point2D;
import org.junit.jupiter.api.Test;

/**
 * Where the alert notice goes. Monocle draws no decorations (a scene's offset in its window is
 * always 0 there), so the offset a window manager adds is given here as openbox gives it under
 * Xvfb (measured with xwininfo): the frame at (0, 0), its content at (1, 20) inside it.
 */
class AlertNoticeTest {
    @Test
    void contentTopLeft_decoratedWindow_startsBelowTheTitleBarAndRightOfTheBorder() {
        Point2D at = AlertNotice.contentTopLeft(0, 0, 1, 20);

        // ControlsFX placed it at (15, 15), from the frame's corner: its top 5 px lay on the title bar
        assertThat(at.getY()).isGreaterThanOrEqualTo(20).isEqualTo(20 + AlertNotice.MARGIN);
        assertThat(at.getX()).isEqualTo(1 + AlertNotice.MARGIN);
    }

    @Test
    void contentTopLeft_windowElsewhere_movesWithIt() {
        Point2D at = AlertNotice.contentTopLeft(320, 93, 1, 20);

        assertThat(at).isEqualTo(new Point2D(320 + 1 + AlertNotice.MARGIN, 93 + 20 + AlertNotice.MARGIN));
    }
}
