package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A scheduler loop that dies under the window: the window says so, and Close ends the process with
 * exit code 70. The failure is handed in as the engine hands it (EmbeddedEngine's loop-failure
 * handler; LoopFailureHealthTest proves the engine calls it), and the halt is recorded rather than
 * done: a real one would end the test's JVM.
 */
class DeadLoopUiTest {
    private final FxRobot robot = new FxRobot();
    private final List<Integer> halted = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void aStuckLoop_replacesTheScreensWithWhy_andCloseEndsWithExitCode70() throws Exception {
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new StackPane(new Label("screens")), 1280, 800));
            s.show();
        });
        DeadLoop dead = new DeadLoop(stage, Path.of("/var/lib/queuedeck"), halted::add);

        dead.report(new IllegalStateException("the scheduler loop has been in one pass for 31000 ms (more than 30000 ms):"
                + " it is stuck\n\tat io.queuedeck.engine.policy.SomePolicy.next"));
        dead.report(new OutOfMemoryError("a second failure is not shown"));

        Label message = await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#dead-loop-message").tryQueryAs(Label.class)
                .orElse(null), java.util.Objects::nonNull);
        assertThat(WaitForAsyncUtils.asyncFx(message::getText).get())
                .startsWith("The scheduler stopped and nothing more can run in this window (the scheduler loop has been in one"
                        + " pass for 31000 ms (more than 30000 ms): it is stuck).")
                .contains("Every task accepted is kept in /var/lib/queuedeck and runs again at the next start.")
                .endsWith("Close ends QueueDeck with exit code 70.")
                .doesNotContain("SomePolicy", "second failure");
        assertThat(halted).isEmpty(); // the window said why: the process waits for the operator

        robot.clickOn("#dead-loop-close");

        await().atMost(Duration.ofSeconds(5)).until(() -> !halted.isEmpty());
        assertThat(halted).containsExactly(70);
    }

    @Test
    void message_inMemory_saysTheQueueIsLost_andNamesAFailureWithoutMessageByItsKind() {
        assertThat(DeadLoop.message(new StackOverflowError(), null))
                .isEqualTo("The scheduler stopped and nothing more can run in this window (StackOverflowError)."
                        + " The queue was in memory: its tasks are lost. Close ends QueueDeck with exit code 70.");
    }
}
