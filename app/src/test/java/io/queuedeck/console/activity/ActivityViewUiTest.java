package io.queuedeck.console.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The export buttons stay where they are when the screen's message changes: after an export its
 * long "… written to <path>" took the search field's room and both buttons moved about 290 px left.
 * The export is called on the model, as the file dialog would (a native dialog Monocle cannot drive).
 */
class ActivityViewUiTest {
    private static Engine engine;
    private static ActivityViewModel model;
    private final FxRobot robot = new FxRobot();
    /** A drag's audit target: a task id and where it went. */
    private static final String MOVED = "df2be012-4065-4765-a150-46113409b0a9 to P6";

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder().build();
        engine.start();
        FxToolkit.registerPrimaryStage();
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
        engine.audit().record("console:root", "console", "task.reprioritize", MOVED, 1, null); // the oldest: a drag's
        engine.audit().record("ops", "api", "queue.resume", "all:resume", 0, null); // one entry to export
        engine.audit().record("anonymous@127.0.0.1", "api", "queue.pause", "all", 0, null); // a tokenless API client
        model = new ActivityViewModel(gateway, Runnable::run, Platform::runLater);
        FxToolkit.setupFixture(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()));
        FxToolkit.setupStage(stage -> {
            Scene scene = new Scene(new ActivityView(model).root(), 1080, 700); // a 1280 × 800 window less the navigation
            scene.getStylesheets().add(ActivityViewUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        engine.close();
    }

    /** A pause names no tasks: its row read "0" beside a tier of thousands, as if it had held none. */
    @Test
    void anEntryOfNoTasks_showsADash_notZero() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !model.entries().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.TableView<?> table = robot.lookup(".table-view").queryAs(javafx.scene.control.TableView.class);
        Object tasks = WaitForAsyncUtils.asyncFx(() -> table.getColumns().stream()
                .filter(c -> "Tasks".equals(c.getText()) || c.getGraphic() instanceof javafx.scene.control.Label l && "Tasks".equals(l.getText()))
                .findFirst().orElseThrow().getCellData(0)).get();
        assertThat(tasks).isEqualTo("–");
    }

    /** At 1280 px the target was cut at its end, "df2be012-4065-4765-a150-4611340…": where the task went was lost. */
    @Test
    void aCutTarget_losesItsMiddle_soWhereTheTaskWentReads() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> model.entries().size() >= 3);
        WaitForAsyncUtils.waitForFxEvents();
        String shown = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                .stream().filter(c -> MOVED.equals(c.getText())).findFirst().orElseThrow()
                .lookup(".text") instanceof javafx.scene.text.Text t ? t.getText() : "").get();
        assertThat(shown).as("cut at 1280 px, as the column gives way").isNotEqualTo(MOVED).startsWith("df2be012").endsWith(" to P6");
    }

    /** At 1280 px a long target or detail may be cut: its tooltip has it whole. */
    @Test
    void everyShownValue_isWholeInItsTooltip() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !model.entries().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        var cells = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                .stream().filter(c -> c.getText() != null && !c.getText().isEmpty()).toList()).get();
        assertThat(cells).extracting(javafx.scene.control.TableCell::getText).contains("ops", "queue.resume", "all:resume");
        assertThat(cells).allSatisfy(cell -> assertThat(cell.getTooltip().getText()).isEqualTo(cell.getText()));
    }

    /** In a 1024 x 700 window the columns shrank alike: the time read "2026-12-07 15:2…" and the source "con…". */
    @Test
    void inANarrowWindow_theTimeAndTheSourceStayWhole() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !model.entries().isEmpty());
        javafx.stage.Window window = robot.lookup(".table-view").query().getScene().getWindow();
        robot.interact(() -> window.setWidth(1024 - 200)); // less the navigation
        try {
            WaitForAsyncUtils.waitForFxEvents();
            var cut = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                    .stream().filter(c -> c.getText() != null && !c.getText().isEmpty()
                            && ("When".equals(c.getTableColumn().getText()) || "From".equals(c.getTableColumn().getText())
                                    || "What".equals(c.getTableColumn().getText()))
                            && c.getWidth() - c.snappedLeftInset() - c.snappedRightInset() + 0.5 < textWidth(c))
                    .map(javafx.scene.control.TableCell::getText).toList()).get();
            assertThat(cut).isEmpty();
        } finally {
            robot.interact(() -> window.setWidth(1080));
        }
    }

    /**
     * In a 1024 x 700 window the last headers read "Ta…" and "D…" while the target kept 190 px, and the
     * longest actions ("instance.drain_end", "tier.replay_parked") read "instance.drain…"; made wide
     * again, the actor stayed cut.
     */
    @Test
    void inANarrowWindow_everyHeaderAndTheLongestActionsAreWhole_andWideAgainAsBefore() throws Exception {
        engine.audit().record("ops", "console", "instance.drain_end", "GPU 0", 0, null);
        engine.audit().record("ops", "console", "tier.replay_parked", "batch", 0, null); // no tasks: the first row reads "–" (anEntryOfNoTasks…)
        await().atMost(Duration.ofSeconds(30)).until(() -> model.entries().stream().anyMatch(e -> e.action().equals("tier.replay_parked")));
        javafx.stage.Window window = robot.lookup(".table-view").query().getScene().getWindow();
        robot.interact(() -> window.setWidth(1024 - 200)); // less the navigation
        try {
            WaitForAsyncUtils.waitForFxEvents();
            var headers = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".column-header .label").queryAllAs(javafx.scene.control.Label.class)
                    .stream().map(l -> ((javafx.scene.text.Text) l.lookup(".text")).getText()).toList()).get();
            assertThat(headers).containsExactlyInAnyOrder("When", "Who", "From", "What", "Target", "Tasks", "Detail");
            var cut = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                    .stream().filter(c -> c.getText() != null && c.getText().contains("_") && "What".equals(c.getTableColumn().getText())
                            && c.getWidth() - c.snappedLeftInset() - c.snappedRightInset() + 0.5 < textWidth(c))
                    .map(javafx.scene.control.TableCell::getText).toList()).get();
            assertThat(cut).isEmpty();

            // widened again, as it was: the columns narrowed for 1024 px stayed narrow and the room went to the last one
            robot.interact(() -> window.setWidth(1080));
            WaitForAsyncUtils.waitForFxEvents();
            var who = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                    .stream().filter(c -> "anonymous@127.0.0.1".equals(c.getText())).findFirst().orElseThrow()).get();
            assertThat(WaitForAsyncUtils.asyncFx(() -> who.getWidth() - who.snappedLeftInset() - who.snappedRightInset() + 0.5).get())
                    .as("the actor's room after the window was narrow and wide again")
                    .isGreaterThanOrEqualTo(WaitForAsyncUtils.asyncFx(() -> textWidth(who)).get());
            javafx.scene.control.TableView<?> table = robot.lookup(".table-view").queryAs(javafx.scene.control.TableView.class);
            double columns = WaitForAsyncUtils.asyncFx(() -> table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum()).get();
            assertThat(columns).as("the columns fill the table").isCloseTo(table.getWidth() - table.snappedLeftInset() - table.snappedRightInset(), within(3.0));
        } finally {
            robot.interact(() -> window.setWidth(1080));
        }
    }

    /** In a 1280 x 800 window a tokenless API client read "anonymous@127.0…", though the detail column stood empty. */
    @Test
    void at1280_anApiClientsName_isWhole() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> model.entries().size() >= 2);
        WaitForAsyncUtils.waitForFxEvents();
        var who = WaitForAsyncUtils.asyncFx(() -> robot.lookup(".table-row-cell .table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                .stream().filter(c -> "anonymous@127.0.0.1".equals(c.getText())).findFirst().orElseThrow()).get();
        assertThat(WaitForAsyncUtils.asyncFx(() -> who.getWidth() - who.snappedLeftInset() - who.snappedRightInset() + 0.5).get())
                .isGreaterThanOrEqualTo(WaitForAsyncUtils.asyncFx(() -> textWidth(who)).get());
    }

    /**
     * A column widened by hand went back to its designed width at the next change of the window's
     * width: it keeps the operator's width through a narrower and a wider window, while the other
     * columns are still fitted to the width. A real drag of the header's edge, on a screen of its own
     * (the shared one keeps its designed columns for the tests above).
     */
    @Test
    void aColumnWidenedByHand_keepsItsWidth_acrossWindowResizes_theOthersStillFit() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !model.entries().isEmpty());
        javafx.stage.Stage stage = (javafx.stage.Stage) robot.lookup(".table-view").query().getScene().getWindow();
        Scene shared = stage.getScene();
        double width = stage.getWidth();
        javafx.scene.control.TableView<?>[] table = new javafx.scene.control.TableView<?>[1];
        robot.interact(() -> {
            Scene own = new Scene(new ActivityView(model).root(), shared.getWidth(), shared.getHeight());
            own.getStylesheets().setAll(shared.getStylesheets());
            stage.setScene(own);
            table[0] = (javafx.scene.control.TableView<?>) own.lookup("#activity-table");
        });
        try {
            WaitForAsyncUtils.waitForFxEvents();
            javafx.scene.control.TableColumn<?, ?> who = table[0].getColumns().get(1);
            double designed = WaitForAsyncUtils.asyncFx(who::getWidth).get();
            var edge = rightEdge(table[0], who);

            robot.drag(edge, javafx.scene.input.MouseButton.PRIMARY).moveBy(20, 0).moveBy(20, 0).drop();
            WaitForAsyncUtils.waitForFxEvents();
            double byHand = WaitForAsyncUtils.asyncFx(who::getWidth).get();
            assertThat(byHand).as("widened by the drag").isGreaterThan(designed + 20);

            for (double room : new double[] {1600 - 200, 1280 - 200}) { // each window less the navigation
                robot.interact(() -> stage.setWidth(room));
                WaitForAsyncUtils.waitForFxEvents();
                assertThat(WaitForAsyncUtils.asyncFx(who::getWidth).get()).as("the actor's width at %s px", room + 200)
                        .isCloseTo(byHand, within(1.0));
                assertFilled(table[0], room);
            }

            // at 1024 px the others at their least leave it less: it gives way that far, every column in view;
            // widened to the most there by hand, it keeps that through a wider window and back
            robot.interact(() -> stage.setWidth(1024 - 200));
            WaitForAsyncUtils.waitForFxEvents();
            assertFilled(table[0], 1024 - 200);
            var narrowEdge = rightEdge(table[0], who);
            robot.drag(narrowEdge, javafx.scene.input.MouseButton.PRIMARY).moveBy(30, 0).moveBy(30, 0).drop();
            WaitForAsyncUtils.waitForFxEvents();
            double mostAt1024 = WaitForAsyncUtils.asyncFx(who::getWidth).get();
            for (double room : new double[] {1280 - 200, 1024 - 200}) {
                robot.interact(() -> stage.setWidth(room));
                WaitForAsyncUtils.waitForFxEvents();
                assertThat(WaitForAsyncUtils.asyncFx(who::getWidth).get()).as("the actor's width at %s px", room + 200)
                        .isCloseTo(mostAt1024, within(1.0));
                assertFilled(table[0], room); // back at 1024 px, the last columns had gone out of view
            }
        } finally {
            robot.interact(() -> {
                stage.setScene(shared);
                stage.setWidth(width);
            });
        }
    }

    private static void assertFilled(javafx.scene.control.TableView<?> table, double room) throws Exception {
        double columns = WaitForAsyncUtils.asyncFx(() -> table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum()).get();
        assertThat(columns).as("the columns fill the table, none out of view, at %s px", room + 200).isCloseTo(
                WaitForAsyncUtils.asyncFx(() -> table.getWidth() - table.snappedLeftInset() - table.snappedRightInset()).get(), within(3.0));
    }

    /** A cell's text on one line, in its font (a table cell's preferred width is its column's). */
    private static double textWidth(javafx.scene.control.TableCell<?, ?> cell) {
        javafx.scene.text.Text text = new javafx.scene.text.Text(cell.getText());
        text.setFont(cell.getFont());
        return text.getLayoutBounds().getWidth();
    }

    @Test
    void anExportsLongMessage_movesNeitherExportButton() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> !model.entries().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        Bounds csv = bounds("#activity-export-csv");
        Bounds json = bounds("#activity-export-json");
        Path file = Files.createTempDirectory("activity").resolve("a-long-directory-name-for-the-export-message".repeat(2) + ".csv");

        WaitForAsyncUtils.asyncFx(() -> model.export(file)).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> model.messageProperty().get()).get()
                .contains("written to"));
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(bounds("#activity-export-csv")).isEqualTo(csv);
        assertThat(bounds("#activity-export-json")).isEqualTo(json);
    }

    private Bounds bounds(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node node = robot.lookup(id).query();
            return node.localToScene(node.getBoundsInLocal());
        }).get();
    }

    /** Where the column's header ends on screen: the edge a drag resizes it by. */
    private static javafx.geometry.Point2D rightEdge(javafx.scene.control.TableView<?> table,
            javafx.scene.control.TableColumn<?, ?> column) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node header = table.lookupAll(".column-header").stream()
                    .filter(h -> h instanceof javafx.scene.control.skin.TableColumnHeader c && c.getTableColumn() == column)
                    .findFirst().orElseThrow();
            Bounds b = header.localToScreen(header.getBoundsInLocal());
            return new javafx.geometry.Point2D(b.getMaxX(), b.getCenterY());
        }).get();
    }
}
