package io.queuedeck.console.ui;

import java.util.Objects;
import javafx.geometry.Pos;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;

/**
 * The window's notifications (ControlsFX): a refused command at the bottom right, as before,
 * and an alert raised or cleared at the top left, over the screen's title and the brand, which
 * every screen shares and where no control sits (the header's buttons are at the top right, the
 * lanes' Retry at the bottom right, the Search and Policies screens' action rows at the bottom;
 * decision 0080). Both hide themselves. One alert notice shows at a time: a second while one
 * shows replaces it with one that points to the banner, so a burst never stacks notices down
 * over the navigation.
 */
public final class Notices {
    /** Style class of an alert's notice (tests and the stylesheet find it by this). */
    public static final String ALERT_CLASS = "qd-alert-notice";
    public static final Pos ALERT_POSITION = Pos.TOP_LEFT;
    public static final Duration ALERT_SHOWN = Duration.seconds(8);
    /** Alert notices shown at once: a stack would cover the navigation below the brand. */
    private static final int MAX_ALERTS = 1;
    private static final Duration REFUSAL_SHOWN = Duration.seconds(6);

    private final Window owner;

    public Notices(Window owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** A command the engine refused, with its reason. */
    public void refused(String action, String reason) {
        notice(action + " refused", reason, Pos.BOTTOM_RIGHT, REFUSAL_SHOWN).showError();
    }

    /** An alert raised (a warning) or cleared (information). */
    public void alert(String text, boolean raised) {
        Notifications notice = notice(raised ? "Alert" : "Alert cleared", text, ALERT_POSITION, ALERT_SHOWN)
                .styleClass(ALERT_CLASS)
                .threshold(MAX_ALERTS, notice("Alerts changed", "More than one alert was raised or cleared: the banner lists those that hold",
                        ALERT_POSITION, ALERT_SHOWN).styleClass(ALERT_CLASS));
        if (raised) {
            notice.showWarning();
        } else {
            notice.showInformation();
        }
    }

    private Notifications notice(String title, String text, Pos position, Duration shown) {
        return Notifications.create().title(title).text(text).owner(owner).position(position).hideAfter(shown).styleClass("dark");
    }
}
