package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The bulk bar's typed confirmation in a real window (headless under Monocle), from the keyboard:
 * a cancel of more than {@link SearchViewModel#CONFIRM_ABOVE} tasks asks for their number. Its own
 * engine, as the tasks are cancelled for good.
 */
class SearchBulkConfirmUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int TASKS = SearchViewModel.CONFIRM_ABOVE + 20;
    private final FxRobot robot = new FxRobot();
    private Engine engine;
    private SearchViewModel model;

    @BeforeEach
    void showScreen() throws Exception {
        engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < TASKS; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", 5, null, "acme", null, null, 8, null, null))).join();
        }
        FxToolkit.registerPrimaryStage();
        model = SearchStage.show(engine, 1280);
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
        engine.close();
    }

    /** Typing the count and pressing Enter, as one does after typing, did nothing: only a click on Apply applied it. */
    @Test
    void countTypedInTheConfirmation_enterApplies_aWrongCountDoesNot() throws Exception {
        robot.clickOn("#search-tenant").write("acme").type(KeyCode.ENTER);
        await().atMost(TIMEOUT).until(this::message, m -> m.startsWith(TASKS + " tasks match"));
        robot.interact(() -> model.actionProperty().set(BulkAction.CANCEL)); // the combo box's choice; typing is what is tested
        robot.clickOn("#bulk-preview");
        await().atMost(TIMEOUT).until(() -> robot.lookup("#bulk-confirm").query().isVisible());

        robot.clickOn("#bulk-confirm").write(String.valueOf(TASKS - 1)).type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(queued()).as("a wrong count cancels nothing").isEqualTo(TASKS);

        robot.push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(TASKS)).type(KeyCode.ENTER);

        await().atMost(TIMEOUT).until(() -> queued() == 0);
    }

    private String message() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#search-message").queryAs(Label.class).getText()).get();
    }

    private int queued() {
        return engine.send(new Command.WaitingTasks(1_000)).join().size();
    }
}
