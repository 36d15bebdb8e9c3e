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
    void decoratedWindow_theNoticeSitsAboveTheStatusLine_insideTheContentArea() {
        Point2D at = AlertNotice.topLeftAtTheBottom(0, 0, 1, 20, 780, 90);

        // at the top left it covered the screen's title and the banner it points to
        assertThat(at.getY() + 90).isEqualTo(20 + 780 - AlertNotice.ABOVE_THE_STATUS_LINE);
        assertThat(at.getX()).isEqualTo(1 + AlertNotice.LEFT);
    }

    @Test
    void windowElsewhere_theNoticeMovesWithIt() {
        Point2D at = AlertNotice.topLeftAtTheBottom(320, 93, 1, 20, 780, 90);

        assertThat(at).isEqualTo(new Point2D(320 + 1 + AlertNotice.LEFT, 93 + 20 + 780 - AlertNotice.ABOVE_THE_STATUS_LINE - 90));
    }

    @Test
    void aWindowTooShort_keepsTheNoticesTopInside() {
        Point2D at = AlertNotice.topLeftAtTheBottom(0, 0, 1, 20, 100, 90);

        // ControlsFX placed it at (15, 15), from the frame's corner: its top 5 px lay on the title bar
        assertThat(at.getY()).isEqualTo(20 + AlertNotice.MARGIN);
    }
}
