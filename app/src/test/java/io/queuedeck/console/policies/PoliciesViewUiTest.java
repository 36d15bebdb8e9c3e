package io.queuedeck.console.policies;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.console.testing.RecordingCommands;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The Policy and load screen alone in a 1280 × 800 window, driven by the robot's real clicks and keys (Monocle). */
class PoliciesViewUiTest {
    private final FxRobot robot = new FxRobot();

    @BeforeEach
    void show() throws TimeoutException {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        PoliciesViewModel model = new PoliciesViewModel(new RecordingCommands(), new FakeLoad());
        FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new PoliciesView(model).root(), 1280, 800)); // the scene before show(): see JAVAFX-NOTES
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    /** A long refusal stood in the trace row and squeezed its label, picker and buttons to "…", for good. */
    @Test
    void aRefusedTrace_saysWhy_belowTheRow_whoseControlsKeepTheirText() {
        robot.doubleClickOn("#policies-trace").eraseText(5).write("/no/such/dir/" + "a-rather-long-trace-name-".repeat(3) + ".csv");
        robot.clickOn("#policies-replay");
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#policies-replay-status").queryLabeled().getText()).startsWith("no trace /no/such/dir/");
        for (String id : new String[] {"#policies-browse", "#policies-replay"}) {
            Labeled button = robot.lookup(id).queryLabeled();
            assertThat(button.getWidth()).as(id).isGreaterThanOrEqualTo(button.prefWidth(-1) - 0.5);
        }
        robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
    }
}
