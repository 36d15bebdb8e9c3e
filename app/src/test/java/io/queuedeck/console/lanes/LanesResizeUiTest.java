package io.queuedeck.console.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.console.testing.RecordingCommands;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Lanes screen taken out of the window and put back, as the console does when the operator
 * opens another screen and comes back, with the window resized in between (headless under Monocle;
 * the window is resized through the stage, which is what a window manager's resize does to it).
 */
class LanesResizeUiTest {
    private final FxRobot robot = new FxRobot();
    private StackPane content;
    private Label otherScreen;
    private Parent lanes;
    private Stage stage;

    @BeforeEach
    void show() throws TimeoutException {
        stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        FxToolkit.setupStage(s -> {
            // controls are made once the toolkit runs
            lanes = new LanesView(new LanesViewModel(new RecordingCommands())).root();
            content = new StackPane(lanes);
            otherScreen = new Label("another screen");
            s.setScene(new Scene(content, 800, 700)); // narrower than the lanes' minimum: they scroll sideways
            s.setMinWidth(0);
            s.setMinHeight(0);
            s.setX(0); // on Monocle's screen however wide: a window past its edge fails to paint
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    /**
     * Widened on another screen, the lanes came back at their old narrow width: the grid kept its
     * minimum and the right third of the window stayed empty until the window was resized again.
     */
    @Test
    void widenedWhileAnotherScreenShows_theLanesFillTheWindowWhenShownAgain() {
        ScrollPane scroller = robot.lookup("#lanes-scroller").queryAs(ScrollPane.class);
        Node grid = robot.lookup("#lanes-grid").query();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(scroller.isFitToWidth()).as("too narrow for the lanes: they scroll sideways").isFalse());

        robot.interact(() -> content.getChildren().setAll(otherScreen));
        robot.interact(() -> stage.setWidth(1500));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> content.getChildren().setAll(lanes));

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Bounds viewport = scroller.getViewportBounds();
            assertThat(grid.getLayoutBounds().getWidth()).as("the grid's width in a %.0f px viewport (fit %s, min %.0f)", viewport.getWidth(), scroller.isFitToWidth(), grid.minWidth(-1))
                    .isGreaterThanOrEqualTo(viewport.getWidth() - 1);
        });
    }

    /** And the other way: narrowed on another screen, the lanes keep their minimum and scroll. */
    @Test
    void narrowedWhileAnotherScreenShows_theLanesKeepTheirMinimum_andScroll() {
        robot.interact(() -> stage.setWidth(1500));
        ScrollPane scroller = robot.lookup("#lanes-scroller").queryAs(ScrollPane.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scroller.isFitToWidth()).isTrue());

        robot.interact(() -> content.getChildren().setAll(otherScreen));
        robot.interact(() -> stage.setWidth(800));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> content.getChildren().setAll(lanes));

        Node grid = robot.lookup("#lanes-grid").query();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(scroller.isFitToWidth()).isFalse();
            assertThat(grid.getLayoutBounds().getWidth()).isGreaterThanOrEqualTo(grid.minWidth(-1));
        });
    }
}
