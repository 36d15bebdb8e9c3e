package io.queuedeck.console.drills;

import io.queuedeck.console.widgets.ScreenScroll;
import io.queuedeck.engine.config.ShippedDrills;
import io.queuedeck.engine.drill.ProbeLight;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import javafx.stage.FileChooser;

/**
 * The Drills screen: the picker and Run, the big Abort (the kill switch) with the disarmed state
 * and Re-arm, the progress timeline of the steps, a light per probe, the verdict with its report,
 * and the past runs. It binds to {@link DrillsViewModel} and forwards clicks; nothing here waits.
 */
public final class DrillsView {
    public static final String LIGHT_CLASS = "drills-light";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    /** The least room for what scrolls below the kill switch: a few timeline steps or a past run. */
    private static final double MIN_SCROLL_HEIGHT = 160;

    private final DrillsViewModel model;
    private final VBox root;
    private final VBox lightsBox = new VBox(6);

    public DrillsView(DrillsViewModel model) {
        this.model = model;
        HBox top = new HBox(16, pickCard(), killCard());
        HBox middle = new HBox(16, timelineCard(), lightsCard());
        HBox.setHgrow(top.getChildren().getFirst(), Priority.ALWAYS);
        // half the row each, whatever they hold: sized by their content, the two jumped as steps and probe
        // readings came and went (at 1024 x 700 by a third of the row)
        for (Node card : middle.getChildren()) {
            ((Region) card).setPrefWidth(0);
            HBox.setHgrow(card, Priority.ALWAYS);
        }
        // the picker and the kill switch stay in view; what is below them scrolls when the window is short
        // (at 1280 x 800 the whole screen scrolled, and ABORT went off the top with it)
        VBox below = new VBox(16, middle, verdictCard(), historyCard());
        ScrollPane scroll = ScreenScroll.wrap(below);
        scroll.setId("drill-scroll");
        scroll.setMinHeight(MIN_SCROLL_HEIGHT);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        root = new VBox(16, top, scroll);
        root.getStyleClass().add("drills-grid");
        root.getStylesheets().add(DrillsView.class.getResource("/io/queuedeck/console/drills/drills.css").toExternalForm());
    }

    public Parent root() {
        return root;
    }

    private VBox card(String heading, Node... children) {
        Label title = new Label(heading);
        title.getStyleClass().add("drills-heading");
        VBox card = new VBox(8, title);
        card.getChildren().addAll(children);
        card.getStyleClass().add("drills-card");
        return card;
    }

    private Node pickCard() {
        ComboBox<String> pick = new io.queuedeck.console.widgets.SteadyComboBox<>(); // a pick resized it and moved Run
        pick.setItems(model.drills());
        pick.setId("drill-pick");
        pick.setVisibleRowCount(ShippedDrills.names().size() + 4); // every shipped drill and a few files without scrolling
        pick.setTooltip(new Tooltip("A shipped drill, or one of the files opened with Open file… (docs/faults.md)"));
        pick.setValue(model.selectedProperty().get());
        model.selectedProperty().addListener((o, a, v) -> pick.setValue(v));
        pick.valueProperty().addListener((o, was, v) -> {
            if (v != null) {
                model.selectedProperty().set(v);
            }
        });
        // a button, not a last choice of the picker: after its dialog the picker's list took no more clicks
        Button open = new Button("Open file…");
        open.setId("drill-open");
        open.setTooltip(new Tooltip("A drill file of your own (YAML); a bad one is refused with every problem and its line"));
        open.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Open a drill file");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Drill files (YAML)", "*.yaml", "*.yml"));
            java.io.File file = chooser.showOpenDialog(root.getScene().getWindow());
            if (file != null) {
                model.addFile(file.toPath());
            }
        });
        open.disableProperty().bind(model.runningProperty());
        pick.disableProperty().bind(model.runningProperty());
        Button run = new Button("Run against the live engine");
        run.setId("drill-run");
        run.setDefaultButton(true);
        run.setTooltip(new Tooltip("Runs the drill on this console's engine on the real clock: its load, faults and probes "
                + "act on the live system (a live game day)"));
        run.disableProperty().bind(model.runningProperty().or(model.armedProperty().not()));
        run.setOnAction(e -> model.run());
        Label description = new Label();
        description.setId("drill-description");
        description.setWrapText(true);
        description.setMinHeight(Region.USE_PREF_SIZE); // wrapped whole: at 1280 x 800 it was cut to one line with "…"
        description.getStyleClass().add("drills-muted");
        description.textProperty().bind(model.descriptionProperty());
        // the buttons keep their words in a narrow window ("Run against the live e…"); the picker gives way
        open.setMinWidth(Region.USE_PREF_SIZE);
        run.setMinWidth(Region.USE_PREF_SIZE);
        pick.setMinWidth(120);
        return card("Drill", new HBox(12, pick, open, run), description);
    }

    private Node killCard() {
        Button abort = new Button("ABORT");
        abort.setId("drill-abort");
        abort.getStyleClass().add("drills-abort");
        abort.setTooltip(new Tooltip("The kill switch: aborts the drill, clears every fault and disarms fault injection "
                + "everywhere in this console (drills, its REST API, the fault buttons) until re-armed"));
        abort.setOnAction(e -> model.abort());
        Label disarmed = new Label("faults disarmed —");
        disarmed.setId("drill-disarmed");
        disarmed.getStyleClass().add("drills-disarmed");
        Button rearm = new Button("Re-arm");
        rearm.setId("drill-rearm");
        rearm.setTooltip(new Tooltip("Allow fault injection again"));
        rearm.setOnAction(e -> model.rearm());
        HBox state = new HBox(8, disarmed, rearm);
        state.setAlignment(Pos.CENTER_LEFT);
        state.visibleProperty().bind(model.armedProperty().not());
        state.managedProperty().bind(state.visibleProperty());
        VBox card = card("Kill switch", abort, state);
        card.setAlignment(Pos.TOP_CENTER);
        card.setMinWidth(260);
        return card;
    }

    private Node timelineCard() {
        ProgressBar bar = new ProgressBar();
        bar.setId("drill-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(model.progressProperty());
        bar.setTooltip(new Tooltip("How far the drill is through its timeline (steady state, steps, recovery, observation)"));
        Label status = new Label();
        status.setId("drill-status");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());
        ListView<DrillsViewModel.Step> steps = new ListView<>(model.timeline());
        status.setMinWidth(0);
        status.prefWidthProperty().bind(steps.widthProperty()); // a long message wraps instead of widening the card
        status.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // all its lines, not one cut short
        steps.setId("drill-timeline");
        steps.setPrefHeight(170);
        // no width of its own from its longest step: at 1024 x 700 that pushed the Probes card off the window
        steps.setPrefWidth(200);
        steps.setMinWidth(0);
        steps.setPlaceholder(new Label("The steps appear here when a drill runs."));
        steps.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(DrillsViewModel.Step step, boolean empty) {
                super.updateItem(step, empty);
                getStyleClass().remove("drills-step-done");
                if (empty || step == null) {
                    setText(null);
                    return;
                }
                setText(String.format(Locale.ROOT, "%s %5.0f s  %s%s", step.refused() ? "✗" : step.done() ? "✓" : "○",
                        step.second(), step.label(), step.refused() ? " (refused: see the log)" : ""));
                if (step.done() && !step.refused()) {
                    getStyleClass().add("drills-step-done");
                }
            }
        });
        return card("Timeline", bar, status, steps);
    }

    private Node lightsCard() {
        lightsBox.setId("drill-lights");
        lightsBox.setMinWidth(0);
        model.lights().addListener((ListChangeListener<ProbeLight>) c -> redrawLights());
        Label legend = new Label("green: within bound · amber: past 80% of it · red: broken · grey: not judged yet");
        legend.getStyleClass().add("drills-muted");
        legend.setWrapText(true);
        legend.setMinHeight(Region.USE_PREF_SIZE); // wrapped at the card's width, every line shown
        return card("Probes", lightsBox, legend);
    }

    private void redrawLights() {
        lightsBox.getChildren().clear();
        for (ProbeLight light : model.lights()) {
            Circle dot = new Circle(7);
            dot.getStyleClass().addAll(LIGHT_CLASS, light.light().name().toLowerCase(Locale.ROOT));
            Label name = new Label(light.name());
            String reading = String.format(Locale.ROOT, "%s %s = %.2f", light.mode(), light.metric(), light.measured());
            Label value = new Label(reading);
            value.getStyleClass().add("drills-muted");
            name.setMinWidth(Region.USE_PREF_SIZE); // the probe's name whole; its reading gives way, whole in the tooltip
            value.setMinWidth(0);
            HBox row = new HBox(8, dot, name, value);
            row.setAlignment(Pos.CENTER_LEFT);
            row.setMinWidth(0);
            Tooltip.install(row, new Tooltip(light.name() + ": " + light.light().name().toLowerCase(Locale.ROOT) + " · " + reading));
            lightsBox.getChildren().add(row);
        }
    }

    private Node verdictCard() {
        Label verdict = new Label();
        verdict.setId("drill-verdict");
        verdict.getStyleClass().add("drills-verdict");
        verdict.textProperty().bind(Bindings.when(model.verdictProperty().isEmpty())
                .then("No verdict yet").otherwise(model.verdictProperty()));
        model.verdictProperty().addListener((o, a, v) -> {
            verdict.getStyleClass().removeAll("holds", "fails");
            if (!v.isEmpty()) {
                verdict.getStyleClass().add(v.startsWith("Hypothesis holds") ? "holds" : "fails");
            }
        });
        Button open = new Button("Open report");
        open.setId("drill-open-report");
        open.setTooltip(new Tooltip("Open the run's report directory (report.md, report.html, charts)"));
        open.disableProperty().bind(model.reportProperty().isNull());
        open.setOnAction(e -> model.openReport());
        Label where = new Label();
        where.getStyleClass().add("drills-muted");
        where.textProperty().bind(Bindings.createStringBinding(() -> {
            Path p = model.reportProperty().get();
            return p == null ? "" : p.toString();
        }, model.reportProperty()));
        // the verdict and the button whole, the path what room is left (its end, the run's own name);
        // the button first, so the verdict's arrival does not move it under the pointer
        verdict.setWrapText(true); // whole, on two lines if it must: a narrow window cut it ("· resili")
        verdict.setMinWidth(160);
        verdict.setMinHeight(Region.USE_PREF_SIZE);
        open.setMinWidth(Region.USE_PREF_SIZE);
        where.setMinWidth(0);
        where.setTextOverrun(OverrunStyle.LEADING_ELLIPSIS);
        Tooltip path = new Tooltip();
        path.textProperty().bind(where.textProperty());
        where.setTooltip(path);
        HBox row = new HBox(12, open, verdict, where);
        // the path asks for no width and takes what is left: the verdict wraps only when the card is too narrow for it
        where.setPrefWidth(0);
        where.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(where, Priority.ALWAYS);
        row.setAlignment(Pos.CENTER_LEFT);
        return card("Verdict", row);
    }

    private Node historyCard() {
        TableView<PastRun> table = new TableView<>(model.pastRuns());
        table.setId("drill-history");
        table.setPrefHeight(180);
        // its header and four rows at the least: at 1280 x 800 the page fitted the window by squeezing it to half a row
        table.setMinHeight(130);
        table.setPlaceholder(new Label("No drill has run here yet."));
        table.getColumns().add(column("Started", r -> TIME.format(r.at()), 150));
        table.getColumns().add(column("Drill", PastRun::drill, 220));
        table.getColumns().add(column("Verdict", PastRun::verdict, 150)); // "not shown to hold" whole
        table.getColumns().add(column("Score", r -> String.format(Locale.ROOT, "%.1f", r.score()), 80));
        table.getColumns().add(column("Report", r -> r.report().toString(), 420));
        // the report takes what is left: the empty space after it read as a sixth column without a title
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setRowFactory(t -> {
            TableRow<PastRun> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && row.getItem() != null) {
                    model.openReport(row.getItem());
                }
            });
            return row;
        });
        table.setTooltip(new Tooltip("Past runs kept in the data directory; double-click one to open its report"));
        VBox card = card("Past runs", table);
        VBox.setMargin(table, Insets.EMPTY);
        return card;
    }

    private static TableColumn<PastRun, String> column(String title, Function<PastRun, String> value, double width) {
        TableColumn<PastRun, String> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(c.getValue())));
        column.setPrefWidth(width);
        return column;
    }
}
