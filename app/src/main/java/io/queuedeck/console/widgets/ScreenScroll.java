package io.queuedeck.console.widgets;

import javafx.scene.Parent;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.Region;

/**
 * A screen fills the room between header and status line; when the window is smaller than the
 * screen's minimum (the Faults screen at 1280 × 800, say), it scrolls instead of pushing the
 * status line off the window. A screen can hold one of its own for a part below what must stay
 * in view (the Drills screen's kill switch).
 */
public final class ScreenScroll {
    private ScreenScroll() {}

    /** {@code screen} in a scroll pane that fits it to the room while its minimum fits. */
    public static ScrollPane wrap(Parent screen) {
        ScrollPane scroll = new ScrollPane(screen);
        scroll.getStyleClass().add("qd-screen-scroll");
        scroll.setId("screen-scroll");
        scroll.setMinSize(0, 0);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.AS_NEEDED);
        scroll.setVbarPolicy(ScrollPane.ScrollBarPolicy.AS_NEEDED);
        scroll.viewportBoundsProperty().addListener((o, a, b) -> fit(scroll, screen));
        if (screen instanceof Region region) {
            region.setPrefSize(Region.USE_COMPUTED_SIZE, Region.USE_COMPUTED_SIZE);
        }
        return scroll;
    }

    /** Fits while the screen's minimum fits; below it, the screen keeps its minimum and scrolls. */
    private static void fit(ScrollPane scroll, Parent screen) {
        javafx.geometry.Bounds b = scroll.getViewportBounds();
        scroll.setFitToWidth(b.getWidth() >= screen.minWidth(-1));
        scroll.setFitToHeight(b.getHeight() >= screen.minHeight(b.getWidth()));
    }

    /**
     * Fits {@code screen} again after its minimum changed with the room staying as it was (a tab of
     * another height brought into view); nothing when it is not in a screen scroll.
     */
    public static void refit(Parent screen) {
        for (Parent up = screen.getParent(); up != null; up = up.getParent()) { // the skin puts the content in a viewport or two
            if (up instanceof ScrollPane scroll && scroll.getContent() == screen) {
                fit(scroll, screen);
                return;
            }
        }
    }
}
