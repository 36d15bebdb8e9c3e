package io.queuedeck.console.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.drill.LiveEngine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The Drills screen in a real window (headless under Monocle), driven by real clicks: pick a
 * drill, run it against a live engine on the real clock, watch its timeline, pull the kill switch
 * and re-arm.
 */
class DrillsViewUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static Engine engine;
    private static ScheduledExecutorService timers;
    private static ExecutorService background;
    private static FaultCatalogue faults;
    private static DrillsViewModel model;
    private static Path dir;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        background = Executors.newCachedThreadPool();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
        dir = Files.createTempDirectory("drills-ui");
        Path file = dir.resolve("long.yaml");
        Files.writeString(file, DrillsViewModelTest.LONG);
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            model = new DrillsViewModel(new LiveEngine(engine, faults, Duration.ofSeconds(30)), background, Platform::runLater,
                    dir.resolve("drills"), p -> { }, Clock.systemUTC());
            model.addFile(file);
            model.selectedProperty().set("hung-gpu"); // the robot picks the file's drill itself
            s.setScene(new Scene(new DrillsView(model).root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        background.shutdownNow();
        timers.shutdownNow();
        engine.close();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get();
    }

    private String text(String id) throws Exception {
        return fx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    /** The empty space after the last column read as a sixth column without a title. */
    @Test
    void pastRuns_columnsFillTheTable() throws Exception {
        javafx.scene.control.TableView<?> table = robot.lookup("#drill-history").queryAs(javafx.scene.control.TableView.class);
        WaitForAsyncUtils.waitForFxEvents();

        double columns = fx(() -> table.getColumns().stream().mapToDouble(javafx.scene.control.TableColumn::getWidth).sum());
        double inside = fx(() -> table.getWidth() - table.getInsets().getLeft() - table.getInsets().getRight());
        assertThat(columns).isCloseTo(inside, org.assertj.core.data.Offset.offset(2.0));
    }

    @Test
    void pickRunAbortRearm_byClicks_drivesTheLiveEngineAndTheKillSwitch() throws Exception {
        robot.clickOn("#drill-pick");
        robot.clickOn("long-slow (long.yaml)");
        assertThat(fx(model.selectedProperty()::get)).isEqualTo("long-slow (long.yaml)");
        assertThat(text("#drill-description")).contains("Hypothesis: nothing is lost");

        double openReportX = fx(() -> robot.lookup("#drill-open-report").query().localToScene(0, 0).getX());
        double timelineWidth = fx(() -> ((javafx.scene.layout.Region) robot.lookup("#drill-timeline").query().getParent()).getWidth());
        robot.clickOn("#drill-run");

        await().atMost(TIMEOUT).until(() -> !faults.active().isEmpty()); // its ten-minute slow GPU is on the live engine
        await().atMost(TIMEOUT).until(() -> fx(() -> robot.lookup("#drill-timeline").queryAs(ListView.class).getItems().size() == 1
                && !robot.lookup("#drill-lights").queryAs(javafx.scene.layout.VBox.class).getChildren().isEmpty()));
        assertThat(fx(() -> robot.lookup("#drill-run").query().isDisabled())).isTrue();
        WaitForAsyncUtils.waitForFxEvents();
        // the Timeline and Probes cards jumped in width as steps and probe readings came
        assertThat(fx(() -> ((javafx.scene.layout.Region) robot.lookup("#drill-timeline").query().getParent()).getWidth()))
                .as("the timeline's width with steps and probes shown").isEqualTo(timelineWidth);

        robot.clickOn("#drill-abort");

        await().atMost(TIMEOUT).until(() -> text("#drill-verdict").startsWith("Aborted: hypothesis was not shown to hold"));
        assertThat(faults.active()).isEmpty();
        assertThat(faults.armed()).isFalse();
        Node disarmed = fx(() -> robot.lookup("#drill-disarmed").query());
        assertThat(fx(() -> disarmed.isVisible() && disarmed.getParent().isVisible())).isTrue();
        assertThat(fx(() -> robot.lookup("#drill-run").query().isDisabled())).as("no run while disarmed").isTrue();
        assertThat(fx(() -> robot.lookup("#drill-open-report").query().isDisabled())).isFalse();
        // the verdict's arrival moved the button under the pointer, and squeezed both to "1…" and "Open r…";
        // the new text is laid out on the next pulse, so both are awaited rather than read at once
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(fx(() -> robot.lookup("#drill-open-report").query().localToScene(0, 0).getX())).isEqualTo(openReportX);
            assertThat(fx(() -> {
                javafx.scene.control.Labeled verdict = robot.lookup("#drill-verdict").queryLabeled();
                // whole: on one line where there is room, wrapped where there is not, never cut to "…"
                return verdict.getWidth() >= verdict.prefWidth(-1) - 0.5
                        || verdict.isWrapText() && verdict.getHeight() >= verdict.prefHeight(verdict.getWidth()) - 0.5;
            })).as("the verdict whole").isTrue();
        });

        robot.clickOn("#drill-rearm");

        await().atMost(TIMEOUT).until(faults::armed);
        await().atMost(TIMEOUT).until(() -> fx(() -> !disarmed.getParent().isVisible()));
        assertThat(fx(() -> robot.lookup("#drill-run").query().isDisabled())).isFalse();
        assertThat(fx(() -> model.pastRuns().size())).isEqualTo(1);
    }
}
