package io.queuedeck.console.gpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.SnapshotFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Clock;
import java.time.Duration;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A GPU card's buttons keep their place when the GPU empties: its "running:" text took two lines
 * while it ran more than four tasks and one once it was taken offline, and the buttons moved up 18
 * px under the pointer that had just clicked "Take offline" (a real click here too).
 */
class GpusViewUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Engine engine;
    private static SnapshotFeed snapshots;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        // long tasks with ids as the engine gives them: each GPU runs more than four for the whole test
        for (int i = 0; i < 64; i++) {
            engine.send(new Command.Submit(new TaskSpec(java.util.UUID.randomUUID().toString(), Engine.Builder.DEFAULT_MODEL, "",
                    5, null, null, null, null, 4_000, 128, null), 4_000)).join();
        }
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
        GpusViewModel model = new GpusViewModel(gateway, new ChangeLog(Clock.systemUTC()));
        model.setActive(true);
        FxToolkit.registerPrimaryStage();
        // the console's theme and fonts: they decide where the "running:" text wraps
        FxToolkit.setupFixture(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()));
        FxToolkit.setupStage(stage -> {
            Scene scene = new Scene(new GpusView(model).root(), 1280, 800);
            scene.getStylesheets().add(GpusViewUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            stage.setScene(scene);
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
    void takeOfflineClicked_theCardsButtonsStayWhereTheyWere() throws Exception {
        await().atMost(TIMEOUT).until(() -> robot.lookup("#gpu-1-tasks").tryQuery().isPresent()); // the first snapshot's cards
        Label tasks = robot.lookup("#gpu-1-tasks").queryAs(Label.class);
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(tasks::getText).get().contains("more"));
        Bounds before = bounds("#gpus-gpu-1-crash");

        robot.clickOn("#gpus-gpu-1-offline");

        Button offline = robot.lookup("#gpus-gpu-1-offline").queryButton();
        await().atMost(TIMEOUT).until(() -> "Bring online".equals(WaitForAsyncUtils.asyncFx(offline::getText).get()));
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(tasks::getText).get().startsWith("running: none"));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(bounds("#gpus-gpu-1-crash")).isEqualTo(before);
        // it stayed enabled: a click logged "crash injected" and nothing happened
        assertThat(WaitForAsyncUtils.asyncFx(() -> robot.lookup("#gpus-gpu-1-crash").query().isDisabled()).get()).isTrue();
    }

    /**
     * Crash goes off while its GPU is down. Pressed from the keyboard, it handed the focus to the
     * Slow ×N menu beside it, whose arrow keys slow the GPU: the focus stays on Crash, which does
     * nothing while off, and it is disabled for real once the focus moves on.
     */
    @Test
    void crashPressedFromTheKeyboard_keepsTheFocus_whileItsGpuIsDown() throws Exception {
        await().atMost(TIMEOUT).until(() -> robot.lookup("#gpus-gpu-0-crash").tryQuery().isPresent());
        Button crash = robot.lookup("#gpus-gpu-0-crash").queryButton();
        // the focus is put on it directly: the tab order from the window's start runs through every card
        robot.interact(crash::requestFocus);
        robot.type(javafx.scene.input.KeyCode.SPACE);

        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> io.queuedeck.console.widgets.OffKeepingFocus.isOff(crash)).get());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(crash::isFocused).get()).as("the focus stays on Crash").isTrue();
        assertThat(WaitForAsyncUtils.asyncFx(() -> crash.getScene().getFocusOwner()).get()).isSameAs(crash);

        robot.type(javafx.scene.input.KeyCode.TAB);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(() -> crash.isDisabled() || !io.queuedeck.console.widgets.OffKeepingFocus.isOff(crash)).get())
                .as("off for real once the focus left it (or on again, its GPU back)").isTrue();
    }

    private Bounds bounds(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node node = robot.lookup(id).query();
            return node.localToScene(node.getBoundsInLocal());
        }).get();
    }
}
