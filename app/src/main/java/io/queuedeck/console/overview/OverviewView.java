package io.queuedeck.console.overview;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.Tile.SkinType;
import eu.hansolo.tilesfx.TileBuilder;
import io.queuedeck.console.ui.Fxml;
import io.queuedeck.console.ui.Palette;
import io.queuedeck.console.widgets.ColumnBars;
import io.queuedeck.console.widgets.MeterRow;
import io.queuedeck.engine.tier.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/** The overview: TilesFX tiles bound to {@link OverviewViewModel}. */
public final class OverviewView {
    /** Style class of every tile, for CSS and tests. */
    public static final String TILE_CLASS = "qd-tile";

    private final OverviewViewModel model;
    private final Parent root;
    @FXML
    private GridPane grid;

    final Tile throughput;
    final Tile tokens;
    final Tile queued;
    final Tile running;
    final Tile p50;
    final Tile p99;
    final Tile ttft;
    final Tile oldest;
    final Tile rejected;
    final Tile deadLettered;
    final Tile byPriority;
    final Tile byTier;
    final Tile byLevel;
    final Tile gpus;
    private final ColumnBars priorityBars = new ColumnBars();
    private final ColumnBars levelBars = new ColumnBars();
    private final ColumnBars tierBars = new ColumnBars();
    private final VBox gpuRows = new VBox(8);
    private final SparkMarkers markers;
    /** When each sparkline point was taken, oldest first: the markers' time axis. */
    private final java.util.ArrayDeque<java.time.Instant> sampledAt = new java.util.ArrayDeque<>();

    /** Without fault markers. */
    public OverviewView(OverviewViewModel model) {
        this(model, javafx.collections.FXCollections.observableArrayList());
    }

    /** @param changes the change log: its faults and recoveries are marked on the sparklines */
    public OverviewView(OverviewViewModel model, javafx.collections.ObservableList<io.queuedeck.console.gateway.ChangeLog.Entry> changes) {
        this.model = model;
        this.markers = new SparkMarkers(changes);
        this.root = Fxml.load(this, "Overview");

        throughput = tile(SkinType.SPARK_LINE, "Throughput (30 s)", "tasks/s", 2).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        tokens = tile(SkinType.SPARK_LINE, "Tokens generated", "tok/s", 0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        // "51164tasks": grouped digits, and the unit apart
        queued = tile(SkinType.NUMBER, "Queued", " tasks", 0).customDecimalFormatEnabled(true)
                .customDecimalFormat(new java.text.DecimalFormat("#,##0", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)))
                .build();
        running = tile(SkinType.GAUGE, "Running", "tasks", 0).maxValue(128).autoScale(false) // the scale ends at the slots up: 128, not a rounded 140
                .thresholdVisible(false).build();
        // sparklines: a latency number means little without its recent trend
        p50 = tile(SkinType.SPARK_LINE, P50 + " (e2e, ~1 s)", "ms", 0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        p99 = tile(SkinType.SPARK_LINE, P99 + " (e2e, ~1 s)", "ms", 0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        ttft = tile(SkinType.SPARK_LINE, TTFT + " (~1 s)", "ms", 0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        // in ms, as the latency tiles: TilesFX writes the axis with one decimal at most, so waits under 0.1 s
        // read "0.0" at every line in seconds (decision 0136)
        oldest = tile(SkinType.SPARK_LINE, "Oldest waiting", "ms", 0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * SPARK_POINTS).build();
        rejected = tile(SkinType.NUMBER, "Rejected", "", 0).text("refused at admission").build();
        deadLettered = tile(SkinType.NUMBER, "Dead-lettered", "", 0).text("held now; retry on Faults").build();

        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        for (int p = 0; p <= 9; p++) {
            names.add("P" + p);
            colors.add(Palette.priority(p));
        }
        priorityBars.setColumns(names, colors);
        byPriority = tile(SkinType.CUSTOM, "Queue by priority", "", 0).graphic(priorityBars).build();
        tierBars.setColumns(List.of("core", "normal", "batch", "dead"),
                List.of(Palette.RED, Palette.ACCENT, Palette.PURPLE, Palette.GREY));
        byTier = tile(SkinType.CUSTOM, "Queue by tier", "", 0).graphic(tierBars)
                .tooltipText("core: priorities 0-2 · normal: 3-6 · batch: 7-9 · dead: dead-lettered tasks kept").build();
        byLevel = tile(SkinType.CUSTOM, "Queue by policy level", "", 0).graphic(levelBars).build();
        gpuRows.setFillWidth(true);
        gpuRows.getStyleClass().add("qd-gpu-rows");
        gpus = tile(SkinType.CUSTOM, "GPU batch occupancy", "", 0).graphic(gpuRows).build();

        grid.add(markers.attach(throughput), 0, 0, 2, 1);
        grid.add(markers.attach(tokens), 2, 0, 2, 1);
        grid.add(queued, 4, 0);
        grid.add(running, 5, 0);
        grid.add(markers.attach(p50), 0, 1);
        grid.add(markers.attach(p99), 1, 1);
        grid.add(markers.attach(ttft), 2, 1);
        grid.add(markers.attach(oldest), 3, 1);
        grid.add(rejected, 4, 1);
        grid.add(deadLettered, 5, 1);
        grid.add(byPriority, 0, 2, 2, 1);
        grid.add(byTier, 2, 2);
        grid.add(byLevel, 3, 2);
        grid.add(gpus, 4, 2, 2, 1);
        for (Tile tile : List.of(throughput, tokens, queued, running, p50, p99, ttft, oldest, rejected, deadLettered,
                byPriority, byTier, byLevel, gpus)) {
            tile.getStyleClass().add(TILE_CLASS);
            tile.setMinSize(120, 120);
            tile.setPrefSize(220, 220);
            tile.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        }
        throughput.setId("tile-throughput");
        queued.setId("tile-queued");
        for (Tile spark : List.of(throughput, tokens, p50, p99, ttft, oldest)) {
            spark.setTooltip(new javafx.scene.control.Tooltip(spark.getTitle() + ": the last " + SPARK_POINTS / 60
                    + " minutes, one point a second; the axis follows the data"));
            spark.setMaxValue(SparkRange.FLOOR);
            // the window, not TilesFX's span of its moving average (which counts its own entries, not the line's points)
            spark.setTextVisible(true);
            spark.setText("last " + SPARK_POINTS / 60 + " min");
            SparkTicks.keepOffCaption(spark); // its lowest axis number stood on the caption in a small tile
        }
        bind();
        // sparklines take one point a second: their window covers minutes, not the seconds 10 Hz gives
        javafx.animation.Timeline sampler = new javafx.animation.Timeline(new javafx.animation.KeyFrame(
                javafx.util.Duration.seconds(1), e -> sample()));
        sampler.setCycleCount(javafx.animation.Animation.INDEFINITE);
        sampler.play();
    }

    /** The latency tiles' names; their titles add the window, or how old a kept figure is. */
    private static final String P50 = "Latency p50", P99 = "Latency p99", TTFT = "TTFT p50";

    /** Points a sparkline keeps, one a second. */
    static final int SPARK_POINTS = 120;

    private void sample() {
        SparkRange.show(throughput, model.throughputProperty().get());
        SparkRange.show(tokens, model.tokensPerSecondProperty().get());
        SparkRange.show(p50, model.p50MsProperty().get());
        SparkRange.show(p99, model.p99MsProperty().get());
        SparkRange.show(ttft, model.ttftP50MsProperty().get());
        SparkRange.show(oldest, model.oldestWaitMsProperty().get());
        sampledAt.addLast(java.time.Instant.now());
        while (sampledAt.size() > SPARK_POINTS) {
            sampledAt.removeFirst();
        }
        // the line spans the whole window from the first sample on (TilesFX fills it with the first value),
        // so a marker is placed in the window, not between the first and the last sample taken
        java.time.Instant newest = sampledAt.peekLast();
        markers.update(newest.minusSeconds(SPARK_POINTS - 1), newest);
    }

    /** Sparkline points taken so far, up to {@link #SPARK_POINTS} (for tests). */
    int sampled() {
        return sampledAt.size();
    }

    /** The fault markers on the sparklines now (for tests). */
    java.util.List<SparkMarkers.Placed> sparkMarkers() {
        return markers.shown();
    }

    /**
     * Tiles for the light theme or the dark one: TilesFX takes its colours in code, so the theme's
     * stylesheet alone would leave dark tiles on a light page.
     */
    public void setLight(boolean light) {
        for (Tile tile : List.of(throughput, tokens, queued, running, p50, p99, ttft, oldest, rejected, deadLettered,
                byPriority, byTier, byLevel, gpus)) {
            tile.setBackgroundColor(light ? Palette.TILE_BACKGROUND_LIGHT : Palette.TILE_BACKGROUND);
            tile.setForegroundBaseColor(light ? Palette.TILE_FOREGROUND_LIGHT : Palette.TILE_FOREGROUND);
            tile.setValueColor(light ? Palette.TILE_FOREGROUND_LIGHT : Palette.TILE_FOREGROUND);
            SparkTicks.colour(tile, light ? Palette.TILE_FOREGROUND_LIGHT : Palette.TILE_FOREGROUND);
        }
        root.getStyleClass().remove(LIGHT_TILES);
        if (light) {
            root.getStyleClass().add(LIGHT_TILES);
        }
    }

    /** On the overview's root in the light theme: the widgets inside tiles take dark text. */
    public static final String LIGHT_TILES = "qd-light-tiles";

    public Parent root() {
        return root;
    }

    /**
     * Shows {@code value} now and at each change: the view may be built after the model has its
     * values (another screen first), and a value that holds still (every slot busy) never changes.
     */
    private static <T> void follow(javafx.beans.value.ObservableValue<T> value, java.util.function.Consumer<T> show) {
        show.accept(value.getValue());
        value.addListener((o, a, v) -> show.accept(v));
    }

    private void bind() {
        follow(model.queuedProperty(), v -> queued.setValue(v.doubleValue()));
        follow(model.oldestWaitMsProperty(), v -> {
            queued.setText(String.format(Locale.ROOT, "oldest waits %.1f s", v.doubleValue() / 1000));
        });
        follow(model.slotsProperty(), v -> { // before running: a gauge clamps its value to its maximum
            running.setMaxValue(Math.max(1, v.doubleValue()));
            running.setText(v + " batch slots up");
        });
        follow(model.runningProperty(), v -> running.setValue(v.doubleValue()));
        follow(model.rejectedProperty(), v -> rejected.setValue(v.doubleValue()));
        follow(model.deadLetteredProperty(), v -> deadLettered.setValue(v.doubleValue()));
        follow(model.succeededProperty(), v -> throughput.setText(String.format(Locale.ROOT, "%,d done", v.longValue())));
        // a figure kept from minutes ago must not pass for a current one: said in the title (a sparkline tile
        // shows no text of its own at the console's sizes)
        follow(model.latencyNoteProperty(), note -> {
            p50.setTitle(P50 + (note.isEmpty() ? " (e2e, ~1 s)" : " · " + note));
            p99.setTitle(P99 + (note.isEmpty() ? " (e2e, ~1 s)" : " · " + note));
        });
        follow(model.ttftNoteProperty(), note -> ttft.setTitle(TTFT + (note.isEmpty() ? " (~1 s)" : " · " + note)));
        follow(model.queuedByPriorityProperty(), v -> {
            priorityBars.setValues(v);
        });
        follow(model.queuedByTierProperty(), v -> updateTiers(v));
        follow(model.queuedByLevelProperty(), v -> updateLevels(v, model.parkedOutsideLevelsProperty().get()));
        follow(model.parkedOutsideLevelsProperty(), v -> updateLevels(model.queuedByLevelProperty().get(), v.longValue()));
        follow(model.tierModesProperty(), modes -> {
            // a paused or draining tier says so under its bar
            if (modes.isEmpty()) {
                return;
            }
            List<String> names = new ArrayList<>();
            List<Color> colors = new ArrayList<>();
            List<Tier> shown = io.queuedeck.engine.tier.Tiers.of(modes.keySet()).list(); // the engine's table, in order
            for (Tier tier : shown) {
                io.queuedeck.engine.tier.TierMode mode = modes.getOrDefault(tier, io.queuedeck.engine.tier.TierMode.ACTIVE);
                String name = tier.name().toLowerCase(Locale.ROOT);
                names.add(mode == io.queuedeck.engine.tier.TierMode.ACTIVE ? name : name + "\n" + mode.name().toLowerCase(Locale.ROOT));
                colors.add(TIER_COLORS.get(Math.min(TIER_COLORS.size() - 1, tier.index() * (TIER_COLORS.size() - 1)
                        / Math.max(1, shown.size() - 1))));
            }
            names.add("dead");
            colors.add(Palette.GREY);
            shownTiers = shown;
            tierBars.setColumns(names, colors);
            updateTiers(model.queuedByTierProperty().get());
        });
        follow(model.policyProperty(), v -> byLevel.setTitle("Queue by " + (v.equals("mlfq") ? "MLFQ level" : "policy level")));
        follow(model.gpusProperty(), v -> updateGpus(v));
        gpus.heightProperty().addListener((o, a, v) -> updateGpus(model.gpusProperty().get())); // the rows that fit change
    }

    /** Most to least urgent: the first tier red, the last purple (the default three as before). */
    private static final List<Color> TIER_COLORS = List.of(Palette.RED, Palette.ACCENT, Palette.PURPLE);
    private List<Tier> shownTiers = io.queuedeck.engine.tier.Tiers.DEFAULT.list();

    private void updateTiers(Map<Tier, Integer> tiers) {
        List<Integer> values = new ArrayList<>();
        for (Tier tier : shownTiers) {
            values.add(tiers.getOrDefault(tier, 0));
        }
        values.add(tiers.getOrDefault(Tier.DEAD_LETTER, 0));
        tierBars.setValues(values);
    }

    /** The policy's levels, and a grey "parked" bar for waiting tasks in none, so that the bars add up to the queue. */
    private void updateLevels(List<Integer> levels, long parked) {
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Integer> values = new ArrayList<>(levels);
        for (int i = 0; i < levels.size(); i++) {
            names.add(levels.size() == 1 ? "all" : "L" + i);
            colors.add(Palette.priority(Math.min(9, i * 2)));
        }
        if (parked > 0) {
            names.add("parked");
            colors.add(Palette.GREY);
            values.add((int) Math.min(Integer.MAX_VALUE, parked));
        }
        levelBars.setColumns(names, colors);
        levelBars.setValues(values);
    }

    /** Rows the GPU tile has room for at most; beyond that the last row sums up the rest. */
    static final int GPU_ROWS = 8;
    /** The tile's title; the rows stand in the tile's middle, so as much is kept below them. */
    private static final double GPU_TITLE_ROOM = 30;

    /**
     * Rows the GPU tile's height holds, at most {@link #GPU_ROWS} and at least two (one GPU and the
     * sum of the rest): eight rows in a 1024 x 700 window ran over the tile's title and its bottom edge.
     */
    private int gpuRowsThatFit() {
        double height = gpus.getHeight();
        if (height <= 0 || gpuRows.getChildren().isEmpty()) {
            return GPU_ROWS; // not laid out yet: the height's listener sizes it again
        }
        double row = gpuRows.getChildren().getFirst().prefHeight(-1) + gpuRows.getSpacing();
        double rows = height - 2 * GPU_TITLE_ROOM - gpuRows.snappedTopInset() - gpuRows.snappedBottomInset();
        int fit = (int) Math.floor((rows + gpuRows.getSpacing()) / row);
        return Math.max(2, Math.min(GPU_ROWS, fit));
    }

    private void updateGpus(List<OverviewViewModel.GpuLoad> all) {
        if (!all.isEmpty() && all.getFirst().backend()) { // real inference servers: their slots, not GPU batches
            gpus.setTitle("Backend slots in use");
        }
        List<OverviewViewModel.GpuLoad> loads = all;
        OverviewViewModel.GpuLoad rest = null;
        int room = gpuRowsThatFit();
        if (all.size() > room) {
            // faulty GPUs first (they are what an operator looks for), then by id; the rest summed up
            List<OverviewViewModel.GpuLoad> ordered = new ArrayList<>(all);
            ordered.sort(java.util.Comparator.comparing((OverviewViewModel.GpuLoad g) -> g.state().equals("UP"))
                    .thenComparingInt(OverviewViewModel.GpuLoad::id));
            loads = ordered.subList(0, room - 1);
            List<OverviewViewModel.GpuLoad> others = ordered.subList(room - 1, ordered.size());
            rest = new OverviewViewModel.GpuLoad(-others.size(), "UP",
                    others.stream().mapToDouble(OverviewViewModel.GpuLoad::batchPercent).average().orElse(0),
                    others.stream().mapToDouble(OverviewViewModel.GpuLoad::kvPercent).filter(kv -> !Double.isNaN(kv)).average()
                            .orElse(Double.NaN));
        }
        int rows = loads.size() + (rest == null ? 0 : 1);
        if (gpuRows.getChildren().size() != rows) {
            gpuRows.getChildren().clear();
            namesWidth = -1;
            for (int i = 0; i < rows; i++) {
                gpuRows.getChildren().add(new MeterRow(""));
            }
        }
        if (rest != null) {
            ((MeterRow) gpuRows.getChildren().get(rows - 1)).set(-rest.id() + " more (avg)", rest.batchPercent() / 100,
                    String.format(Locale.ROOT, "%.0f%% · KV %s", rest.batchPercent(),
                            Double.isNaN(rest.kvPercent()) ? "–" : Math.round(rest.kvPercent()) + "%"), "ok");
        }
        for (int i = 0; i < loads.size(); i++) {
            OverviewViewModel.GpuLoad load = loads.get(i);
            String label = (load.backend() ? "Backend " : "GPU ") + load.id()
                    + (load.state().equals("UP") ? "" : " · " + load.state().toLowerCase(Locale.ROOT));
            MeterRow row = (MeterRow) gpuRows.getChildren().get(i);
            switch (load.state()) {
                case "UP", "SLOW", OverviewViewModel.DRAINING -> row.set(label, load.batchPercent() / 100, String.format(Locale.ROOT, "%.0f%% · KV %s",
                                load.batchPercent(), Double.isNaN(load.kvPercent()) ? "–" : Math.round(load.kvPercent()) + "%"),
                        load.state().equals("UP") ? "ok" : "warn");
                // a GPU that takes no work has no load to draw: an empty, dimmed bar and its state, said once
                // (beside the name too, "GPU 1 · loading … loading", it took the bars' room)
                default -> row.off((load.backend() ? "Backend " : "GPU ") + load.id(), load.state().toLowerCase(Locale.ROOT));
            }
        }
        alignNames();
    }

    /**
     * Every name as wide as the longest shown, so the bars line up and take the rest: a fixed width for
     * "Backend 12 · draining" left the bars of a plain "GPU 0" nothing at 1024 x 700.
     */
    private void alignNames() {
        double widest = 0;
        for (javafx.scene.Node row : gpuRows.getChildren()) {
            widest = Math.max(widest, ((MeterRow) row).nameNeeds());
        }
        if (widest != namesWidth) {
            namesWidth = widest;
            for (javafx.scene.Node row : gpuRows.getChildren()) {
                ((MeterRow) row).nameWidth(widest);
            }
        }
    }

    private double namesWidth = -1;

    @SuppressWarnings("rawtypes")
    private static TileBuilder tile(SkinType skin, String title, String unit, int decimals) {
        return TileBuilder.create()
                .skinType(skin)
                .title(title)
                .unit(unit)
                .decimals(decimals)
                .tickLabelDecimals(0)
                .minValue(0)
                .maxValue(1e12) // number and gauge tiles: no clamping; sparklines get a range that follows the data
                .animated(false)
                .roundedCorners(true)
                .backgroundColor(Palette.TILE_BACKGROUND)
                .foregroundBaseColor(Palette.TILE_FOREGROUND)
                .barColor(Palette.ACCENT)
                .valueColor(Palette.TILE_FOREGROUND);
    }
}
