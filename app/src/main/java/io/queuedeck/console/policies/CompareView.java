package io.queuedeck.console.policies;

import io.queuedeck.console.ui.Fxml;
import io.queuedeck.engine.sim.PolicyResult;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.css.PseudoClass;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.StackPane;

/** The Compare tab: a trace, a load, the policies; Run; a sortable table and a chart against the srpt-oracle. */
public final class CompareView {
    static final PseudoClass BOUND_ROW = PseudoClass.getPseudoClass("bound");
    static final String BOUND_BAR = "compare-bar-bound";
    static final String FIFO_BAR = "compare-bar-fifo";

    /** A header's width per character of its bold title, and beside it (padding, the sort arrow), in px. */
    private static final int HEADER_CHAR = 8;
    private static final int HEADER_PADDING = 24;
    /** A cell's width per character of its figure, and beside it, in px. */
    private static final int VALUE_CHAR = 7;
    private static final int VALUE_PADDING = 18;

    private final CompareViewModel model;
    private final Parent root;
    private final BoundBarChart chart;
    @FXML
    private ComboBox<String> traceBox;
    @FXML
    private Button browseButton;
    @FXML
    private TextField loadField;
    @FXML
    private TextField seedField;
    @FXML
    private ComboBox<String> prioritiesBox;
    @FXML
    private TextField instancesField;
    @FXML
    private ComboBox<String> gpuBox;
    @FXML
    private TextField tenantsField;
    @FXML
    private ComboBox<String> deadlinesBox;
    @FXML
    private FlowPane policyBoxes;
    @FXML
    private io.queuedeck.console.widgets.PairGrid inputs;
    @FXML
    private Label policiesLabel;
    @FXML
    private Button runButton;
    @FXML
    private Button cancelButton;
    @FXML
    private ProgressBar progressBar;
    @FXML
    private Label statusLabel;
    @FXML
    private Label errorLabel;
    @FXML
    private ComboBox<CompareFigure> figureBox;
    @FXML
    private Button exportButton;
    @FXML
    private TableView<CompareRow> table;
    @FXML
    private StackPane chartHolder;
    @FXML
    private Label commandLabel;

    public CompareView(CompareViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Compare");
        // the policies' label as wide as the inputs' label column: the checkboxes start where the fields do
        policiesLabel.minWidthProperty().bind(inputs.labelWidthProperty());
        inputs.leastLabelWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(() -> {
            javafx.scene.text.Text probe = new javafx.scene.text.Text(policiesLabel.getText());
            probe.setFont(policiesLabel.getFont());
            return Math.ceil(probe.getLayoutBounds().getWidth());
        }, policiesLabel.fontProperty()));

        TraceChoice.wire(traceBox, browseButton, model.shippedTraces(), model.traceProperty()::set);
        traceBox.valueProperty().bindBidirectional(model.traceProperty());
        loadField.textProperty().bindBidirectional(model.loadProperty());
        loadField.setTooltip(new Tooltip("Offered load as a fraction of the simulated GPUs' capacity: the trace's arrivals"
                + " are time-scaled to it (0.9 = 90%)"));
        seedField.textProperty().bindBidirectional(model.seedProperty());
        seedField.setTooltip(new Tooltip("Seed of the random rules (a priority mix); the same seed gives the same figures"));
        prioritiesBox.getItems().setAll(model.priorityRules());
        prioritiesBox.valueProperty().bindBidirectional(model.prioritiesProperty());
        prioritiesBox.setTooltip(new Tooltip("Priority of rows without one: keep (all P5), prompt (short prompts urgent: up to"
                + " 512 tokens P1, up to 2,048 P3, longer P5) or mix:P=SHARE,… (seeded random shares)"));
        instancesField.textProperty().bindBidirectional(model.instancesProperty());
        instancesField.setTooltip(new Tooltip("Simulated GPU instances every policy runs on (the load is a fraction of"
                + " their capacity)"));
        gpuBox.getItems().setAll(model.gpus());
        gpuBox.valueProperty().bindBidirectional(model.gpuProperty());
        gpuBox.setTooltip(new Tooltip("The GPU's shipped step-cost profile (Llama-2-7B under vLLM V1's step model)"));
        tenantsField.textProperty().bindBidirectional(model.tenantsProperty());
        tenantsField.setTooltip(new Tooltip("Rows without a tenant get one of tenant-1..tenant-N at random (seeded); 0: none."
                + " Fair and weighted policies share by tenant"));
        deadlinesBox.getItems().setAll(model.deadlineRules());
        deadlinesBox.valueProperty().bindBidirectional(model.deadlinesProperty());
        deadlinesBox.setTooltip(new Tooltip("Deadline of rows without one: none, or P=SECONDS,… (a task of priority P must"
                + " finish within SECONDS of simulated time); the figure Deadlines missed shows the share finished after theirs"));
        for (String name : model.policyNames()) {
            CheckBox box = new CheckBox(name);
            box.setId("compare-policy-" + name);
            if (name.equals(PolicyResult.ORACLE)) { // the reference every figure is read against: always run
                box.setSelected(true);
                box.setText(name + " (the reference, always run)");
                box.setTooltip(new Tooltip("Shortest remaining output first, knowing every task's true length: "
                        + "a simulation-only reference for the mean latency, always run"));
            } else {
                box.selectedProperty().bindBidirectional(model.includedProperty(name));
                box.setTooltip(new Tooltip("Compare " + name + (PoliciesView.DESCRIPTIONS.containsKey(name)
                        ? ": " + PoliciesView.DESCRIPTIONS.get(name) : "")));
            }
            box.disableProperty().bind(model.runningProperty().or(javafx.beans.binding.Bindings.createBooleanBinding(
                    () -> name.equals(PolicyResult.ORACLE))));
            policyBoxes.getChildren().add(box);
        }
        for (javafx.scene.control.Control input : List.of(traceBox, browseButton, loadField, seedField, prioritiesBox,
                instancesField, gpuBox, tenantsField, deadlinesBox)) {
            input.disableProperty().bind(model.runningProperty());
        }

        runButton.setTooltip(new Tooltip("Replay the trace under each policy on simulated GPUs, in the background"));
        runButton.disableProperty().bind(model.runningProperty());
        runButton.setOnAction(e -> run());
        loadField.setOnAction(e -> run());
        seedField.setOnAction(e -> run());
        instancesField.setOnAction(e -> run());
        tenantsField.setOnAction(e -> run());
        cancelButton.setTooltip(new Tooltip("Stop the comparison; the policies done so far are dropped"));
        cancelButton.disableProperty().bind(model.runningProperty().not());
        cancelButton.setOnAction(e -> model.cancel());
        progressBar.progressProperty().bind(model.progressProperty());
        progressBar.visibleProperty().bind(model.runningProperty());
        progressBar.managedProperty().bind(model.runningProperty()); // no gap before the status when none runs
        statusLabel.textProperty().bind(model.statusProperty());
        errorLabel.textProperty().bind(model.errorProperty());
        errorLabel.managedProperty().bind(model.errorProperty().isNotEmpty());

        figureBox.getItems().setAll(CompareFigure.values());
        figureBox.valueProperty().bindBidirectional(model.figureProperty());
        figureBox.setTooltip(new Tooltip("The figure charted below, and taken in the columns vs FIFO and vs srpt-oracle"));
        exportButton.setTooltip(new Tooltip("Save the comparison as the command line's CSV report (a row per policy and class)"));
        exportButton.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(model.rows()));
        exportButton.setOnAction(e -> export());
        commandLabel.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() ->
                model.commandLineProperty().get().isEmpty() ? "" : "Latencies in ms of simulated time; vs bound: mean latency"
                        + " over a bound no schedule can beat. The same run: "
                        + model.commandLineProperty().get(), model.commandLineProperty()));

        buildTable();
        chart = new BoundBarChart(new CategoryAxis(), new NumberAxis());
        chart.setId("compare-chart");
        chart.setAnimated(false);
        chart.setLegendVisible(false);
        chartHolder.getChildren().add(chart);
        model.rows().addListener((ListChangeListener<CompareRow>) c -> showChart());
        model.figureProperty().addListener((o, a, v) -> showChart()); // the axis' title, with no rows yet too
        showChart();
    }

    public Parent root() {
        return root;
    }

    private void buildTable() {
        TableColumn<CompareRow, String> policy = new TableColumn<>("Policy");
        policy.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().policy()));
        policy.setId("compare-col-policy");
        TableColumn<CompareRow, Double> urgent = column("Urgent p99", "urgent-p99", CompareRow::urgentP99, "%,.0f");
        urgent.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> model.urgentClassProperty().get()
                .isEmpty() ? "Urgent p99" : "Urgent p99 (P" + model.urgentClassProperty().get() + ")", model.urgentClassProperty()));
        TableColumn<CompareRow, Double> chosen = new TableColumn<>();
        chosen.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> model.figureProperty().get().label(),
                model.figureProperty()));
        chosen.getColumns().setAll(List.of(column("vs FIFO", "vs-fifo", CompareRow::vsFifo, "%.2f×"),
                column("vs oracle", "vs-oracle", CompareRow::vsOracle, "%.2f×")));
        // figures of one kind under one heading: "E2E mean", "TTFT p99"… side by side were cut to "E2E m…" at 1280 px
        TableColumn<CompareRow, Double> e2e = new TableColumn<>("End to end");
        e2e.getColumns().setAll(List.of(column("mean", "e2e-mean", CompareRow::e2eMean, "%,.0f"),
                column("p50", "e2e-p50", CompareRow::e2eP50, "%,.0f"), column("p99", "e2e-p99", CompareRow::e2eP99, "%,.0f")));
        TableColumn<CompareRow, Double> ttft = new TableColumn<>("TTFT");
        ttft.getColumns().setAll(List.of(column("p50", "ttft-p50", CompareRow::ttftP50, "%,.0f"),
                column("p99", "ttft-p99", CompareRow::ttftP99, "%,.0f")));
        TableColumn<CompareRow, Double> goodput = column("Goodput", "goodput", CompareRow::goodput, "%.1f%%");
        goodput.setMinWidth(92); // its round letters are wider than the estimate: it read "Good…"
        goodput.setPrefWidth(92);
        table.getColumns().setAll(List.of(policy, goodput, e2e, ttft,
                urgent, chosen, column("vs bound", "vs-bound", CompareRow::vsBound, "%.2f×")));
        policy.setMinWidth(90);
        urgent.setMinWidth("Urgent p99 (P0)".length() * HEADER_CHAR + HEADER_PADDING);
        urgent.setPrefWidth(urgent.getMinWidth());
        table.getStyleClass().add("dense"); // AtlantaFX's compact rows: every policy in view without scrolling the table
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // The policy widens the columns to fill a wide table, but once their minimums no longer fit it
        // leaves them as wide as they were: a window made narrower kept its wide columns and the table
        // scrolled much further than one opened at that width. Back to their minimums, as opened there.
        table.widthProperty().addListener((o, was, now) -> {
            List<TableColumn<CompareRow, ?>> leaves = leaves(table.getColumns());
            double minimums = leaves.stream().mapToDouble(TableColumn::getMinWidth).sum();
            if (now.doubleValue() < was.doubleValue() && minimums > now.doubleValue()) {
                for (TableColumn<CompareRow, ?> leaf : leaves) {
                    double min = leaf.getMinWidth();
                    leaf.setPrefWidth(min + 1); // a column takes its preferred width when that changes
                    leaf.setPrefWidth(min);
                }
            }
        });
        table.setPlaceholder(new Label("No comparison yet: Run one above."));
        SortedList<CompareRow> sorted = new SortedList<>(model.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(CompareRow row, boolean empty) {
                super.updateItem(row, empty);
                pseudoClassStateChanged(BOUND_ROW, !empty && row != null && row.policy().equals(PolicyResult.ORACLE));
            }
        });
    }

    /** The columns that hold cells, under their headings, left to right. */
    private static List<TableColumn<CompareRow, ?>> leaves(List<TableColumn<CompareRow, ?>> columns) {
        List<TableColumn<CompareRow, ?>> leaves = new java.util.ArrayList<>();
        for (TableColumn<CompareRow, ?> column : columns) {
            if (column.getColumns().isEmpty()) {
                leaves.add(column);
            } else {
                leaves.addAll(leaves(column.getColumns()));
            }
        }
        return leaves;
    }

    /** A column of one figure, sortable by its value; NaN reads "–" and sorts last. */
    private static TableColumn<CompareRow, Double> column(String title, String id, ToDoubleFunction<CompareRow> value,
                                                          String format) {
        TableColumn<CompareRow, Double> column = new TableColumn<>(title);
        column.setId("compare-col-" + id);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.applyAsDouble(c.getValue())));
        column.setComparator(Double::compare);
        column.setStyle("-fx-alignment: CENTER-RIGHT;");
        // room for the header's text and the widest value ("Good…", "vs or…", "21,…" at 1280 px); below that the table scrolls
        int valueChars = format.contains("×") || format.contains("%%") ? 6 : 8; // "23.19×", "78.0%"; "234,376" ms and a digit more
        column.setMinWidth(Math.max(title.length() * HEADER_CHAR + HEADER_PADDING, valueChars * VALUE_CHAR + VALUE_PADDING));
        column.setPrefWidth(column.getMinWidth());
        column.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v));
            }
        });
        return column;
    }

    /** One bar per policy of the chosen figure, in run order; the oracle's bar and line mark the bound. */
    private void showChart() {
        CompareFigure figure = model.figureProperty().get();
        chart.getYAxis().setLabel(figure.isShare() ? "%" : "ms"); // the figure's name is in the box above
        XYChart.Series<String, Number> series = new XYChart.Series<>();
        double bound = Double.NaN;
        for (CompareRow row : model.rows()) {
            if (Double.isNaN(row.figure())) {
                continue;
            }
            series.getData().add(new XYChart.Data<>(row.policy(), row.figure()));
            if (row.policy().equals(PolicyResult.ORACLE)) {
                bound = row.figure();
            }
        }
        chart.getData().setAll(List.of(series));
        // the chart made the bars just now, with its own style classes: ours go on after them
        for (XYChart.Data<String, Number> bar : series.getData()) {
            String policy = bar.getXValue();
            if (policy.equals(PolicyResult.ORACLE) || policy.equals(CompareViewModel.FIFO)) {
                bar.getNode().getStyleClass().add(policy.equals(PolicyResult.ORACLE) ? BOUND_BAR : FIFO_BAR);
            }
            Tooltip.install(bar.getNode(), new Tooltip(policy + ": " + figure.label() + " " + String.format(Locale.ROOT,
                    figure.isShare() ? "%.1f%%" : "%,.0f ms", bar.getYValue().doubleValue())));
        }
        chart.setBound(bound, PolicyResult.ORACLE + String.format(Locale.ROOT,
                figure.isShare() ? " %.1f%%" : " %,.0f ms", bound));
    }

    /**
     * Runs with what the boxes show: an editable box commits its text only when it loses the focus,
     * and Enter in the load field does not take it away.
     */
    private void run() {
        for (ComboBox<String> box : List.of(traceBox, prioritiesBox, deadlinesBox)) {
            if (!box.getEditor().getText().equals(box.getValue())) {
                box.setValue(box.getEditor().getText());
            }
        }
        model.run();
    }

    private void export() {
        javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
        chooser.setInitialFileName("policy-comparison.csv");
        chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("CSV", "*.csv"));
        java.io.File file = chooser.showSaveDialog(root.getScene().getWindow());
        if (file != null) {
            model.exportCsv(file.toPath()); // it says on the status line where it went, or why not
        }
    }
}
