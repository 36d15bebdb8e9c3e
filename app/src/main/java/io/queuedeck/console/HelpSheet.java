package io.queuedeck.console;

import atlantafx.base.theme.Styles;
import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * F1's sheet over the screen in view: every keyboard shortcut, and a short guide to that
 * screen. F1 again, Esc or × closes it.
 */
final class HelpSheet {
    static final String ID = "help-sheet";

    /** Shortcut and what it does, everywhere and on the Lanes screen. */
    static final List<List<String>> SHORTCUTS = List.of(
            List.of("F1", "this help; F1 or Esc closes it"),
            List.of("Ctrl+1 … Ctrl+9, Ctrl+0", "Overview, Latency, Lanes, GPUs, Faults, Policy & load, Search, Activity, Control, Drills"),
            List.of("Ctrl+P", "pause or resume dispatch (running tasks finish)"),
            List.of("Lanes · click, Shift/Ctrl+click", "select tasks in a lane"),
            List.of("Lanes · Enter, double-click", "open the selected task in the inspector"),
            List.of("Lanes · Alt+↑ / Alt+↓", "move the selection one place within its lane"),
            List.of("Lanes · Alt+Home / Alt+End", "move it to the front or back of its lane"),
            List.of("Lanes · Delete", "cancel the selected tasks, after asking (Esc says no)"),
            List.of("Lanes · drag", "onto a lane: new priority; onto a row: just above it"),
            List.of("Dead letters · R", "retry the selected dead letters"),
            List.of("Inspector · Esc", "close the inspector"));

    private HelpSheet() {}

    /** A short guide to one screen: what it shows and what one does there. */
    static String guide(Screen screen) {
        return switch (screen) {
            case OVERVIEW -> "Queue levels per tier, throughput (tasks completed per second over the last 30 s), tokens per second, "
                    + "latency percentiles and the GPUs at a glance. The sparklines cover the last two minutes; faults and recoveries are marked on them.";
            case LATENCY -> "Latency percentiles (p50, p95, p99) of finished tasks over a sliding window, overall or for one priority "
                    + "class. Markers on the charts are changes and faults: hover one for what happened.";
            case LANES -> "One lane per priority (P0 is served first under the priority policy), each in the order it dispatches, "
                    + "with its total in the header (2.9k = about 2,900) and its ⋮ menu to pause, drain or resume it. The first "
                    + "1,000 of each lane are listed; the filter searches those, Enter opens any task by id. The inspector shows a "
                    + "task's details, why it sits where it does, and its actions (priority, cancel, retry).";
            case GPUS -> "Each GPU: state, batch occupancy and KV-cache use; an offline GPU is greyed out. Crash, slow down or take "
                    + "a GPU offline from its card. With --backend, each card is a model on an inference server: its URL, health, "
                    + "slots in use, time to first token and tokens/s; Drain sends it nothing new, Drain server does so for every "
                    + "model of that server, Take offline closes its streams. With --redis, the cluster section below lists every node with its instances "
                    + "and heartbeat age and each tier's levels across the cluster; Pause, Drain and Resume act on every node, "
                    + "and the waiting tasks (drag onto another to move it before it; raise, lower, cancel) and dead letters "
                    + "(retry) are the shared queue's.";
            case FAULTS -> "Inject faults (crash, slow, offline, load burst, poison task, tenant flood) and clear them; the change log lists "
                    + "every fault and operator change with its time; dead letters are tasks that failed every attempt.";
            case POLICIES -> "Switch the live scheduling policy (waiting tasks are re-ranked, running ones are not touched), "
                    + "pause dispatch, and shape the demo load. Compare policies: replay a trace under each policy on simulated "
                    + "GPUs, in the background (Cancel stops it), and read each against FIFO and the srpt-oracle in a sortable "
                    + "table and a chart.";
            case SEARCH -> "Every task the engine knows, found by id, model, tenant, business class, state, priority, age or text "
                    + "in its metadata, sorted and paged. Enter on a full id opens it or says it does not exist. The bulk bar "
                    + "applies an action to every match (the count is shown first; cancelling many asks for a typed "
                    + "confirmation); reprioritize and moves can be undone. Export CSV / Export JSON write every match (up to "
                    + "10,000), not only the page shown, in the current order.";
            case CONTROL -> "The running config: its version, when and from where it applied, and the last refused change in red. "
                    + "Edit it or load a file and Apply (checked whole, as PUT /v1/config; a refusal lists every problem). History "
                    + "lists versions with their diffs; roll back to one. Canary: start one from the editor for a share of new "
                    + "tasks, compare it with stable side by side, promote or roll it back (each asks to confirm). The rule tester "
                    + "says which rule classifies a task and why. Flow: per tier its limits and use, per tier and tenant what "
                    + "waits, its dispatch share against its fair share, waits, timeouts and evictions. Alerts: the thresholds.";
            case ACTIVITY -> "The audit trail: every change made from this console and every state-changing API call, with who "
                    + "made it, when and how many tasks it touched. Search it, and export it as CSV or JSON.";
            case DRILLS -> "A drill is a game day: a hypothesis, faults on a timeline, probes that must hold and stop conditions. "
                    + "Pick a shipped drill (or open a file) and run it against this live engine: the timeline ticks its steps off, "
                    + "each probe shows green, amber or red as it goes. ABORT is the kill switch: the drill stops, every fault is "
                    + "cleared and injection stays disarmed (here and in the REST API) until Re-arm. At the end: the verdict, the "
                    + "resilience score and the report; past runs are kept in the data directory.";
        };
    }

    /** The sheet for {@code screen}; {@code close} runs on × and Esc. */
    static Node build(Screen screen, Runnable close) {
        Label title = new Label("Help · " + screen.title());
        title.getStyleClass().add(Styles.TITLE_3);
        Button x = new Button("✕");
        x.setId("help-close");
        x.getStyleClass().addAll(Styles.FLAT, Styles.BUTTON_ICON);
        x.setTooltip(new Tooltip("Close the help (F1 or Esc)"));
        x.setOnAction(e -> close.run());
        x.setMinWidth(Region.USE_PREF_SIZE);
        title.setMinWidth(0);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(8, title, spacer, x);
        head.setAlignment(Pos.CENTER_LEFT);

        Label guide = new Label(guide(screen));
        guide.setId("help-guide");
        guide.setWrapText(true);
        Label keysTitle = new Label("Keyboard");
        keysTitle.getStyleClass().add(Styles.TITLE_4);
        GridPane keys = new GridPane();
        keys.setId("help-shortcuts");
        keys.setHgap(16);
        keys.setVgap(4);
        for (int i = 0; i < SHORTCUTS.size(); i++) {
            Label key = new Label(SHORTCUTS.get(i).get(0));
            key.getStyleClass().add("help-key");
            key.setMinWidth(Region.USE_PREF_SIZE);
            Label what = new Label(SHORTCUTS.get(i).get(1));
            what.setWrapText(true);
            keys.addRow(i, key, what);
        }
        Label more = new Label("Every control says what it does when you hover it. docs/console.md describes each screen.");
        more.getStyleClass().add(Styles.TEXT_MUTED);
        more.setWrapText(true);
        javafx.scene.layout.ColumnConstraints keyColumn = new javafx.scene.layout.ColumnConstraints();
        keyColumn.setMinWidth(Region.USE_PREF_SIZE);
        javafx.scene.layout.ColumnConstraints whatColumn = new javafx.scene.layout.ColumnConstraints();
        whatColumn.setHgrow(Priority.ALWAYS);
        keys.getColumnConstraints().addAll(keyColumn, whatColumn);
        VBox card = new VBox(12, head, guide, keysTitle, keys, more);
        card.getStyleClass().add("help-card");
        card.setMaxWidth(640);
        card.setMaxHeight(Region.USE_PREF_SIZE);
        ScrollPane scroll = new ScrollPane(card);
        scroll.setFitToWidth(true);
        scroll.setMaxWidth(660);
        // as tall as the whole card where the window has room (a scroll pane's own preference cut it at 400 px), scrolling where not
        scroll.prefViewportHeightProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                () -> card.prefHeight(card.getWidth() > 0 ? card.getWidth() : card.getMaxWidth()), card.widthProperty()));
        scroll.setMaxHeight(Region.USE_PREF_SIZE);
        scroll.getStyleClass().add("help-scroll");
        StackPane sheet = new StackPane(scroll);
        sheet.setId(ID);
        sheet.getStyleClass().add("help-sheet");
        sheet.setAlignment(Pos.CENTER);
        sheet.setOnMouseClicked(e -> {
            if (e.getTarget() == sheet) {
                close.run(); // a click beside the card
            }
        });
        return sheet;
    }
}
