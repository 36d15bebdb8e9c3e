package io.queuedeck.console.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.geometry.Pos;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;

/**
 * The window's notifications: a refused command at the bottom right (ControlsFX), and an alert
 * raised or cleared at the top left of the content area, over the screen's title and the brand,
 * which every screen shares and where no control sits (the header's buttons are at the top right,
 * the lanes' Retry at the bottom right, the Search and Policies screens' action rows at the bottom;
 * decisions 0080, 0088). Both hide themselves. One alert notice shows at a time: a second while
 * one shows replaces it with one that points to the banner.
 */
public final class Notices {
    /** Style class of an alert's notice (tests and the stylesheet find it by this). */
    public static final String ALERT_CLASS = "qd-alert-notice";
    public static final Duration ALERT_SHOWN = Duration.seconds(8);
    private static final Duration REFUSAL_SHOWN = Duration.seconds(6);

    private final Window owner;
    private final AlertNotice alert;

    public Notices(Window owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.alert = new AlertNotice(owner, ALERT_SHOWN);
    }

    /** A command the engine refused, with its reason. */
    public void refused(String action, String reason) {
        Notifications.create().title(action + " refused").text(lines(reason)).owner(owner).position(Pos.BOTTOM_RIGHT)
                .hideAfter(REFUSAL_SHOWN).styleClass("dark").showError();
    }

    /** What a screen says that it has no room to show whole (a notice of the lanes in a narrow window). */
    public void said(String title, String text) {
        Notifications.create().title(title).text(lines(text)).owner(owner).position(Pos.BOTTOM_RIGHT)
                .hideAfter(REFUSAL_SHOWN).styleClass("dark").showInformation();
    }

    /** Characters of a refusal's line; its notification does not wrap, and a longer line ran off the window. */
    static final int LINE = 80;
    /** Lines of a refusal shown; the status line's tooltip has all of it. */
    static final int LINES = 6;

    /** {@code text} broken at spaces into lines of at most {@link #LINE} characters (a longer word alone), at most {@link #LINES}. */
    static String lines(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > LINE) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        if (lines.size() > LINES) {
            lines = new ArrayList<>(lines.subList(0, LINES));
            lines.set(LINES - 1, lines.get(LINES - 1) + " …");
        }
        return String.join("\n", lines);
    }

    /**
     * An alert raised (a warning) or cleared (information). An alert that flaps (a p99 raised and
     * cleared every few seconds) pops up once per {@link #QUIET_AFTER_SHOWN} each way; the banner
     * keeps showing what is raised now.
     */
    public void alert(String key, String text, boolean raised) {
        if (quiet.admits(key, raised, System.nanoTime())) {
            // "Alert cleared / GPU 0 is down" read as if it still were
            alert.show(raised ? "Alert" : "Alert cleared", raised ? text : "No longer: " + text, raised);
        }
    }

    /** How long an alert's notice stays away after it showed. */
    static final java.time.Duration QUIET_AFTER_SHOWN = java.time.Duration.ofMinutes(5);
    private final Quiet quiet = new Quiet(QUIET_AFTER_SHOWN.toNanos());

    /** Which alert notices show: each alert's raise, and its clear, once per quiet period (FX thread only). */
    static final class Quiet {
        private final long periodNanos;
        private final java.util.Map<String, Long> lastShown = new java.util.HashMap<>();

        Quiet(long periodNanos) {
            this.periodNanos = periodNanos;
        }

        boolean admits(String key, boolean raised, long nowNanos) {
            Long last = lastShown.get((raised ? "+" : "-") + key);
            if (last != null && nowNanos - last < periodNanos) {
                return false;
            }
            lastShown.put((raised ? "+" : "-") + key, nowNanos);
            return true;
        }
    }
}
