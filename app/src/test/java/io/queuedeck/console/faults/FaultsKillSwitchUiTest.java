package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.CommandFailure;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The kill switch stops the Faults screen's buttons too: with injection disarmed, a real click on
 * the load burst starts no burst and says why; so does the poison button; once re-armed the
 * burst starts.
 */
class FaultsKillSwitchUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Engine engine;
    private static ScheduledExecutorService timers;
    private static FaultCatalogue faults;
    private static final FakeLoad load = new FakeLoad();
    private static final List<CommandFailure> refused = new CopyOnWriteArrayList<>();
    private static FaultsViewModel model;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, refused::add);
        gateway.gateFaults(faults::armed);
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            model = new FaultsViewModel(gateway, load, new ChangeLog(Clock.systemUTC()),
                    new CatalogueFaults(faults, Platform::runLater, (action, error) -> { }));
            s.setScene(new Scene(new FaultsView(model).root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        timers.shutdownNow();
        engine.close();
    }

    @Test
    void burstAndPoison_clickedWhileDisarmed_refusedUntilRearmed() throws Exception {
        faults.disarm();
        robot.interact(() -> model.apply(engine.send(new Command.TakeSnapshot()).join()));
        // said before a click: every button looked live until one was refused
        assertThat(robot.lookup("#faults-disarmed").query().isVisible()).isTrue();

        robot.clickOn("#faults-burst");

        await().atMost(TIMEOUT).until(() -> !refused.isEmpty());
        assertThat(refused.getFirst().action()).isEqualTo("load burst");
        assertThat(refused.getFirst().reason()).contains("disarmed by the kill switch");
        assertThat(load.bursting).as("no burst while disarmed").isFalse();

        robot.clickOn("#faults-poison");

        await().atMost(TIMEOUT).until(() -> refused.size() == 2);
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().submitted()).as("no poison task").isZero();

        faults.arm();
        robot.interact(() -> model.apply(engine.send(new Command.TakeSnapshot()).join()));
        assertThat(robot.lookup("#faults-disarmed").query().isVisible()).isFalse();
        robot.clickOn("#faults-burst");

        await().atMost(TIMEOUT).until(() -> load.bursting);
        assertThat(refused).hasSize(2);
    }
}
