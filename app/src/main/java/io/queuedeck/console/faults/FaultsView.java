package io.queuedeck.console.faults;

import atlantafx.base.theme.Styles;
import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.ui.Fxml;
import io.queuedeck.console.widgets.GpuActions;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** Fault buttons per GPU, a load burst, the active faults with "clear all", and the change log. */
public final class FaultsView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final FaultsViewModel model;
    private final Parent root;
    private final List<VBox> gpuRows = new ArrayList<>();
    private final List<Label> gpuStates = new ArrayList<>();
    private final List<GpuActions> gpuActions = new ArrayList<>();
    @FXML
    private VBox injectBox;
    @FXML
    private Button burstButton;
    @FXML
    private Button poisonButton;
    @FXML
    private Button retryButton;
    @FXML
    private TextField floodTenant;
    @FXML
    private TextField floodRate;
    @FXML
    private TextField floodSeconds;
    @FXML
    private Button floodButton;
    @FXML
    private Button clearSelectedButton;
    @FXML
    private ListView<FaultsViewModel.ActiveFault> activeList;
    @FXML
    private Button clearAllButton;
    @FXML
    private ListView<FaultsViewModel.DeadLetter> deadList;
    @FXML
    private TableView<ChangeLog.Entry> logTable;
    @FXML
    private TableColumn<ChangeLog.Entry, String> timeColumn;
    @FXML
    private TableColumn<ChangeLog.Entry, String> kindColumn;
    @FXML
    private TableColumn<ChangeLog.Entry, String> textColumn;

    /** A change log cell's padding either side, which its wrapped text leaves free. */
    private static final double LOG_CELL_PADDING = 20;

    public FaultsView(FaultsViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Faults");

        burstButton.setTooltip(new Tooltip("Add 9× the current demo load on top of it for "
                + FaultsViewModel.BURST_SECONDS + " s"));
        burstButton.setOnAction(e -> model.burst());
        poisonButton.setTooltip(new Tooltip("Submit a task that fails on every attempt: watch it retry, then land in the dead letters"));
        poisonButton.setOnAction(e -> model.poisonTask());
        if (model.simulatedLoadUnavailable() != null) { // real backends: a burst offers nothing, a poison task is refused
            burstButton.setDisable(true);
            poisonButton.setDisable(true);
            Label why = new Label("Off on real inference servers: both need simulated GPUs.");
            why.setId("faults-burst-unavailable");
            why.setWrapText(true);
            why.getStyleClass().add("faults-subheading"); // muted, as the headings of this card
            ((VBox) burstButton.getParent()).getChildren().add(1, why);
        }
        // every button looked live while the kill switch held; only a click said it was refused
        Label disarmed = new Label("Fault injection is disarmed (the kill switch): these buttons are refused until Re-arm on the Drills screen.");
        disarmed.setId("faults-disarmed");
        disarmed.setWrapText(true);
        disarmed.setMinHeight(Region.USE_PREF_SIZE); // every line of it: at 1024 px it was cut
        disarmed.getStyleClass().add(Styles.DANGER);
        disarmed.visibleProperty().bind(model.disarmedProperty());
        disarmed.managedProperty().bind(model.disarmedProperty());
        ((VBox) burstButton.getParent()).getChildren().add(0, disarmed);
        floodButton.setTooltip(new Tooltip("One tenant sends this many tasks a second for this long (the catalogue's"
                + " tenant_flood): listed under Active faults until it ends or is cleared, audited, marked on the charts"));
        floodTenant.setTooltip(new Tooltip("The tenant whose tasks the flood submits (as its clients would)"));
        floodRate.setTooltip(new Tooltip(String.format(java.util.Locale.ROOT, "Tasks a second, from 0.1 to %.0f", io.queuedeck.engine.fault.FaultSpec.MAX_LOAD_RATE)));
        floodSeconds.setTooltip(new Tooltip("How long the flood lasts, in seconds (from 1 to " + CatalogueFaults.MAX_FLOOD_SECONDS + ")"));
        floodButton.setOnAction(e -> model.tenantFlood(floodTenant.getText(), floodRate.getText(), floodSeconds.getText()));
        floodButton.setDisable(!model.floods());
        retryButton.setTooltip(new Tooltip("Queue the selected dead letter again, with a fresh set of attempts"));
        retryButton.setOnAction(e -> {
            FaultsViewModel.DeadLetter selected = deadList.getSelectionModel().getSelectedItem();
            if (selected != null) {
                keepFocusOn(deadList);
                model.retry(selected);
            }
        });
        clearAllButton.setTooltip(new Tooltip("Bring offline GPUs back and restore slowed ones (crashed GPUs recover by themselves)"));
        clearAllButton.setOnAction(e -> {
            keepFocusOn(activeList);
            model.clearAll();
        });
        clearAllButton.disableProperty().bind(model.anyClearableProperty().not());

        clearSelectedButton.setTooltip(new Tooltip("End the selected fault of the catalogue (a flood, or a drill's or the API's fault)"));
        clearSelectedButton.setOnAction(e -> {
            keepFocusOn(activeList);
            model.clear(activeList.getSelectionModel().getSelectedItem());
        });
        clearSelectedButton.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> {
            FaultsViewModel.ActiveFault selected = activeList.getSelectionModel().getSelectedItem();
            return selected == null || selected.faultId() == null;
        }, activeList.getSelectionModel().selectedItemProperty()));
        activeList.setItems(model.activeFaults());
        activeList.setPlaceholder(new Label("No active faults"));
        activeList.setCellFactory(list -> new ListCell<>() {
            {
                // wrapped to the list's width, the kind and its end first: a long tenant or host name cut both off
                setWrapText(true);
                setPrefWidth(0);
            }

            @Override
            protected void updateItem(FaultsViewModel.ActiveFault item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.fault() + " — on " + item.target());
                setTooltip(empty || item == null ? null : new Tooltip(getText()));
            }
        });

        deadList.setItems(model.deadLetters());
        retryButton.disableProperty().bind(deadList.getSelectionModel().selectedItemProperty().isNull());
        deadList.setPlaceholder(new Label("No task has exhausted its attempts"));
        deadList.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(FaultsViewModel.DeadLetter item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : String.format(Locale.ROOT, "%s · P%d · %d attempts%n%s",
                        item.id(), item.priority(), item.attempts(), item.error()));
            }
        });

        timeColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(TIME.format(c.getValue().at())));
        kindColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().kind().name().toLowerCase(Locale.ROOT)));
        textColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().text()));
        // wrapped, not cut: at 1280 px "task.reprioritize <task id> to P6" lost "to P6", what had happened
        textColumn.setCellFactory(c -> wrappingCell());
        SortedList<ChangeLog.Entry> newestFirst = new SortedList<>(model.log(),
                Comparator.comparing(ChangeLog.Entry::at).reversed());
        logTable.setItems(newestFirst);
        logTable.setPlaceholder(new Label("Injections, recoveries, policy switches and pauses appear here"));
        logTable.setRowFactory(table -> new TableRow<>() {
            @Override
            protected void updateItem(ChangeLog.Entry item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("log-fault", "log-recovery");
                if (!empty && item != null) {
                    if (item.kind() == ChangeLog.Kind.FAULT) getStyleClass().add("log-fault");
                    if (item.kind() == ChangeLog.Kind.RECOVERY) getStyleClass().add("log-recovery");
                }
            }
        });

        model.gpuRows().addListener((ListChangeListener<GpuRow>) c -> {
            if (gpuRows.size() != model.gpuRows().size()) {
                refreshGpus();
                return;
            }
            while (c.next()) {
                for (int i = c.getFrom(); i < c.getTo(); i++) {
                    update(i, model.gpuRows().get(i));
                }
            }
        });
        refreshGpus();
    }

    /** A change log cell whose text wraps at its column's width, so every word of an entry reads. */
    private TableCell<ChangeLog.Entry, String> wrappingCell() {
        return new TableCell<>() {
            private final javafx.scene.text.Text text = new javafx.scene.text.Text();

            {
                // the theme's colour as the cell's own text has it; faults.css colours a fault's or recovery's .text
                text.getStyleClass().add("text");
                text.setFill(getTextFill());
                textFillProperty().addListener((o, was, fill) -> text.setFill(fill));
                text.wrappingWidthProperty().bind(textColumn.widthProperty().subtract(LOG_CELL_PADDING));
                setContentDisplay(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY);
                setPrefHeight(javafx.scene.control.Control.USE_COMPUTED_SIZE);
            }

            @Override
            protected void updateItem(String line, boolean empty) {
                super.updateItem(line, empty);
                text.setText(empty || line == null ? "" : line);
                setGraphic(empty || line == null ? null : text);
            }
        };
    }

    public Parent root() {
        return root;
    }

    private void refreshGpus() {
        List<GpuRow> rows = model.gpuRows();
        if (gpuRows.size() != rows.size()) {
            injectBox.getChildren().removeAll(gpuRows);
            gpuRows.clear();
            gpuStates.clear();
            gpuActions.clear();
            for (GpuRow row : rows) {
                Label name = new Label((row.isBackend() ? "Backend " : "GPU ") + row.id());
                name.getStyleClass().add("fault-gpu-name");
                Label state = new Label();
                state.getStyleClass().add("fault-gpu-state");
                state.setId("faults-gpu-" + row.id() + "-state");
                GpuActions actions = new GpuActions(model.gpuCommands(), row.id(), "faults");
                actions.setMinWidth(Region.USE_PREF_SIZE); // one row here, beside the GPU's name, as ever
                name.setMinWidth(Region.USE_PREF_SIZE);
                Region spacer = new Region();
                HBox.setHgrow(spacer, Priority.ALWAYS);
                HBox controls = new HBox(10, name, spacer, actions);
                controls.setAlignment(Pos.CENTER_LEFT);
                // the state on a line of its own, wrapped: beside the buttons a narrow window cut it to "…"
                state.setWrapText(true);
                VBox line = new VBox(2, controls, state);
                line.getStyleClass().add("fault-gpu-row");
                gpuRows.add(line);
                gpuStates.add(state);
                gpuActions.add(actions);
            }
            injectBox.getChildren().addAll(1, gpuRows);
        }
        for (int i = 0; i < rows.size(); i++) {
            update(i, rows.get(i));
        }
    }

    private void update(int i, GpuRow row) {
        gpuStates.get(i).setText(row.stateText());
        gpuActions.get(i).update(row);
    }

    /**
     * Moves the focus to the list a button acts on: the button is disabled once its work is done,
     * and the focus it loses would go to the next control, which the screen's scroll pane scrolls
     * into view (the Faults screen jumped 410 px after "Clear all" at 1280 x 800).
     */
    private static void keepFocusOn(ListView<?> list) {
        list.requestFocus();
    }
}
