package io.queuedeck.console.control;

import atlantafx.base.theme.Styles;
import io.queuedeck.console.control.ControlViewModel.CanaryRow;
import io.queuedeck.console.control.ControlViewModel.HistoryRow;
import io.queuedeck.console.widgets.ConfirmBar;
import java.io.File;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * The Control screen: tabs for the running config (edit, load, apply), its history (rollback),
 * the canary (side by side, promote, rollback), the rule tester, the Flow view and the alert
 * thresholds. Changes that are hard to take back (rollback, promote) ask for a confirmation ({@link ConfirmBar}) in a
 * bar above the tabs. It binds and forwards; the models do the work off the FX thread.
 */
public final class ControlView {
    private final ControlViewModel model;
    private final VBox root = new VBox(8);
    /** Esc answers no wherever the focus is on this screen, as it closes the help. */
    private final ConfirmBar confirmBar = new ConfirmBar("control", "Not now", root); // "Cancel" beside "Roll back" read as cancelling the canary

    public ControlView(ControlViewModel model, FlowViewModel flow, AlertsForm alerts) {
        this.model = model;
        root.setId("control");
        root.getStyleClass().add("control-screen");
        root.setMinSize(0, 0);
        root.setPadding(new javafx.geometry.Insets(16, 16, 8, 16)); // as the other screens: the version line sat against the header and the navigation

        Label version = new Label();
        version.setId("control-version");
        version.getStyleClass().add(Styles.TEXT_BOLD);
        version.textProperty().bind(model.versionLineProperty());
        version.setMinWidth(0);
        version.setTooltip(tip("The running config: its version, when it applied and where it came from"));
        Label lastError = new Label();
        lastError.setId("control-last-error");
        lastError.getStyleClass().add("control-last-error");
        // One line, kept when empty: a refusal raised or cleared moves nothing below it. Every
        // problem is listed under the editor, and the whole line in the tooltip.
        lastError.setTextOverrun(OverrunStyle.ELLIPSIS);
        lastError.textProperty().bind(Bindings.when(model.lastErrorProperty().isEmpty())
                .then("No change refused").otherwise(model.lastErrorProperty()));
        mutedWhen(lastError, model.lastErrorProperty().isEmpty(), Styles.DANGER);
        Tooltip lastErrorTip = tip("");
        lastErrorTip.textProperty().bind(Bindings.when(model.lastErrorProperty().isEmpty())
                .then("No change was refused").otherwise(Bindings.concat(
                        "The last change that was refused; the running version stayed. ", model.lastErrorProperty())));
        lastErrorTip.setWrapText(true);
        lastErrorTip.setMaxWidth(700);
        lastError.setTooltip(lastErrorTip);
        Label message = new Label();
        message.setId("control-message");
        message.setTextOverrun(OverrunStyle.ELLIPSIS);
        // the row is kept for a confirmation; empty, it says what Apply does rather than leave a gap
        message.textProperty().bind(Bindings.when(model.messageProperty().isEmpty())
                .then("Apply checks the whole text first: a change with any problem is refused whole, and the running version stays")
                .otherwise(model.messageProperty()));
        mutedWhen(message, model.messageProperty().isEmpty(), null);

        confirmBar.getStyleClass().add("control-confirm");

        TabPane tabs = new TabPane(
                tab("Config", "The running config; edit or load a file and apply it", configTab()),
                tab("History", "Every applied version with its diff; roll back to one", historyTab()),
                tab("Canary", "A candidate for a share of new tasks, side by side with stable", canaryTab()),
                tab("Rule tester", "Which priority rule classifies a task, and why", rulesTab()),
                tab("Flow", "Per tier and tenant: queued, dispatch share against fair share, waits, shed and timed out", flowTab(flow)),
                tab("Alerts", "When the console raises an alert", alertsTab(alerts)));
        tabs.setId("control-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setMinSize(0, 0);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        // a confirmation takes the message's place, in a row as tall as the confirmation: the
        // controls below never move under the pointer between the question and the answer
        message.visibleProperty().bind(confirmBar.visibleProperty().not());
        StackPane notice = new StackPane(message, confirmBar);
        notice.setAlignment(Pos.CENTER_LEFT);
        root.getChildren().addAll(version, lastError, notice, tabs);
        model.refresh();
    }

    /** Muted while {@code quiet} holds; otherwise in {@code loudClass} (none when null). */
    private static void mutedWhen(Label label, javafx.beans.binding.BooleanBinding quiet, String loudClass) {
        Runnable style = () -> {
            label.getStyleClass().removeAll(Styles.TEXT_MUTED, Styles.DANGER);
            if (quiet.get()) {
                label.getStyleClass().add(Styles.TEXT_MUTED);
            } else if (loudClass != null) {
                label.getStyleClass().add(loudClass);
            }
        };
        quiet.addListener((o, was, is) -> style.run());
        label.getProperties().put("mutedWhen", quiet); // the binding lives as long as the label
        style.run();
    }

    private static Tab tab(String title, String tooltip, Node content) {
        Tab tab = new Tab(title, content);
        tab.setId("control-tab-" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
        tab.setTooltip(tip(tooltip));
        return tab;
    }

    // ---------------------------------------------------------------- tabs

    private Node configTab() {
        TextArea editor = new TextArea();
        editor.setId("control-editor");
        editor.getStyleClass().add("control-editor");
        editor.textProperty().bindBidirectional(model.editorTextProperty());
        // what changes while running is said above the editor: a four-line tooltip came up over the text being edited;
        // its own is one line, and slow to come
        Tooltip editorTip = tip("The config file, YAML or JSON; Apply checks it whole and runs it");
        editorTip.setShowDelay(javafx.util.Duration.seconds(3));
        editor.setTooltip(editorTip);
        Label reloadable = new Label("Changes while running: " + String.join(", ", io.queuedeck.engine.config.ConfigChange.RELOADABLE)
                + " (the tier table's names, order and priorities at a restart); the rest is refused until then."
                + " The console's own flags (--api-port, --data-dir) are not part of this text.");
        reloadable.getStyleClass().add(Styles.TEXT_MUTED);
        reloadable.setWrapText(true);
        reloadable.setMinHeight(Region.USE_PREF_SIZE);
        Label caret = new Label();
        caret.setId("control-caret");
        caret.getStyleClass().add(Styles.TEXT_MUTED);
        editor.caretPositionProperty().addListener((o, a, at) -> caret.setText(ConfigLines.describe(editor.getText(), at.intValue())));
        caret.setText(ConfigLines.describe(editor.getText(), editor.getCaretPosition()));
        VBox.setVgrow(editor, Priority.ALWAYS);
        editor.setMinHeight(80); // the editor gives way to the problems above it, down to a few lines
        Button apply = button("control-apply", "Apply", "Check the whole text and run it as the next version (as PUT /v1/config)");
        apply.getStyleClass().add(Styles.ACCENT);
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(apply, model.busyProperty()); // pressed from the keyboard, the focus stays on it
        apply.setOnAction(e -> model.apply());
        Button load = button("control-load", "Load file…", "Put a config file's text in the editor (applied only with Apply)");
        load.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Load a config file");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("YAML or JSON", "*.yaml", "*.yml", "*.json"));
            File file = chooser.showOpenDialog(root.getScene().getWindow());
            if (file != null) {
                model.load(file.toPath());
            }
        });
        Button revert = button("control-revert", "Revert", "Put the running version's text back in the editor");
        revert.setOnAction(e -> model.revertEditor());
        ListView<String> problems = new ListView<>(model.problems());
        problems.setId("control-problems");
        problems.getStyleClass().addAll("control-problems", atlantafx.base.theme.Styles.DENSE); // four rows in its height, not two and a half
        // each problem wrapped at the list's width, read whole ("known here: server, engine, …" was cut at the
        // right edge); and the list keeps its height: at 1024 x 700 the editor below squeezed it to one line
        problems.setCellFactory(list -> new javafx.scene.control.ListCell<>() {
            {
                setWrapText(true);
                setPrefWidth(0); // as wide as the list, not as the longest problem
            }

            @Override
            protected void updateItem(String problem, boolean empty) {
                super.updateItem(problem, empty);
                setText(empty ? null : problem);
            }
        });
        problems.setPrefHeight(150);
        problems.setMinHeight(Region.USE_PREF_SIZE);
        problems.setTooltip(tip("Every problem of the last refused change, each with its key path and line;"
                + " click one (or Enter) to go to its line in the editor"));
        problems.visibleProperty().bind(Bindings.isNotEmpty(model.problems()));
        problems.managedProperty().bind(problems.visibleProperty());
        // a problem names its line; the editor has no line numbers, so a click goes there
        Runnable goToProblem = () -> {
            String chosen = problems.getSelectionModel().getSelectedItem();
            int[] range = chosen == null ? null : ConfigLines.rangeOfLineIn(editor.getText(), chosen);
            if (range != null) {
                editor.requestFocus();
                editor.selectRange(range[0], range[1]);
            }
        };
        problems.setOnMouseClicked(e -> goToProblem.run());
        problems.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER) {
                goToProblem.run();
            }
        });
        HBox buttons = new HBox(8, apply, load, revert, caret);
        buttons.setAlignment(Pos.CENTER_LEFT);
        return pad(new VBox(8, buttons, problems, reloadable, editor));
    }

    private Node historyTab() {
        TableView<HistoryRow> table = new TableView<>(model.history());
        table.setId("control-history");
        table.getColumns().add(column("Version", 70, r -> String.valueOf(r.version())));
        table.getColumns().add(column("Applied", 90, HistoryRow::appliedAt));
        table.getColumns().add(column("From", 220, HistoryRow::source));
        table.getColumns().add(column("What changed", 320, HistoryRow::label));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setTooltip(tip("Applied versions, newest first; select one to see its diff (the first version: its whole text)"));
        VBox.setVgrow(table, Priority.ALWAYS);
        table.setPrefHeight(160);
        TextArea diff = new TextArea();
        diff.setId("control-diff");
        diff.setEditable(false);
        // the room is shared with the table: version 1's whole text showed two lines at a time
        diff.setPrefRowCount(6);
        diff.setPromptText("Select a version to see what it changed");
        VBox.setVgrow(diff, Priority.ALWAYS);
        diff.setTooltip(tip("The selected version's diff against the one before it; the first version's whole text"));
        var selected = table.getSelectionModel().selectedItemProperty();
        diff.textProperty().bind(Bindings.createStringBinding(() -> selected.get() == null ? "" : selected.get().detail(), selected));
        Button rollback = button("control-rollback", "Roll back to selected", "Apply the selected version's text again, as a new version");
        // a disabled button shows no tooltip: the reason stands beside it
        Label note = new Label();
        note.setId("control-rollback-note");
        note.getStyleClass().add(Styles.TEXT_MUTED);
        note.setMinWidth(0);
        note.textProperty().bind(Bindings.createStringBinding(() -> selected.get() == null ? "" : selected.get().noRollback(),
                selected));
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(rollback, selected.isNull().or(note.textProperty().isNotEmpty()).or(model.busyProperty()));
        rollback.setOnAction(e -> {
            HistoryRow row = table.getSelectionModel().getSelectedItem();
            if (row != null) {
                model.askRollback(row.version(), question -> confirm(question, "Roll back", () -> model.rollback(row.version())));
            }
        });
        HBox actions = new HBox(8, rollback, note);
        actions.setAlignment(Pos.CENTER_LEFT);
        return pad(new VBox(8, actions, table, diff));
    }

    private Node canaryTab() {
        Label line = new Label();
        line.setId("control-canary-line");
        line.setWrapText(true);
        line.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // every line of it: at 1024 px the reason was cut
        line.textProperty().bind(model.canaryLineProperty());
        TextField fraction = new TextField("10");
        fraction.setId("control-canary-fraction");
        fraction.setPrefColumnCount(4);
        fraction.setTooltip(tip("Percent of new tasks the canary classifies (by a stable hash of the task id)"));
        Button start = button("control-canary-start", "Start canary from editor",
                "The editor's config classifies that share of new tasks; it may change only priority_rules");
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(start, model.canaryRunningProperty().or(model.busyProperty()));
        start.setOnAction(e -> {
            double percent;
            try {
                percent = Double.parseDouble(fraction.getText().trim().replace("%", ""));
            } catch (NumberFormatException ex) {
                percent = Double.NaN;
            }
            if (!(percent > 0 && percent <= 100)) { // "abc" did nothing, and 150 was refused as "fraction … got 1.5"
                model.refused(java.util.List.of("Share % must be a number above 0 and at most 100, got '"
                        + fraction.getText().trim() + "'"));
                return;
            }
            model.startCanary(percent / 100);
        });
        Button promote = button("control-canary-promote", "Promote…", "Make the canary's config the running config for every new task");
        promote.getStyleClass().add(Styles.SUCCESS);
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(promote, model.canaryRunningProperty().not().or(model.busyProperty()));
        promote.setOnAction(e -> confirm("Promote the canary? Its config becomes the next version for every new task.", "Promote",
                model::promoteCanary));
        Button rollback = button("control-canary-rollback", "Roll back…", "End the canary: every new task is classified by the running config");
        rollback.getStyleClass().add(Styles.DANGER);
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(rollback, model.canaryRunningProperty().not().or(model.busyProperty()));
        rollback.setOnAction(e -> confirm("Roll the canary back? New tasks are all classified by the running config again.",
                "Roll back", model::rollbackCanary));
        HBox actions = new HBox(8, new Label("Share %"), fraction, start, promote, rollback);
        actions.setAlignment(Pos.CENTER_LEFT);
        TableView<CanaryRow> table = new TableView<>(model.canaryRows());
        table.setId("control-canary-table");
        table.getColumns().add(column("Figure", 220, CanaryRow::figure));
        table.getColumns().add(column("Stable", 160, CanaryRow::stable));
        table.getColumns().add(column("Canary", 160, CanaryRow::canary));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No canary runs"));
        table.setTooltip(tip("Tasks that arrived since the canary started: latency percentiles by business class, failures, "
                + "tasks shed and timed out, deadline misses, throughput"));
        VBox.setVgrow(table, Priority.ALWAYS);
        // the buttons above the line: its text grows and shrinks ("not comparable yet" comes and goes), and under it
        // the buttons jumped as they were clicked
        return pad(new VBox(8, actions, line, table));
    }

    private Node rulesTab() {
        TextArea task = new TextArea();
        task.setId("control-rule-task");
        task.setPrefRowCount(4);
        task.textProperty().bindBidirectional(model.ruleTaskProperty());
        task.setTooltip(tip("A task as POST /v1/tasks takes it"));
        Button test = button("control-rule-test", "Test against the editor's rules", "Which rule of the editor's priority_rules "
                + "classifies the task, and why each does or does not (as queuedeck rules test)");
        test.setOnAction(e -> model.testRule());
        TextArea result = new TextArea();
        result.setId("control-rule-result");
        result.setEditable(false);
        result.textProperty().bind(model.ruleResultProperty());
        result.setTooltip(tip("Every rule's verdict in order, then the priority the task gets"));
        VBox.setVgrow(result, Priority.ALWAYS);
        return pad(new VBox(8, new Label("Task (JSON)"), task, test, result));
    }

    private Node flowTab(FlowViewModel flow) {
        Label summary = new Label();
        summary.setId("flow-summary");
        summary.textProperty().bind(flow.summaryProperty());
        TableView<FlowViewModel.TierRow> tiers = new TableView<>(flow.tiers());
        tiers.setId("flow-tiers");
        tiers.getColumns().add(column("Tier", 70, FlowViewModel.TierRow::tier));
        tiers.getColumns().add(column("Queued", 70, FlowViewModel.TierRow::waiting));
        tiers.getColumns().add(column("Running", 70, FlowViewModel.TierRow::running));
        tiers.getColumns().add(column("Cap", 70, FlowViewModel.TierRow::cap));
        tiers.getColumns().add(column("Share", 80, FlowViewModel.TierRow::guaranteed));
        tiers.getColumns().add(column("Use", 60, FlowViewModel.TierRow::use));
        tiers.getColumns().add(column("Shed", 60, FlowViewModel.TierRow::shed));
        tiers.getColumns().add(column("Spilled", 65, FlowViewModel.TierRow::spilled));
        tiers.getColumns().add(column("Parked", 60, FlowViewModel.TierRow::parked));
        tiers.getColumns().add(column("Timed out", 75, FlowViewModel.TierRow::timedOut));
        tiers.getColumns().add(column("Demoted", 70, FlowViewModel.TierRow::demoted));
        tiers.getColumns().add(column("Evicted", 65, FlowViewModel.TierRow::evicted));
        tiers.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        tiers.getColumns().getFirst().setMinWidth(FLOW_TIER_LEAST);
        tiers.getColumns().get(3).setMinWidth(FLOW_CAP_LEAST);
        // at 1024 px the policy cut "Queued" to "Que…", "Timed out" to "Time…"; the twelve whole headers fit there only with
        // less padding than the theme's 0.5 em each side
        io.queuedeck.console.widgets.WholeHeaders.keep(tiers);
        tiers.getStyleClass().add(io.queuedeck.console.widgets.WholeHeaders.TIGHT_CLASS);
        // every tier's row in view (130 px showed one and a half of three): the header, the rows and room for a scroll bar
        tiers.setFixedCellSize(FLOW_ROW_HEIGHT);
        javafx.beans.binding.DoubleBinding rowsHeight = javafx.beans.binding.Bindings.createDoubleBinding(
                () -> 40 + Math.max(1, flow.tiers().size()) * FLOW_ROW_HEIGHT + 18, flow.tiers());
        tiers.prefHeightProperty().bind(rowsHeight);
        tiers.minHeightProperty().bind(rowsHeight);
        tiers.setTooltip(tip("Per tier: its limits (tiers in the config), running against its cap or the slots, and what flow "
                + "control did since start"));
        TableView<FlowViewModel.TenantRow> tenants = new TableView<>(flow.tenants());
        tenants.setId("flow-tenants");
        tenants.getColumns().add(column("Tier", 70, FlowViewModel.TenantRow::tier));
        TableColumn<FlowViewModel.TenantRow, String> tenantColumn = column("Tenant", 120, FlowViewModel.TenantRow::tenant);
        TenantNames.show(tenantColumn);
        tenants.getColumns().add(tenantColumn);
        tenants.getColumns().add(column("Queued", 70, r -> String.format(java.util.Locale.ROOT, "%,d", r.waiting())));
        tenants.getColumns().add(column("Dispatch share", 110, FlowViewModel.TenantRow::share));
        tenants.getColumns().add(column("Fair share", 85, FlowViewModel.TenantRow::fairShare));
        tenants.getColumns().add(column("Wait p50", 80, FlowViewModel.TenantRow::waitP50));
        tenants.getColumns().add(column("Wait p99", 80, FlowViewModel.TenantRow::waitP99));
        tenants.getColumns().add(column("Timed out", 75, r -> String.valueOf(r.timedOut())));
        tenants.getColumns().add(column("Evicted", 65, r -> String.valueOf(r.evicted())));
        tenants.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        tenants.getColumns().getFirst().setMinWidth(FLOW_TIER_LEAST);
        // a tenant is read by its whole name ("research-batch-nightly-eu-west" read "research-b…"): decision 0142
        io.queuedeck.console.widgets.WholeHeaders.keep(tenants, c -> c == tenantColumn ? TenantNames.need(tenants, tenantColumn) : 0);
        tenants.getStyleClass().add(io.queuedeck.console.widgets.WholeHeaders.TIGHT_CLASS);
        tenants.setPlaceholder(new Label("No task has waited yet"));
        tenants.setTooltip(tip("Per tier and tenant: dispatch share over the last 30 s against its fair share (its weight "
                + "over the weights of the tenants active in the tier), queue waits of its last 256 dispatches"));
        VBox.setVgrow(tenants, Priority.ALWAYS);
        return pad(new VBox(8, summary, tiers, tenants));
    }

    /** The tier column's least width: "normal" whole (its header, "Tier", alone left it "nor…" at 1024 px). */
    private static final double FLOW_TIER_LEAST = 62;
    /** The cap column's least width: "no cap" whole (its header alone left it "no c…" at 1024 px). */
    private static final double FLOW_CAP_LEAST = 60;

    /** Height of a row of the flow tab's tier table. */
    private static final double FLOW_ROW_HEIGHT = 30;

    private Node alertsTab(AlertsForm form) {
        GridPane grid = new GridPane();
        grid.setId("alerts-form");
        grid.setHgap(10);
        grid.setVgap(6);
        int row = 0;
        for (Map.Entry<String, javafx.beans.property.StringProperty> e : form.fields().entrySet()) {
            Label label = new Label("alerts." + e.getKey());
            label.setMinWidth(Region.USE_PREF_SIZE);
            TextField field = new TextField();
            field.setId("alerts-" + e.getKey().replace('.', '-').replace('_', '-'));
            field.setPrefColumnCount(8);
            field.textProperty().bindBidirectional(e.getValue());
            field.setTooltip(tip("alerts." + e.getKey() + form.hint(e.getKey()) + " in the config file (docs/configuration.md)"));
            grid.addRow(row++, label, field);
        }
        Button apply = button("alerts-apply", "Apply alerts", "Write these into the running config's alerts section and apply it "
                + "as the next version");
        apply.getStyleClass().add(Styles.ACCENT);
        io.queuedeck.console.widgets.OffKeepingFocus.disableWhile(apply, model.busyProperty()); // pressed from the keyboard, the focus stays on it
        apply.setOnAction(e -> {
            try {
                model.applyText(form.applyTo(model.runningTextProperty().get()), "alert thresholds applied");
            } catch (io.queuedeck.engine.config.ConfigException ex) {
                model.refused(AlertsForm.problems(ex)); // it said nothing here, and "Alert thresholds applied." stayed
            }
        });
        ListView<String> problems = new ListView<>(model.problems());
        problems.setId("alerts-problems");
        problems.getStyleClass().add("control-problems");
        problems.setPrefHeight(90);
        problems.visibleProperty().bind(Bindings.isNotEmpty(model.problems()));
        problems.managedProperty().bind(problems.visibleProperty());
        Label note = new Label("A latency alert needs its class above the threshold for sustained_for; every change is a "
                + "new config version.");
        note.setWrapText(true);
        note.getStyleClass().add(Styles.TEXT_MUTED);
        // its rows stand as tall as they are: in a short window it scrolls, so Apply stays reachable
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(pad(new VBox(8, note, grid, apply, problems)));
        scroll.setId("alerts-scroll");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("edge-to-edge");
        return scroll;
    }

    // ---------------------------------------------------------------- helpers

    /** The question stands above the tabs, in the message's place: see {@link ConfirmBar}. */
    private void confirm(String question, String yes, Runnable action) {
        confirmBar.ask(question, yes, action);
    }

    private static <R> TableColumn<R, String> column(String title, double width, Function<R, String> value) {
        TableColumn<R, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.apply(c.getValue())));
        return column;
    }

    private static Button button(String id, String text, String tooltip) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(tip(tooltip));
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private static Tooltip tip(String text) {
        Tooltip t = new Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(420);
        return t;
    }

    private static Node pad(VBox box) {
        box.getStyleClass().add("control-tab");
        box.setStyle("-fx-padding: 8 0 0 0;");
        box.setMinSize(0, 0);
        return box;
    }

    public Parent root() {
        return root;
    }
}
