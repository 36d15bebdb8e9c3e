package io.queuedeck.console.alerts;

import atlantafx.base.theme.Styles;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * A banner in the header while any alert holds: the first alert, how many more, all of them in
 * its tooltip; an alert whose condition has passed says "cleared" until its hold ends. Hiding
 * it lasts until a new alert is raised. It only turns visible or invisible, never unmanaged:
 * its place is kept, so the screens under it never move (decision 0091).
 */
public final class AlertBanner {
    public static final String ID = "alert-banner";

    /** Every alert shown has cleared and is only in its hold: drawn calmer. */
    private static final PseudoClass CLEARED = PseudoClass.getPseudoClass("cleared");

    private final HBox root = new HBox(10);
    private final Label icon = new Label("⚠");
    private final Label text = new Label();
    private final Label more = new Label();
    private final Tooltip all = new Tooltip();
    private boolean hidden;

    public AlertBanner(AlertsViewModel model) {
        text.setId("alert-text");
        text.setMinWidth(0);
        text.setMaxWidth(Double.MAX_VALUE);
        text.setTooltip(all);
        HBox.setHgrow(text, Priority.ALWAYS);
        Button hide = new Button("Hide");
        // the count and Hide whole, the alert's text what room is left: a narrow window cut Hide to "…"
        hide.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        more.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        more.setId("alert-more");
        hide.getStyleClass().addAll(Styles.SMALL, Styles.FLAT);
        hide.setTooltip(new Tooltip("Hide the banner until a new alert is raised"));
        hide.setOnAction(e -> {
            hidden = true;
            show(false);
        });
        root.setId(ID);
        root.getStyleClass().add("qd-alert-banner");
        root.setAlignment(Pos.CENTER_LEFT);
        root.getChildren().addAll(icon, text, more, hide);
        model.alerts().addListener((ListChangeListener<AlertsViewModel.Alert>) c -> {
            boolean added = false;
            while (c.next()) {
                added |= c.wasAdded() && c.getAddedSubList().stream()
                        .anyMatch(a -> c.getRemoved().stream().noneMatch(r -> r.key().equals(a.key())));
            }
            if (added) {
                hidden = false;
            }
            var list = model.alerts();
            first = list.isEmpty() ? null : list.getFirst();
            showFirst();
            more.setText(list.size() > 1 ? "(+" + (list.size() - 1) + " more)" : "");
            all.setText(list.stream().map(AlertBanner::said).collect(Collectors.joining("\n")));
            boolean allCleared = list.stream().noneMatch(AlertsViewModel.Alert::active);
            root.pseudoClassStateChanged(CLEARED, allCleared);
            icon.setText(allCleared ? "✓" : "⚠");
            show(!list.isEmpty() && !hidden);
        });
        text.widthProperty().addListener((o, a, v) -> showFirst());
        show(false);
    }

    /** The alert the banner names, or null. */
    private AlertsViewModel.Alert first;

    private void showFirst() {
        double room = text.getWidth() - text.snappedLeftInset() - text.snappedRightInset();
        text.setText(first == null ? "" : fitted(first, room, shown -> {
            javafx.scene.text.Text measured = new javafx.scene.text.Text(shown);
            measured.setFont(text.getFont());
            return measured.getLayoutBounds().getWidth();
        }));
    }

    /** A threshold clause at the end of an alert's text, "(alert above 60 s; …)", and what follows its semicolon. */
    private static final Pattern THRESHOLD = Pattern.compile(" \\(alert (?:above|after|at) [^;)]*(?:; ([^)]*))?\\)$");

    /**
     * The alert whole where it fits, else without its threshold (a 1024 px window cut it to
     * "…(alert above 6…"): what happened reads whole, with a held-on-purpose note ("dispatch
     * paused") where that fits too. The tooltip keeps every alert whole.
     */
    static String fitted(AlertsViewModel.Alert alert, double room, ToDoubleFunction<String> width) {
        String whole = said(alert);
        if (width.applyAsDouble(whole) <= room) {
            return whole;
        }
        Matcher threshold = THRESHOLD.matcher(alert.text());
        if (!threshold.find()) {
            return whole;
        }
        String happened = alert.text().substring(0, threshold.start());
        String withHeld = said(new AlertsViewModel.Alert(alert.key(), happened
                + (threshold.group(1) == null ? "" : " (" + threshold.group(1) + ")"), alert.active()));
        // the held note last: the header's amber Resume dispatch says it too
        return width.applyAsDouble(withHeld) <= room ? withHeld : said(new AlertsViewModel.Alert(alert.key(), happened, alert.active()));
    }

    /** An alert whose condition no longer holds stays for its hold, marked so nobody acts on a state that has passed. */
    static String said(AlertsViewModel.Alert alert) {
        return alert.active() ? alert.text() : alert.text() + " — cleared";
    }

    private void show(boolean visible) {
        root.setVisible(visible);
    }

    public HBox root() {
        return root;
    }
}
