package io.queuedeck.console.ui;

import java.util.Objects;
import javafx.animation.PauseTransition;
import javafx.beans.InvalidationListener;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Popup;
import javafx.stage.Window;
import javafx.util.Duration;

/**
 * The one alert notice: a popup at the bottom of the navigation column, above the status line,
 * which follows the window while it shows. At the top left it covered the screen's title and the
 * alert banner it points to; the navigation's foot is the one place no screen has a control. ControlsFX places its notifications from the window's own x and y,
 * the outer corner of the frame a window manager draws (decision 0088); here the scene's offset in
 * the window (the decorations' size) is added.
 */
final class AlertNotice {
    /** Space between the content area's corner and the notice. */
    static final double MARGIN = 15;
    /** Room kept below the notice: the status line (about 30 px) and the margin. */
    static final double ABOVE_THE_STATUS_LINE = 45;
    /** From the content area's left edge: the navigation column's padding. */
    static final double LEFT = 10;
    /** The navigation column's width (200) less its padding: the text wraps. */
    static final double WIDTH = 180;

    private final Window owner;
    private final Popup popup = new Popup();
    private final Label title = new Label();
    private final Label text = new Label();
    private final VBox card;
    private final PauseTransition hideLater;
    private final InvalidationListener follow = o -> place();

    AlertNotice(Window owner, Duration shown) {
        this.owner = Objects.requireNonNull(owner, "owner");
        title.getStyleClass().add("title");
        text.setWrapText(true);
        Button close = new Button("×");
        close.getStyleClass().add("qd-notice-close");
        close.setTooltip(new Tooltip("Hide this notice (the banner keeps the alerts that hold)"));
        close.setOnAction(e -> hide());
        HBox head = new HBox(8, title, close);
        HBox.setHgrow(title, Priority.ALWAYS);
        title.setMaxWidth(Double.MAX_VALUE);
        card = new VBox(6, head, text);
        card.getStyleClass().add(Notices.ALERT_CLASS);
        card.setPrefWidth(WIDTH);
        card.setMaxWidth(WIDTH);
        popup.getContent().add(card);
        popup.setAutoFix(false);
        popup.setAutoHide(false);
        popup.setHideOnEscape(false);
        hideLater = new PauseTransition(shown);
        hideLater.setOnFinished(e -> hide());
    }

    /**
     * Shows {@code heading} and {@code body}, or, while a notice shows, replaces it with one that
     * points to the banner: one notice at a time, so a burst never stacks notices over the navigation.
     */
    void show(String heading, String body, boolean raised) {
        if (popup.isShowing()) {
            heading = "Alerts changed";
            body = "More than one alert was raised or cleared: the banner lists those that hold";
        }
        title.setText(heading);
        text.setText(body);
        card.getStyleClass().removeAll("raised", "cleared");
        card.getStyleClass().add(raised ? "raised" : "cleared");
        if (!popup.isShowing()) {
            Point2D at = topLeft();
            popup.show(owner, at.getX(), at.getY());
            listen(true);
        }
        place();
        hideLater.playFromStart();
    }

    /** The notice's bottom edge on the screen, once shown; for tests. */
    double bottom() {
        return popup.getY() + card.getHeight();
    }

    void hide() {
        hideLater.stop();
        if (popup.isShowing()) {
            listen(false);
            popup.hide();
        }
    }

    private void listen(boolean on) {
        Scene scene = owner.getScene();
        for (var property : java.util.List.of(owner.xProperty(), owner.yProperty(), scene.xProperty(), scene.yProperty(),
                scene.heightProperty())) {
            if (on) {
                property.addListener(follow);
            } else {
                property.removeListener(follow);
            }
        }
    }

    private void place() {
        Point2D at = topLeft();
        popup.setAnchorX(at.getX());
        popup.setAnchorY(at.getY());
    }

    private Point2D topLeft() {
        Scene scene = owner.getScene();
        // the card's height for the text it holds now: the popup's own was the previous text's, so a longer
        // text ("Alerts changed", replacing a short one) ran past the window's bottom
        card.applyCss();
        double height = card.prefHeight(WIDTH);
        return topLeftAtTheBottom(owner.getX(), owner.getY(), scene.getX(), scene.getY(), scene.getHeight(), height);
    }

    /**
     * Where the notice's top-left corner goes on the screen, for a notice {@code height} tall: the
     * window's corner is its frame's, the scene's x and y are the content area's offset inside it
     * (the title bar and border a window manager adds); never above the content area's top.
     */
    static Point2D topLeftAtTheBottom(double windowX, double windowY, double sceneX, double sceneY, double sceneHeight,
                                      double height) {
        double top = windowY + sceneY;
        return new Point2D(windowX + sceneX + LEFT, Math.max(top + MARGIN, top + sceneHeight - ABOVE_THE_STATUS_LINE - height));
    }
}
