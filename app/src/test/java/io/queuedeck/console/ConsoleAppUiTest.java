package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.hansolo.tilesfx.Tile;
import io.queuedeck.engine.EngineSnapshot;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.scene.control.ToggleButton;
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
 * The real window with the embedded engine, driven by a robot (headless under Monocle in CI).
 * One application for the whole class: starting the engine and the window costs seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAppUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    static ConsoleApp app;
    static Stage stage;
    final FxRobot robot = new FxRobot();

    @BeforeAll
    static void startApp() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp.class, "--policy", "mlfq", "--load", "0.9");
    }

    @AfterAll
    static void stopApp() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    @Order(1)
    void start_embeddedEngine_throughputTileShowsNonZero() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Tile throughput = robot.lookup("#tile-throughput").queryAs(Tile.class);
            assertThat(WaitForAsyncUtils.asyncFx(throughput::getValue).get()).isGreaterThan(0);
        });
    }

    @Test
    @Order(50)
    void pauseButton_clicked_engineStopsDispatching() {
        robot.clickOn("#header-pause");
        await().atMost(TIMEOUT).until(() -> app.system().engine().latestSnapshot().dispatchPaused());
        assertThat(robot.lookup("#header-pause").queryAs(ToggleButton.class).getText()).isNotNull();

        // while paused, running tasks only finish: none starts, so "running" never grows
        AtomicInteger lowest = new AtomicInteger(Integer.MAX_VALUE);
        int queuedAtPause = app.system().engine().latestSnapshot().queued();
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> {
            EngineSnapshot s = app.system().engine().latestSnapshot();
            int before = lowest.getAndAccumulate(s.running(), Math::min);
            return s.running() <= before;
        });
        assertThat(app.system().engine().latestSnapshot().queued()).isGreaterThanOrEqualTo(queuedAtPause);

        robot.clickOn("#header-pause");
        await().atMost(TIMEOUT).until(() -> !app.system().engine().latestSnapshot().dispatchPaused());
    }
}
