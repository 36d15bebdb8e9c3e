package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.console.testing.SnapshotFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.time.Clock;
import java.time.Duration;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ScrollPane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * In a window too short for the Faults screen (it scrolls, as at 1280 x 800), a real click on
 * "Clear all" leaves the screen where it was: the button is disabled once the faults are gone, and
 * the focus it lost went to the change log below, which the scroll pane scrolled 410 px to show.
 */
class FaultsClearAllUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Engine engine;
    private static SnapshotFeed snapshots;
    private static ScrollPane scroll;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(4, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
        FaultsViewModel model = new FaultsViewModel(gateway, new FakeLoad(), new ChangeLog(Clock.systemUTC()));
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            scroll = new ScrollPane(new FaultsView(model).root());
            scroll.setFitToWidth(true);
            stage.setScene(new Scene(scroll, 1280, 560));
            stage.show();
        });
        snapshots = new SnapshotFeed(engine, model::apply);
    }

    @AfterAll
    static void close() throws Exception {
        snapshots.close();
        FxToolkit.cleanupStages();
        engine.close();
    }

    @Test
    void clearAll_clicked_theScreenDoesNotScroll() throws Exception {
        engine.send(new Command.SetInstanceOnline(2, false)).join();
        Button clearAll = robot.lookup("#faults-clear-all").queryButton();
        await().atMost(TIMEOUT).until(() -> !clearAll.isDisabled());
        double before = WaitForAsyncUtils.asyncFx(() -> scroll.getVvalue()).get();

        robot.clickOn(clearAll);

        await().atMost(TIMEOUT).until(clearAll::isDisabled);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(() -> scroll.getVvalue()).get()).isEqualTo(before);
    }
}
