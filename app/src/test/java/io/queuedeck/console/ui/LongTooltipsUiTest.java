package io.queuedeck.console.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** A long tooltip, shown by hovering as an operator does (Monocle's mouse), wraps at a readable width. */
class LongTooltipsUiTest {
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    @Test
    void aLongTooltip_shownByHovering_wrapsWithinItsWidth_onSeveralLines() throws Exception {
        FxToolkit.registerPrimaryStage(); // the toolkit before any control
        Tooltip tip = WaitForAsyncUtils.asyncFx(() -> new Tooltip("Deadline of rows without one: none, or P=SECONDS,… (a task of priority P must finish"
                + " within SECONDS of simulated time); the figure Deadlines missed shows the share finished after theirs,"
                + " which is far more than a window's width on one line")).get();
        tip.setShowDelay(javafx.util.Duration.millis(50));
        FxToolkit.setupStage(stage -> {
            LongTooltips.wrapEverywhere();
            Button button = new Button("deadlines");
            button.setTooltip(tip);
            stage.setScene(new Scene(new StackPane(button), 300, 200));
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();

        robot.moveTo("deadlines");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(tip::isShowing);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(tip.isWrapText()).isTrue();
        assertThat(tip.getWidth()).as("the tooltip's window").isLessThanOrEqualTo(LongTooltips.MAX_WIDTH + 40);
        assertThat(tip.getHeight()).as("several lines").isGreaterThan(2.5 * tip.getFont().getSize());
    }
}
