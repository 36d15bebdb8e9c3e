package io.queuedeck.console.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.engine.sim.TraceComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.chart.BarChart;
import javafx.scene.control.TableView;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Policy &amp; load screen's Compare tab in the room a 1280 × 800 console window gives the
 * screen, driven by the robot's real clicks (Monocle); the comparison runs on a thread of its own,
 * as in the console.
 */
class CompareViewUiTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final FxRobot robot = new FxRobot();
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private CompareViewModel model;
    @TempDir
    Path dir;
    private Path slice;

    @BeforeEach
    void show() throws Exception {
        // the first 300 requests of the shipped code trace: a comparison of a few policies in about a second
        slice = dir.resolve("code-slice.csv");
        try (var in = TraceComparison.class.getResourceAsStream("/queuedeck/traces/azure-code-2023.csv")) {
            Files.write(slice, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().limit(301).toList());
        }
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        model = new CompareViewModel(background, Runnable::run, Platform::runLater, List.of("azure-conv-2023.csv", "azure-code-2023.csv"));
        FxToolkit.setupStage(s -> {
            // both tabs (a short Live one), in the console's scroll around a screen, in the room a 1280 × 800 window leaves it
            javafx.scene.layout.VBox live = new javafx.scene.layout.VBox(new javafx.scene.control.Label("live"));
            live.setId("live-stand-in");
            javafx.scene.Parent screen = PolicyScreen.build(live, new CompareView(model).root());
            s.setScene(new Scene(io.queuedeck.console.widgets.ScreenScroll.wrap(screen), 1030, 650)); // the scene before show(): see JAVAFX-NOTES
            s.sizeToScene(); // the primary stage is shared: another test class left it at a size of its own
            // and at the console's minimum, which would keep it from narrowing to a 1024 px window's screen
            s.setMinWidth(0);
            s.setMinHeight(0);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("Compare policies"); // the tab, as an operator opens it
    }

    @AfterEach
    void close() throws TimeoutException, InterruptedException {
        FxToolkit.cleanupStages();
        background.shutdownNow();
        assertThat(background.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void run_fewPolicies_tableSortsByAClickedColumn_andTheChartMarksTheOracle() {
        robot.interact(() -> model.traceProperty().set(slice.toString()));
        for (String name : List.of("priority", "mlfq", "aging", "weighted", "edf", "fair", "gittins")) {
            robot.clickOn("#compare-policy-" + name); // untick: fifo, sjf and the oracle stay
        }
        robot.clickOn("#compare-run");
        Awaitility.await().atMost(PATIENCE).until(() -> !model.runningProperty().get());

        TableView<CompareRow> table = robot.lookup("#compare-table").queryTableView();
        assertThat(robot.lookup("#compare-error").queryLabeled().getText()).isEmpty();
        assertThat(table.getItems()).extracting(CompareRow::policy).containsExactly("fifo", "sjf", "srpt-oracle");

        robot.clickOn(header("compare-col-e2e-p99")); // ascending, then descending
        WaitForAsyncUtils.waitForFxEvents();
        List<Double> ascending = table.getItems().stream().map(CompareRow::e2eP99).toList();
        assertThat(ascending).isSorted();
        robot.clickOn(header("compare-col-e2e-p99"));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(table.getItems().stream().map(CompareRow::e2eP99).toList()).containsExactlyElementsOf(ascending.reversed());

        @SuppressWarnings("unchecked")
        BarChart<String, Number> chart = robot.lookup("#compare-chart").queryAs(BarChart.class);
        List<Node> bars = chart.getData().getFirst().getData().stream().map(d -> d.getNode()).toList();
        assertThat(bars).hasSize(3);
        assertThat(bars.get(2).getStyleClass()).contains(CompareView.BOUND_BAR);
        assertThat(bars.get(0).getStyleClass()).contains(CompareView.FIFO_BAR);
        double oracleMean = model.rows().getLast().e2eMean();
        assertThat(robot.lookup("#compare-bound-label").queryLabeled().getText())
                .isEqualTo(String.format(java.util.Locale.ROOT, "srpt-oracle %,.0f ms", oracleMean));
        assertThat(robot.lookup("#compare-bound-label").query().isVisible()).isTrue();
        assertThat(robot.lookup("#compare-export").query().isDisabled()).isFalse();
    }

    /** The GPUs, tenants and deadlines a comparison runs with, typed and picked as an operator does, reach the run. */
    @Test
    void gpusTenantsAndDeadlines_typedAndPicked_areTheRunsAndItsCommandLines() {
        robot.interact(() -> model.traceProperty().set(slice.toString()));
        for (String name : List.of("priority", "mlfq", "aging", "weighted", "edf", "sjf", "gittins")) {
            robot.clickOn("#compare-policy-" + name); // fifo, fair and the oracle stay
        }
        retype("#compare-tenants", "x");
        robot.clickOn("#compare-run");
        assertThat(robot.lookup("#compare-error").queryLabeled().getText()).isEqualTo("Tenants must be a whole number, got 'x'");
        assertThat(model.runningProperty().get()).isFalse();

        retype("#compare-instances", "2");
        robot.clickOn("#compare-gpu").clickOn("a100");
        retype("#compare-tenants", "3");
        retype("#compare-deadlines .text-field", "1=5,3=30");
        robot.clickOn("#compare-run");
        Awaitility.await().atMost(PATIENCE).until(() -> !model.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#compare-error").queryLabeled().getText()).isEmpty();
        assertThat(robot.lookup("#compare-status").queryLabeled().getText()).contains("on 2 simulated A100s serving");
        assertThat(robot.lookup("#compare-command").queryLabeled().getText())
                .contains("--tenants 3 --deadlines 1=5,3=30 --instances 2 --gpu a100 --policy fifo,fair,srpt-oracle");

        robot.clickOn("#compare-figure").clickOn(CompareFigure.DEADLINES_MISSED.label()); // what the deadlines are for
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(model.rows()).extracting(CompareRow::figure).allSatisfy(missed -> assertThat(missed).isBetween(0.0, 100.0));
        assertThat(robot.lookup("#compare-bound-label").queryLabeled().getText()).matches("srpt-oracle [0-9.]+%");
    }

    /** Replaces a field's text with {@code text}, keystroke by keystroke. */
    private void retype(String query, String text) {
        robot.clickOn(query).push(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.A).write(text);
    }

    /** The header of the column with id {@code id}: it carries its column's id. */
    private Node header(String id) {
        return robot.lookup(".column-header").queryAll().stream().filter(n -> id.equals(n.getId())).findFirst().orElseThrow();
    }

    /** At 1280 × 800 the tabs' bottoms (the trace row, the chart) were cut off: the screen was fitted, not scrolled. */
    @Test
    void screen_smallerThanATabsMinimum_scrolls_andTheChartIsReachable() throws Exception {
        javafx.scene.control.ScrollPane scroll = (javafx.scene.control.ScrollPane) robot.lookup(".scroll-pane").queryAll().stream()
                .filter(n -> n.getParent() == null || n.getScene().getRoot() == n).findFirst().orElseThrow();
        javafx.scene.Parent compare = robot.lookup(".compare-root").queryAs(javafx.scene.Parent.class);
        double tabsMinimum = WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.Parent) scroll.getContent()).minHeight(-1)).get();
        assertThat(tabsMinimum).isGreaterThan(WaitForAsyncUtils.asyncFx(() -> compare.minHeight(-1)).get());
        assertThat(tabsMinimum).as("this window is smaller than the Compare tab's minimum").isGreaterThan(scroll.getScene().getHeight());

        robot.interact(() -> scroll.setVvalue(scroll.getVmax()));
        WaitForAsyncUtils.waitForFxEvents();

        Node chart = robot.lookup("#compare-chart").query();
        javafx.geometry.Bounds inScene = WaitForAsyncUtils.asyncFx(() -> chart.localToScene(chart.getLayoutBounds())).get();
        assertThat(inScene.getMaxY()).as("the chart's bottom, scrolled to").isLessThanOrEqualTo(chart.getScene().getHeight() + 0.5);
        assertThat(chart.getLayoutBounds().getHeight()).as("the chart at its minimum or more").isGreaterThanOrEqualTo(184);

        robot.interact(() -> scroll.setVvalue(0)); // the tab headers scroll with the screen
        robot.clickOn("Live policy & load"); // a short tab: fitted to the room again, no blank to scroll through
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(scroll.isFitToHeight()).isTrue();
        assertThat(((javafx.scene.layout.Region) scroll.getContent()).getHeight()).isLessThanOrEqualTo(scroll.getScene().getHeight() + 0.5);
    }

    /** In a 1024 px window (824 px beside the navigation) the nine inputs in one row squeezed the trace to "azure-conv-2(". */
    @Test
    void narrowWindow_inputsWrap_theTraceBoxKeepsItsWidth() {
        javafx.stage.Window window = robot.lookup("#compare-trace").query().getScene().getWindow();
        double width = window.getWidth();
        robot.interact(() -> window.setWidth(824));
        WaitForAsyncUtils.waitForFxEvents();
        try {
            for (String id : List.of("#compare-trace", "#compare-priorities", "#compare-deadlines")) {
                javafx.scene.control.Control box = robot.lookup(id).queryAs(javafx.scene.control.Control.class);
                assertThat(box.getWidth()).as(id + "'s width").isGreaterThanOrEqualTo(box.prefWidth(-1) - 0.5);
                javafx.geometry.Bounds inScene = box.localToScene(box.getLayoutBounds());
                assertThat(inScene.getMaxX()).as(id + "'s right edge").isLessThanOrEqualTo(box.getScene().getWidth());
            }
        } finally { // the stage is shared with the tests after this one: a shown stage keeps its size for a new scene
            robot.interact(() -> window.setWidth(width));
        }
    }

    /**
     * At 1024 px wide the inputs wrapped into rows whose fields started wherever their row's labels ended
     * (the trace box at one x, the priorities and deadlines boxes further right, the policies' checkboxes
     * further left): each field now sits in a column, in the console's window widths from the narrowest up.
     */
    @Test
    void wrappedInputs_everyRowsFieldsLineUpWithTheFirstRows() {
        javafx.stage.Window window = robot.lookup("#compare-trace").query().getScene().getWindow();
        double width = window.getWidth();
        try {
            for (double screenWidth : List.of(824.0, 1080.0, 1400.0)) { // the screen beside the navigation at 1024, 1280, 1600
                robot.interact(() -> window.setWidth(screenWidth));
                WaitForAsyncUtils.waitForFxEvents();
                // the new width is laid out on a later pulse, which a loaded machine can delay: awaited, not read at once
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                    List<javafx.geometry.Bounds> fields = List.of("#compare-trace", "#compare-load", "#compare-seed", "#compare-priorities",
                            "#compare-instances", "#compare-tenants", "#compare-deadlines").stream()
                            .map(id -> robot.lookup(id).<Node>query()).map(n -> n.localToScene(n.getLayoutBounds())).toList();
                    List<Double> rows = fields.stream().map(b -> (double) Math.round(b.getCenterY())).distinct().toList();
                    assertThat(rows).as("the inputs wrap at %s px", screenWidth).hasSizeGreaterThan(1);
                    List<Double> firstRow = fields.stream().filter(b -> Math.round(b.getCenterY()) == rows.getFirst()).map(b -> b.getMinX()).toList();
                    for (double row : rows) {
                        List<Double> xs = fields.stream().filter(b -> Math.round(b.getCenterY()) == row).map(b -> b.getMinX()).toList();
                        for (int i = 0; i < xs.size(); i++) {
                            assertThat(xs.get(i)).as("field %d of the row at y %s, at %s px", i, row, screenWidth).isCloseTo(firstRow.get(i), within(0.5));
                        }
                    }
                    for (javafx.geometry.Bounds field : fields) {
                        assertThat(field.getMaxX()).as("a field's right edge at %s px", screenWidth).isLessThanOrEqualTo(screenWidth);
                    }
                    Node fifo = robot.lookup("#compare-policy-fifo").query();
                    assertThat(fifo.localToScene(fifo.getLayoutBounds()).getMinX()).as("the policies' first checkbox at %s px", screenWidth)
                            .isCloseTo(firstRow.getFirst(), within(0.5));
                });
            }
        } finally { // the stage is shared with the tests after this one
            robot.interact(() -> window.setWidth(width));
        }
    }

    /**
     * Narrowed from 1600 to 1024 px, the results table kept the columns the wide window had stretched
     * and scrolled sideways about half as far again as in a window opened at 1024 px.
     */
    @Test
    void windowNarrowedAfterWide_tableColumnsReturnToTheirNarrowWidths() {
        javafx.stage.Window window = robot.lookup("#compare-trace").query().getScene().getWindow();
        double width = window.getWidth();
        TableView<?> table = robot.lookup("#compare-table").queryTableView();
        try {
            robot.interact(() -> window.setWidth(1400));
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(table.getVisibleLeafColumns()).as("stretched to fill the wide table")
                    .anySatisfy(c -> assertThat(c.getWidth()).isGreaterThan(c.getMinWidth() + 10));

            robot.interact(() -> window.setWidth(824));
            WaitForAsyncUtils.waitForFxEvents();

            double minimums = table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getMinWidth()).sum();
            assertThat(minimums).as("the columns' minimums overflow the narrow table").isGreaterThan(table.getWidth());
            assertThat(table.getVisibleLeafColumns()).allSatisfy(c ->
                    assertThat(c.getWidth()).as(c.getId() + "'s width").isCloseTo(c.getMinWidth(), within(0.5)));
        } finally { // the stage is shared with the tests after this one
            robot.interact(() -> window.setWidth(width));
        }
    }

    @Test
    void run_malformedTrace_theEnginesMessageOnScreen_andRunCanBePressedAgain() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "arrival_ms,prompt_tokens,output_tokens\n0,10,5\n5,ten,5\n");
        robot.interact(() -> model.traceProperty().set(bad.toString()));

        robot.clickOn("#compare-run");
        Awaitility.await().atMost(PATIENCE).until(() -> !model.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        String shown = robot.lookup("#compare-error").queryLabeled().getText();
        assertThat(shown).startsWith("bad.csv:3").doesNotContain("Exception");
        assertThat(robot.lookup("#compare-error").query().isVisible()).isTrue();
        assertThat(robot.lookup("#compare-run").query().isDisabled()).isFalse();
        assertThat(robot.lookup("#compare-table").queryTableView().getItems()).isEmpty();
    }

    @Test
    void cancel_whileTheWholeTraceRuns_endsIt_andRunIsOffMeanwhile() {
        robot.clickOn("#compare-run"); // the whole conversation trace, every policy: far longer than the patience below

        assertThat(robot.lookup("#compare-run").query().isDisabled()).isTrue();
        assertThat(robot.lookup("#compare-trace").query().isDisabled()).isTrue();
        robot.clickOn("#compare-cancel");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !model.runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#compare-status").queryLabeled().getText()).isEqualTo("Cancelled: no results from this run.");
        assertThat(robot.lookup("#compare-run").query().isDisabled()).isFalse();
        assertThat(robot.lookup("#compare-cancel").query().isDisabled()).isTrue();
    }
}
