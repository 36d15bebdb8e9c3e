package io.queuedeck.console.gpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.SnapshotFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.time.Clock;
import java.time.Duration;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** Why: with a long model name a card read "Backen…" and its state "d…" at 1280 × 800. */
class GpusLongModelUiTest {
    private static final String LONG = "neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8-dynamic";
    private final FxRobot robot = new FxRobot();
    private Engine engine;
    private SnapshotFeed snapshots;

    @AfterEach
    void close() throws Exception {
        if (snapshots != null) {
            snapshots.close();
        }
        FxToolkit.cleanupStages();
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aLongModelName_givesWay_theCardsNameAndStateKeepTheirWholeText() throws Exception {
        engine = Engine.builder().executor(new SimulatedGpuExecutor(4, LONG, GpuProfile.LLAMA2_7B_H100)).build();
        engine.start();
        GpusViewModel model = new GpusViewModel(new EngineGateway(engine, Platform::runLater, failure -> { }),
                new ChangeLog(Clock.systemUTC()));
        model.setActive(true);
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()));
        FxToolkit.setupStage(stage -> {
            Scene scene = new Scene(new GpusView(model).root(), 1030, 650); // the room beside the sidebar at 1280 × 800
            scene.getStylesheets().add(GpusLongModelUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        snapshots = new SnapshotFeed(engine, model::apply);
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#gpu-0-state").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();

        for (String id : new String[] {"#gpu-0-state", "#gpu-3-state"}) {
            Label state = robot.lookup(id).queryAs(Label.class);
            assertThat(WaitForAsyncUtils.asyncFx(() -> state.getWidth() >= state.prefWidth(-1) - 0.5).get()).as(id).isTrue();
        }
        Label title = (Label) robot.lookup(".gpu-title").queryAll().iterator().next();
        assertThat(WaitForAsyncUtils.asyncFx(() -> title.getWidth() >= title.prefWidth(-1) - 0.5).get()).isTrue();
        Label name = (Label) robot.lookup(".gpu-model").queryAll().iterator().next();
        assertThat(WaitForAsyncUtils.asyncFx(() -> name.getTooltip().getText()).get()).isEqualTo(LONG);
    }
}
