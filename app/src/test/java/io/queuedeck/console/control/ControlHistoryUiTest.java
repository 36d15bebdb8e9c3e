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
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The History tab in a real window (headless under Monocle), its rows clicked by a robot, over
 * three versions: 2 changed the rules, 3 rolled back to 1, so version 1's text is what runs.
 */
class ControlHistoryUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static Engine engine;
    private static ConfigPlane plane;
    private static ExecutorService calls;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        ControlRig rig = ControlRig.started();
        engine = rig.engine();
        plane = rig.plane();
        plane.apply(ControlViewModelTest.withRules(ServeConfig.defaultText()), "api by bob");
        plane.rollback(1, "api by bob");
        calls = Executors.newSingleThreadExecutor();
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            ControlViewModel model = new ControlViewModel(plane, calls, Platform::runLater, "robot", change -> { });
            FlowViewModel flow = new FlowViewModel(() -> plane.current().config().flow());
            s.setScene(new Scene(new ControlView(model, flow, new AlertsForm(plane.current().config().flow().table())).root(), 1280, 800));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
        new FxRobot().clickOn("#control-tab-history");
        await().atMost(TIMEOUT).until(() -> new FxRobot().lookup("#control-history").queryTableView().getItems().size() == 3);
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        calls.shutdownNow();
        engine.close();
    }

    private void clickVersion(int version) {
        Node row = robot.lookup("#control-history .table-row-cell").match((TableRow<ControlViewModel.HistoryRow> r) ->
                r.getItem() != null && r.getItem().version() == version).query();
        robot.clickOn(row);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String detail() {
        return robot.lookup("#control-diff").queryAs(TextArea.class).getText();
    }

    private Button rollback() {
        return robot.lookup("#control-rollback").queryButton();
    }

    /** The pane stayed empty for version 1: it has no version before it, so no diff. */
    @Test
    void firstVersionClicked_showsWhatItIs_andItsWholeText() {
        clickVersion(2);
        assertThat(detail()).startsWith("priority_rules");

        clickVersion(1);

        assertThat(detail()).startsWith("Version 1, the first: nothing came before it. Applied at ")
                .contains(" from built-in defaults").endsWith(ServeConfig.defaultText());
    }

    /** A rollback to a version whose text runs now asked "…, changing no change." and applied nothing. */
    @Test
    void versionWhoseTextRunsNowClicked_offersNoRollback_andSaysWhy() {
        clickVersion(1);

        await().atMost(TIMEOUT).until(() -> rollback().isDisabled());
        Label note = robot.lookup("#control-rollback-note").queryAs(Label.class);
        assertThat(note.isVisible()).isTrue();
        assertThat(note.getText()).isEqualTo("Version 1's text is what runs now (version 3): a rollback to it would change nothing.");

        clickVersion(3);
        assertThat(rollback().isDisabled()).isTrue();
        assertThat(note.getText()).isEqualTo("Version 3 runs now: a rollback to it would change nothing.");

        clickVersion(2);
        assertThat(rollback().isDisabled()).isFalse();
        assertThat(note.getText()).isEmpty();
        robot.clickOn("#control-rollback");
        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-confirm").query().isVisible());
        assertThat(robot.lookup("#control-confirm-text").queryLabeled().getText())
                .startsWith("Roll the running config back to version 2? It applies as a new version, changing priority_rules");
        robot.clickOn("#control-confirm-no");
        assertThat(plane.current().version()).isEqualTo(3);
    }

    /**
     * Keyboard only: Space on "Roll back to selected" asked its question above the tabs but left the
     * focus on the button, and Esc did nothing, so the answer was out of reach of Tab. The focus now
     * goes to Cancel, and Esc answers no and gives the focus back to the button that asked.
     */
    @Test
    void rollbackAskedByKeyboard_focusOnCancel_escapeAnswersNo_andFocusReturns() {
        clickVersion(2);
        await().atMost(TIMEOUT).until(() -> !rollback().isDisabled());
        robot.interact(() -> rollback().requestFocus()); // where Shift+Tab from the table lands; Tab order is not what is tested here
        robot.type(javafx.scene.input.KeyCode.SPACE);
        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-confirm").query().isVisible());
        WaitForAsyncUtils.waitForFxEvents();
        Node cancel = robot.lookup("#control-confirm-no").query();
        assertThat(cancel.isFocused()).as("the confirmation's Cancel has the focus").isTrue();

        robot.type(javafx.scene.input.KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#control-confirm").query().isVisible()).isFalse();
        assertThat(rollback().isFocused()).as("the focus is back on the button that asked").isTrue();
        assertThat(plane.current().version()).isEqualTo(3);

        robot.type(javafx.scene.input.KeyCode.SPACE); // asked again: Space on the focused Cancel answers no too
        await().atMost(TIMEOUT).until(() -> robot.lookup("#control-confirm").query().isVisible());
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(javafx.scene.input.KeyCode.SPACE);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#control-confirm").query().isVisible()).isFalse();
        assertThat(plane.current().version()).isEqualTo(3);
    }
}
