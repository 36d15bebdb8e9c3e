package io.queuedeck.console.lanes;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static io.queuedeck.console.testing.Tasks.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListCell;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The inspector's Cancel in a real window (headless under Monocle), by the robot's clicks and keys:
 * it cancelled at once, so a click by mistake lost the task; it asks as the lanes' Delete does.
 */
class InspectorCancelUiTest {
    private final FxRobot robot = new FxRobot();
    private final RecordingCommands commands = new RecordingCommands();
    private LanesViewModel model;

    private void show(int width, boolean dark) throws TimeoutException {
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(
                (dark ? new PrimerDark() : new PrimerLight()).getUserAgentStylesheet()));
        model = new LanesViewModel(commands);
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new LanesView(model).root(), width, 800)); // the scene before show(): see JAVAFX-NOTES
            s.setMinWidth(0);
            s.setMinHeight(0);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        List<TaskView> tasks = List.of(waiting("a", 3, 900), waiting("b", 3, 800));
        commands.waiting = tasks;
        robot.interact(() -> model.apply(snapshot().policy("priority").at(T0).clock(0).queued(3, tasks.size()).build()));
    }

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    @SuppressWarnings("unchecked")
    private ListCell<TaskRow> cell(String id) {
        return robot.lookup("#lane-3 .task-cell").queryAllAs(ListCell.class).stream()
                .map(c -> (ListCell<TaskRow>) c)
                .filter(c -> c.isVisible() && c.getItem() != null && c.getItem().id().equals(id))
                .findFirst().orElseThrow();
    }

    private boolean asking() {
        return robot.lookup("#lanes-confirm").query().isVisible();
    }

    private List<String> cancels() {
        return commands.sent.stream().filter(sent -> sent.startsWith("cancel")).toList();
    }

    @ParameterizedTest(name = "{0} px, dark {1}")
    @CsvSource({"1024, true", "1280, true", "1600, true", "1024, false", "1280, false", "1600, false"})
    void inspectorCancel_asksInTheLanesWords_escSaysNoAndKeepsTheInspector_yesCancelsTheNamedTask(int width, boolean dark)
            throws Exception {
        show(width, dark);
        robot.doubleClickOn(cell("b"));
        assertThat(robot.lookup("#lanes-inspector").query().isVisible()).isTrue();

        robot.clickOn("#inspector-cancel");

        assertThat(cancels()).as("nothing before the answer").isEmpty();
        assertThat(asking()).isTrue();
        Labeled text = robot.lookup("#lanes-confirm-text").queryLabeled();
        assertThat(text.getText()).isEqualTo("Cancel task b? A cancelled task cannot be queued again.");
        Button yes = robot.lookup("#lanes-confirm-yes").queryButton();
        Button no = robot.lookup("#lanes-confirm-no").queryButton();
        assertThat(yes.getText()).isEqualTo("Cancel it");
        assertThat(no.getText()).isEqualTo("Keep it");
        assertThat(WaitForAsyncUtils.asyncFx(() -> no.getScene().getFocusOwner()).get()).isSameAs(no);
        for (Labeled whole : List.of(text, yes, no)) { // the question and its answers, never cut at any width
            assertThat(whole.lookup(".text")).as(whole.getId()).isNotNull();
            assertThat(((javafx.scene.text.Text) whole.lookup(".text")).getText()).as(whole.getId()).doesNotContain("…");
            Bounds b = whole.localToScene(whole.getBoundsInLocal());
            assertThat(b.getMaxX()).as(whole.getId() + " in the window").isLessThanOrEqualTo(width);
        }

        robot.push(KeyCode.ESCAPE);

        assertThat(asking()).isFalse();
        assertThat(cancels()).isEmpty();
        assertThat(robot.lookup("#lanes-inspector").query().isVisible()).as("Esc answered the question only").isTrue();

        robot.clickOn("#inspector-cancel");
        robot.clickOn("#lanes-confirm-yes");

        assertThat(cancels()).containsExactly("cancel b");
        assertThat(asking()).isFalse();
    }
}
