package io.queuedeck.console.latency;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.latency.LatencyViewModel.Point;
import io.queuedeck.console.ui.Fxml;
import io.queuedeck.console.ui.Screenshot;
import io.queuedeck.console.widgets.MarkedLineChart;
import io.queuedeck.engine.tier.Tiers;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;

/**
 * Two live charts (end-to-end percentiles; queue wait vs time to first token) of all tasks or of
 * one priority class, and a per-priority since-start table.
 */
public final class LatencyView {
    private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final LatencyViewModel model;
    private final Parent root;
    @FXML
    private VBox chartBox;
    @FXML
    private Label classLabel;
    @FXML
    private ComboBox<LatencyClass> classBox;
    @FXML
    private Label windowLabel;
    @FXML
    private ComboBox<Duration> windowBox;
    @FXML
    private Button exportPngButton;
    @FXML
    private Button exportCsvButton;
    /** Where the last export went, or why not. */
    private final Label exportNote = new Label();
    @FXML
    private TableView<LatencyViewModel.PriorityRow> priorityTable;

    private final NumberAxis e2eX = timeAxis();
    private final NumberAxis waitX = timeAxis();
    final MarkedLineChart e2eChart = new MarkedLineChart(e2eX, msAxis());
    final MarkedLineChart waitChart = new MarkedLineChart(waitX, msAxis());
    private final List<Series> series = new ArrayList<>();

    /** A chart series fed from one field of the points. */
    private record Series(XYChart.Series<Number, Number> data, ToDoubleFunction<Point> value) {}

    public LatencyView(LatencyViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Latency");

        for (MarkedLineChart chart : List.of(e2eChart, waitChart)) {
            chart.setAnimated(false);
            chart.setCreateSymbols(false);
            chart.getStyleClass().add("latency-chart");
            VBox.setVgrow(chart, javafx.scene.layout.Priority.ALWAYS);
        }
        e2eChart.setId("latency-e2e-chart");
        waitChart.setId("latency-wait-chart");
        addSeries(e2eChart, "p50", Point::e2eP50);
        addSeries(e2eChart, "p95", Point::e2eP95);
        addSeries(e2eChart, "p99", Point::e2eP99);
        addSeries(waitChart, "queue wait p50", Point::waitP50);
        addSeries(waitChart, "queue wait p99", Point::waitP99);
        addSeries(waitChart, "TTFT p50", Point::ttftP50);
        addSeries(waitChart, "TTFT p99", Point::ttftP99);
        chartBox.getChildren().addAll(e2eChart, waitChart);

        classBox.getItems().setAll(LatencyClass.CHOICES);
        classBox.setConverter(new StringConverter<>() {
            @Override
            public String toString(LatencyClass c) {
                return c == null ? "" : model.label(c);
            }

            @Override
            public LatencyClass fromString(String s) {
                return null;
            }
        });
        classBox.setValue(model.selectedClassProperty().get());
        Tooltip classTip = new Tooltip();
        classBox.setTooltip(classTip);
        classBox.valueProperty().addListener((o, a, v) -> {
            if (v != null) {
                model.selectClass(v);
            }
        });
        classLabel.setLabelFor(classBox);
        // points() is replaced when the class changes; the titles say which class is shown
        model.selectedClassProperty().addListener((o, a, v) -> {
            classBox.setValue(v);
            updateTitles();
        });
        model.latestProperty().addListener((o, a, v) -> updateAxes());
        // the engine's first snapshot may bring a table of its own: the choices and titles name its tiers
        model.tiersProperty().addListener((o, a, v) -> {
            LatencyClass shown = classBox.getValue();
            classBox.getItems().setAll(LatencyClass.CHOICES);
            classBox.setValue(shown);
            classTip.setText(classTip(v));
            updateTitles();
        });
        classTip.setText(classTip(model.tiersProperty().get()));
        updateTitles();

        windowBox.getItems().setAll(LatencyViewModel.WINDOWS);
        windowBox.setConverter(new StringConverter<>() {
            @Override
            public String toString(Duration d) {
                return d == null ? "" : "last " + d.toMinutes() + " min";
            }

            @Override
            public Duration fromString(String s) {
                return null;
            }
        });
        windowBox.setValue(model.windowProperty().get());
        windowBox.setTooltip(new Tooltip("How much history the charts show. Alt+W"));
        windowLabel.setLabelFor(windowBox);
        windowBox.valueProperty().addListener((o, a, v) -> {
            model.setWindow(v);
            rebuild();
        });
        exportPngButton.setTooltip(new Tooltip("Save both charts of the selected class as a PNG image"));
        exportPngButton.setOnAction(e -> exportPng());
        exportCsvButton.setTooltip(new Tooltip("Save the charted points of the selected class (one per second) as CSV"));
        exportCsvButton.setOnAction(e -> exportCsv());
        exportNote.setId("latency-export-note");
        exportNote.setMinWidth(0);
        exportNote.textProperty().addListener((o, was, is) -> exportNote.setTooltip(is.isEmpty() ? null : new Tooltip(is)));
        ((javafx.scene.layout.Pane) exportCsvButton.getParent()).getChildren().add(exportNote);

        priorityTable.setItems(model.priorities());
        priorityTable.setPlaceholder(new Label("No task has finished yet"));
        column(0, "", r -> "P" + r.priority());
        priorityTable.getColumns().getFirst().setMaxWidth(44); // "P9": the room goes to the figures
        column(1, "done", r -> String.format(Locale.ROOT, "%,d", r.count()));
        column(2, "p50", r -> ms(r.e2eP50()));
        column(3, "p99", r -> ms(r.e2eP99()));
        column(4, "TTFT", r -> ms(r.ttftP50()));
        column(5, "wait", r -> ms(r.waitP50()));

        model.points().addListener((ListChangeListener<Point>) this::onPoints);
        model.markers().addListener((ListChangeListener<ChangeLog.Entry>) c -> updateMarkers());
        rebuild();
    }

    public Parent root() {
        return root;
    }

    private void addSeries(MarkedLineChart chart, String name, ToDoubleFunction<Point> value) {
        XYChart.Series<Number, Number> data = new XYChart.Series<>();
        data.setName(name);
        chart.getData().add(data);
        series.add(new Series(data, value));
    }

    /**
     * Applies the model's change to the series: appends new seconds, drops the ones that left the
     * window; a replacement (another class selected) redraws the series from scratch.
     */
    private void onPoints(ListChangeListener.Change<? extends Point> change) {
        boolean removed = false;
        while (change.next()) {
            if (change.wasReplaced()) {
                rebuild();
                return;
            }
            if (change.wasRemoved()) {
                removed = true;
            }
            if (change.wasAdded() && !removed && change.getFrom() == model.points().size() - change.getAddedSize()) {
                for (Point p : change.getAddedSubList()) {
                    append(p);
                }
            }
        }
        if (removed) {
            dropBefore(model.points().isEmpty() ? Instant.MAX : model.points().getFirst().at());
        }
        eraseEmptyLines();
        updateAxes();
    }

    /**
     * A LineChart lays out a series with no data by leaving its last path as it was: a class with
     * no finished task, picked after one with points, showed the old lines until a point came.
     */
    private void eraseEmptyLines() {
        for (Series s : series) {
            if (s.data.getData().isEmpty() && s.data.getNode() instanceof javafx.scene.shape.Path path) {
                path.getElements().clear();
            }
        }
    }

    private void append(Point p) {
        for (Series s : series) {
            double v = s.value.applyAsDouble(p);
            if (!Double.isNaN(v)) {
                s.data.getData().add(new XYChart.Data<>(p.at().getEpochSecond(), v));
            }
        }
    }

    private void dropBefore(Instant oldest) {
        long first = oldest.getEpochSecond();
        for (Series s : series) {
            javafx.collections.ObservableList<XYChart.Data<Number, Number>> data = s.data.getData();
            int drop = 0;
            while (drop < data.size() && data.get(drop).getXValue().longValue() < first) {
                drop++;
            }
            if (drop > 0) {
                data.remove(0, drop);
            }
        }
    }

    private void rebuild() {
        for (Series s : series) {
            s.data.getData().clear();
        }
        for (Point p : model.points()) {
            append(p);
        }
        eraseEmptyLines();
        updateAxes();
    }

    private static String classTip(Tiers tiers) {
        String bands = tiers.list().stream().map(t -> t.name() + " " + t.band()).collect(Collectors.joining(", "));
        return "Which tasks the charts show: all of them, or one priority class (P0 most urgent; " + bands + "). Alt+C";
    }

    private void updateTitles() {
        String shown = model.label(model.selectedClassProperty().get());
        e2eChart.setTitle("End-to-end latency (ms) · " + shown);
        waitChart.setTitle("Queue wait and time to first token (ms) · " + shown);
    }

    private void updateAxes() {
        // the window ends at the newest second of any class: a quiet class shows as a gap, not an old window
        Instant latest = model.latestProperty().get();
        long upper = (latest != null ? latest : Instant.now()).getEpochSecond();
        long lower = upper - model.windowProperty().get().toSeconds();
        Instant first = model.firstSecond();
        if (first != null) {
            // shorter history than the window (a fresh start): let the data fill the chart, the
            // same span for every class
            lower = Math.max(lower, Math.min(upper - 30, first.getEpochSecond() - 2));
        }
        double tick = Math.max(5, Math.ceil((upper - lower) / 6.0 / 5) * 5);
        for (NumberAxis x : List.of(e2eX, waitX)) {
            x.setLowerBound(lower);
            x.setUpperBound(upper);
            x.setTickUnit(tick);
        }
        updateMarkers();
    }

    private void updateMarkers() {
        List<MarkedLineChart.Marker> markers = new ArrayList<>();
        long lower = (long) e2eX.getLowerBound();
        for (ChangeLog.Entry entry : model.markers()) {
            if (entry.at().getEpochSecond() >= lower) {
                markers.add(new MarkedLineChart.Marker(entry.at().toEpochMilli() / 1000.0,
                        TICK.format(entry.at()) + "  " + entry.text(), "marker-" + entry.kind().name().toLowerCase(Locale.ROOT),
                        entry.text()));
            }
        }
        e2eChart.setMarkers(markers);
        waitChart.setMarkers(markers);
    }

    private void exportPng() {
        File file = choose(model.exportName("png"), "PNG image", "*.png");
        if (file != null) {
            javafx.scene.image.WritableImage image = chartBox.snapshot(null, null); // as it looks now, on the FX thread
            save(file.toPath(), path -> Screenshot.write(image, path));
        }
    }

    private void exportCsv() {
        File file = choose(model.exportName("csv"), "CSV", "*.csv");
        if (file != null) {
            String csv = model.toCsv();
            save(file.toPath(), path -> Files.writeString(path, csv));
        }
    }

    /** Writes one export. */
    interface Export {
        void write(Path file) throws IOException;
    }

    /**
     * Writes off the FX thread, then says beside the buttons where it went or why not: a failed write
     * was an exception on the FX thread, seen only in the log, and a good one said nothing.
     */
    void save(Path file, Export export) {
        exportNote.setText("Saving " + file.getFileName() + "…");
        Thread.ofVirtual().start(() -> {
            String said;
            try {
                export.write(file);
                said = "Saved " + file;
            } catch (IOException | RuntimeException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                said = "Not saved: " + file + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            }
            String shown = said;
            javafx.application.Platform.runLater(() -> exportNote.setText(shown));
        });
    }

    private File choose(String name, String description, String pattern) {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName(name);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(description, pattern));
        return chooser.showSaveDialog(root.getScene().getWindow());
    }

    private void column(int index, String title, java.util.function.Function<LatencyViewModel.PriorityRow, String> text) {
        @SuppressWarnings("unchecked")
        TableColumn<LatencyViewModel.PriorityRow, String> column = (TableColumn<LatencyViewModel.PriorityRow, String>)
                priorityTable.getColumns().get(index);
        column.setText(title);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(text.apply(c.getValue())));
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static NumberAxis timeAxis() {
        NumberAxis axis = new NumberAxis();
        axis.setAutoRanging(false);
        axis.setForceZeroInRange(false);
        axis.setMinorTickVisible(false);
        axis.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                return TICK.format(Instant.ofEpochSecond(n.longValue()));
            }

            @Override
            public Number fromString(String s) {
                return 0;
            }
        });
        return axis;
    }

    private static NumberAxis msAxis() {
        NumberAxis axis = new NumberAxis();
        axis.setForceZeroInRange(true);
        axis.setMinorTickVisible(false);
        return axis;
    }
}
