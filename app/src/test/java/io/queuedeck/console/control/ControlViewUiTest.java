package io.queuedeck.console.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.plane.ConfigPlane;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.geometry.Bounds;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Control screen in a real window (headless under Monocle), its buttons clicked by a robot,
 * over a real engine and control plane whose calls run on a thread of their own. The tests run in
 * order: each version builds on the one before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlViewUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static Engine engine;
    private static ConfigPlane plane;
    private static ExecutorService calls;
    private static FlowViewModel flow;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        ControlRig rig = ControlRig.started();
        engine = rig.engine();
        plane = rig.plane();
        calls = Executors.newSingleThreadExecutor();
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet())); // its list cells have a fixed height
        FxToolkit.setupStage(s -> {
            ControlViewModel model = new ControlViewModel(plane, calls, Platform::runLater, "robot", change -> { });
            flow = new FlowViewModel(() -> plane.current().config().flow());
            Scene scene = new Scene(new ControlView(model, flow, new AlertsForm(plane.current().config().flow().table())).root(), 1280, 800);
            scene.getStylesheets().add(ControlViewUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            s.setScene(scene);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
        new FxRobot().clickOn("#control-tab-config");
        await().atMost(TIMEOUT).until(() -> label("#control-version").startsWith("Version 1 "));
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        calls.shutdownNow();
        engine.close();
    }

    private static String label(String query) {
        return new FxRobot().lookup(query).queryAs(Label.class).getText();
    }

    private Bounds tabsBounds() {
        try {
            return WaitForAsyncUtils.asyncFx(() -> {
                javafx.scene.Node tabs = robot.lookup("#control-tabs").query();
                return tabs.localToScene(tabs.getBoundsInLocal());
            }).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void setEditor(String text) {
        TextArea editor = robot.lookup("#control-editor").queryAs(TextArea.class);
        robot.interact(() -> editor.setText(text)); // the text is input; the buttons below are clicked
    }

    @Test
    @Order(1)
    void applyClicked_validText_runsAsVersion2() {
        robot.clickOn("#control-tab-config");
        setEditor(ControlViewModelTest.withRules(ServeConfig.defaultText()));
        robot.clickOn("#control-apply");

        await().atMost(TIMEOUT).until(() -> plane.current().version() == 2);
        await().atMost(TIMEOUT).until(() -> label("#control-version").startsWith("Version 2 "));
        assertThat(label("#control-version")).contains("console by robot");
    }

    @Test
    @Order(2)
    void applyClicked_invalidText_showsEveryProblemAndTheLastError_version2Stays() {
        setEditor(ServeConfig.defaultText() + "\nserver_x: 1\nengine_y: 2\n");
        Bounds tabs = tabsBounds();
        robot.clickOn("#control-apply");

        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-problems").queryListView().getItems().size() == 2);
        await().atMost(TIMEOUT).until(() -> label("#control-last-error").contains("version 2 still runs"));
        assertThat(label("#control-last-error")).contains("version 2 still runs").contains("server_x").contains("engine_y");
        assertThat(plane.current().version()).isEqualTo(2);
        assertThat(tabsBounds()).as("the refusal's line was kept for it: nothing moved").isEqualTo(tabs);

        // the editor has no line numbers: a click on a problem selects the line it names
        javafx.scene.control.ListView<?> problems = robot.lookup("#control-problems").queryListView();
        String problem = String.valueOf(problems.getItems().getFirst());
        assertThat(problem).containsPattern("line \\d+");
        // who sent the change is said once, above: "console by robot: " began every problem and the line twice over
        assertThat(problems.getItems()).allSatisfy(p -> assertThat(String.valueOf(p)).doesNotContain("console by"));
        assertThat(label("#control-last-error")).containsOnlyOnce("console by robot");
        robot.clickOn(robot.lookup("#control-problems .list-cell").nth(0).queryAs(javafx.scene.Node.class));
        TextArea editor = robot.lookup("#control-editor").queryAs(TextArea.class);
        await().atMost(TIMEOUT).until(() -> editor.getSelectedText().startsWith("server_x") || editor.getSelectedText().startsWith("engine_y"));
        assertThat(problem).contains(editor.getSelectedText().substring(0, 8));
        assertThat(label("#control-caret")).startsWith("Line ");
    }

    /**
     * Apply goes off while a change is checked. Pressed, it had the focus, and JavaFX handed the focus
     * on to Load file…, whose next Space opened a file dialog; it stays on Apply. And in a window of
     * 1024 x 700 each problem is read whole, wrapped at the list's width, in a list the editor does
     * not squeeze (it showed one line, cut at the right edge).
     */
    @Test
    @Order(3)
    void applyPressed_refused_keepsTheFocus_andEveryProblemIsWhole() throws Exception {
        javafx.stage.Window window = robot.lookup("#control-apply").query().getScene().getWindow();
        robot.interact(() -> {
            window.setWidth(1024 - 200); // the console's sidebar takes about 200 px of a 1024 x 700 window
            window.setHeight(700 - 130); // and its header and status line
        });
        try {
            setEditor(ServeConfig.defaultText() + "\nserver_x: 1\nengine_y: 2\ncallbacks_z: 3\n");
            robot.clickOn("#control-apply"); // a click gives a button the focus, as Tab does

            await().atMost(TIMEOUT).until(() -> robot.lookup("#control-problems").queryListView().getItems().size() == 3);
            WaitForAsyncUtils.waitForFxEvents();
            assertThat(WaitForAsyncUtils.asyncFx(() -> robot.lookup("#control-apply").query().isFocused()).get())
                    .as("the focus stayed on Apply, now %s", WaitForAsyncUtils.asyncFx(() -> window.getScene().getFocusOwner()).get())
                    .isTrue();
            javafx.scene.control.ListView<?> problems = robot.lookup("#control-problems").queryListView();
            assertThat(WaitForAsyncUtils.asyncFx(() -> problems.getHeight() + 0.5 >= problems.prefHeight(-1)).get())
                    .as("the list of problems keeps its height").isTrue();
            java.util.List<javafx.scene.control.ListCell<?>> cells = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#control-problems .list-cell")
                    .queryAll().stream().filter(n -> n.isVisible() && ((javafx.scene.control.ListCell<?>) n).getItem() != null)
                    .<javafx.scene.control.ListCell<?>>map(n -> (javafx.scene.control.ListCell<?>) n).toList()).get();
            assertThat(cells).hasSize(3);
            for (javafx.scene.control.ListCell<?> cell : cells) {
                assertThat(WaitForAsyncUtils.asyncFx(() -> cell.getWidth() <= problems.getWidth()
                        && cell.getHeight() + 0.5 >= cell.prefHeight(cell.getWidth())
                        && cell.getBoundsInParent().getMaxY() <= problems.getHeight()).get())
                        .as("'%s' whole in the list", cell.getItem()).isTrue();
                // what the cell draws is the whole problem: under the theme's fixed cell height it was its first
                // line, cut with an ellipsis before its line number
                assertThat(WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.text.Text) cell.lookup(".text")).getText()
                        .replaceAll("\\s+", " ")).get())
                        .isEqualTo(String.valueOf(cell.getItem()).replaceAll("\\s+", " "));
            }
        } finally {
            robot.interact(() -> {
                window.setWidth(1280);
                window.setHeight(800);
            });
        }
    }

    @Test
    @Order(4)
    void rollbackClicked_andConfirmed_appliesVersion1AgainAsVersion3() {
        robot.clickOn("#control-tab-history");
        TableView<?> history = robot.lookup("#control-history").queryTableView();
        await().atMost(TIMEOUT).until(() -> history.getItems().size() == 2);
        robot.interact(() -> history.getSelectionModel().select(1)); // version 1 (newest first); the buttons are clicked
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#control-rollback").queryButton().isDisabled()).isFalse();
        Bounds tabs = tabsBounds();
        robot.clickOn("#control-rollback");
        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-confirm").query().isVisible());
        // it said only "Roll back to version 1?", and rolling back switched the live policy unsaid
        assertThat(robot.lookup("#control-confirm-text").queryLabeled().getText())
                .startsWith("Roll the running config back to version 1? It applies as a new version, changing ");
        assertThat(tabsBounds()).as("the question takes the message's row: nothing moves under the pointer").isEqualTo(tabs);
        assertThat(plane.current().version()).as("nothing before the confirmation").isEqualTo(2);
        robot.clickOn("#control-confirm-yes");

        await().atMost(TIMEOUT).until(() -> plane.current().version() == 3);
        assertThat(plane.current().text()).isEqualTo(ServeConfig.defaultText());
        await().atMost(TIMEOUT).until(() -> history.getItems().size() == 3);
    }

    @Test
    @Order(5)
    void canaryStartedThenPromoteClickedAndConfirmed_becomesVersion4() {
        robot.clickOn("#control-tab-config");
        setEditor(ControlViewModelTest.withRules(ServeConfig.defaultText()));
        robot.clickOn("#control-tab-canary");
        robot.clickOn("#control-canary-start");
        await().atMost(TIMEOUT).until(() -> label("#control-canary-line").startsWith("Canary since"));
        assertThat(robot.lookup("#control-canary-table").queryTableView().getItems()).isNotEmpty();

        robot.clickOn("#control-canary-promote");
        assertThat(robot.lookup("#control-confirm-no").queryButton().getText())
                .as("the safe answer: \"Cancel\" beside \"Promote\" read as cancelling the canary").isEqualTo("Not now");
        robot.clickOn("#control-confirm-no"); // not now: still a canary
        assertThat(plane.current().version()).isEqualTo(3);
        robot.clickOn("#control-canary-promote");
        robot.clickOn("#control-confirm-yes");

        await().atMost(TIMEOUT).until(() -> plane.current().version() == 4);
        assertThat(plane.current().text()).contains("name: payments");
        await().atMost(TIMEOUT).until(() -> label("#control-canary-line").contains("promoted"));
    }

    @Test
    @Order(6)
    void canaryStartedThenRollbackClickedAndConfirmed_endsIt_versionStays() {
        robot.clickOn("#control-tab-config");
        setEditor(ServeConfig.defaultText());
        robot.clickOn("#control-tab-canary");
        robot.clickOn("#control-canary-start");
        await().atMost(TIMEOUT).until(() -> label("#control-canary-line").startsWith("Canary since"));

        robot.clickOn("#control-canary-rollback");
        robot.clickOn("#control-confirm-yes");

        await().atMost(TIMEOUT).until(() -> label("#control-canary-line").contains("rolled back"));
        assertThat(plane.current().version()).isEqualTo(4);
    }

    @Test
    @Order(7)
    void ruleTesterClicked_saysWhichRuleMatches() {
        robot.clickOn("#control-tab-config");
        setEditor(ControlViewModelTest.withRules(ServeConfig.defaultText()));
        robot.clickOn("#control-tab-rule-tester");
        robot.clickOn("#control-rule-test");

        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-rule-result").queryAs(TextArea.class).getText()
                .contains("result: priority 1 by rule 'payments'"));
    }

    @Test
    @Order(8)
    void alertsEditedAndApplied_areTheNextVersionsAlertsSection() {
        robot.clickOn("#control-tab-alerts");
        robot.doubleClickOn("#alerts-dead-letters").write("7");
        robot.clickOn("#alerts-apply");

        await().atMost(TIMEOUT).until(() -> plane.current().version() == 5);
        assertThat(plane.current().text()).contains("  dead_letters: 7\n");
    }

    @Test
    @Order(9)
    void alertsWithABadValue_areRefusedOnTheAlertsTab_sayingWhich() {
        robot.clickOn("#control-tab-alerts");
        robot.doubleClickOn("#alerts-oldest-wait").write("soon");
        robot.clickOn("#alerts-apply");

        WaitForAsyncUtils.waitForFxEvents();
        assertThat(plane.current().version()).isEqualTo(5);
        assertThat(robot.lookup("#control-message").queryLabeled().getText())
                .isEqualTo("Not sent (1 problem in the form): alerts.oldest_wait must be a duration such as 500ms, 2s, 1m or 1h,"
                        + " got 'soon'; the running config stays.");
        // nothing reached the config: the header's "No change refused" holds (it stood over "Refused (1 problem)")
        assertThat(robot.lookup("#control-last-error").queryLabeled().getText()).isEqualTo("No change refused");
        assertThat(robot.lookup("#alerts-problems").query().isVisible()).isTrue();
    }

    @Test
    @Order(10)
    void canaryShareOutsideOneToAHundred_isRefusedSayingSo_andStartsNothing() {
        boolean running = robot.lookup("#control-canary-start").query().isDisabled();
        robot.clickOn("#control-tab-canary");
        for (String share : new String[] {"150", "abc"}) {
            robot.doubleClickOn("#control-canary-fraction").eraseText(4).write(share);
            robot.clickOn("#control-canary-start");
            WaitForAsyncUtils.waitForFxEvents();

            assertThat(robot.lookup("#control-message").queryLabeled().getText())
                    .isEqualTo("Not sent (1 problem in the form): Share % must be a number above 0 and at most 100, got '" + share
                            + "'; the running config stays.");
        }
        assertThat(robot.lookup("#control-canary-start").query().isDisabled()).isEqualTo(running);
    }

    /** The canary's line grows and shrinks as figures come; below it, the buttons moved as they were clicked. */
    @Test
    @Order(11)
    void canaryButtons_standAboveTheLineThatChanges() {
        robot.clickOn("#control-tab-canary");
        WaitForAsyncUtils.waitForFxEvents();

        javafx.scene.Node promote = robot.lookup("#control-canary-promote").query();
        javafx.scene.Node line = robot.lookup("#control-canary-line").query();
        assertThat(promote.localToScene(promote.getBoundsInLocal()).getMaxY())
                .isLessThanOrEqualTo(line.localToScene(line.getBoundsInLocal()).getMinY());
    }

    /**
     * At 1024 px the Flow tab's tables shrank every column alike and their headers read "Que…",
     * "Run…", "Spil…", "Time…", "Dispatch …": each header reads whole there, at 1280 and 1600 px,
     * in either theme, and the columns still fill their table.
     */
    @Test
    @Order(12)
    void flowTab_everyHeaderWhole_at1024_1280And1600_inBothThemes() throws Exception {
        robot.clickOn("#control-tab-flow");
        await().atMost(TIMEOUT).until(() -> engine.latestSnapshot() != null);
        robot.interact(() -> flow.apply(engine.latestSnapshot())); // the tiers' rows, as the console's gateway feeds them
        Stage stage = (Stage) robot.lookup("#flow-tiers").query().getScene().getWindow();
        double width = stage.getWidth();
        try {
            for (var theme : java.util.List.of(new atlantafx.base.theme.PrimerDark(), new atlantafx.base.theme.PrimerLight())) {
                robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
                for (double room : new double[] {1024 - 200, 1280 - 200, 1600 - 200}) { // each window less the navigation
                    robot.interact(() -> stage.setWidth(room));
                    WaitForAsyncUtils.waitForFxEvents();
                    WaitForAsyncUtils.waitForFxEvents(); // the least widths follow the first layout at this width
                    for (String id : new String[] {"#flow-tiers", "#flow-tenants"}) {
                        TableView<?> table = robot.lookup(id).queryAs(TableView.class);
                        var headers = WaitForAsyncUtils.asyncFx(() -> table.lookupAll(".column-header .label").stream()
                                .map(Label.class::cast).filter(l -> l.getText() != null && !l.getText().isEmpty())
                                .map(l -> ((javafx.scene.text.Text) l.lookup(".text")).getText()).toList()).get();
                        var titles = WaitForAsyncUtils.asyncFx(() -> table.getColumns().stream().map(c -> c.getText()).toList()).get();
                        assertThat(headers).as("%s in %s at %s px", id, theme.getName(), room + 200).containsExactlyInAnyOrderElementsOf(titles);
                        var cut = WaitForAsyncUtils.asyncFx(() -> table.lookupAll(".table-row-cell .table-cell").stream()
                                .map(javafx.scene.control.TableCell.class::cast)
                                .filter(c -> c.getText() != null && !c.getText().isEmpty())
                                .filter(c -> !((javafx.scene.text.Text) c.lookup(".text")).getText().equals(c.getText()))
                                .map(c -> c.getText()).toList()).get();
                        assertThat(cut).as("the values in %s at %s px (\"nor…\", \"no c…\")", id, room + 200).isEmpty();
                        double columns = WaitForAsyncUtils.asyncFx(() -> table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum()).get();
                        double inside = WaitForAsyncUtils.asyncFx(() -> table.getWidth() - table.snappedLeftInset() - table.snappedRightInset()).get();
                        String each = WaitForAsyncUtils.asyncFx(() -> table.getVisibleLeafColumns().stream()
                                .map(c -> c.getText() + " " + c.getWidth() + " (" + c.getMinWidth() + ")").toList().toString()).get();
                        assertThat(columns).as("%s's columns within its width at %s px: %s", id, room + 200, each).isLessThanOrEqualTo(inside + 1);
                    }
                }
            }
        } finally {
            robot.interact(() -> {
                javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
                stage.setWidth(width);
            });
        }
    }
}
