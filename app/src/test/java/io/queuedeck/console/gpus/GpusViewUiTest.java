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

    /**
     * In a 1024 px window a card 432 px wide left one column and 350 px empty beside it: the cards share
     * the width, two abreast there, and at 1024, 1280 and 1600 px, in either theme, no word on a card is
     * cut (the four buttons take two rows where one does not hold them).
     */
    @Test
    void cardsShareTheWidth_twoAbreastAt1024_everyWordWhole_inBothThemes() throws Exception {
        await().atMost(TIMEOUT).until(() -> robot.lookup("#gpu-card-1").tryQuery().isPresent());
        javafx.stage.Window window = robot.lookup("#gpu-card-0").query().getScene().getWindow();
        double width = window.getWidth();
        try {
            for (var theme : java.util.List.of(new atlantafx.base.theme.PrimerLight(), new atlantafx.base.theme.PrimerDark())) {
                robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
                for (double room : new double[] {1024 - 200, 1280 - 200, 1600 - 200}) { // each window less the navigation
                    robot.interact(() -> window.setWidth(room));
                    WaitForAsyncUtils.waitForFxEvents();
                    String where = theme.getName() + " at " + (room + 200) + " px";
                    Bounds first = bounds("#gpu-card-0");
                    Bounds second = bounds("#gpu-card-1");
                    assertThat(second.getMinY()).as("the second card beside the first, " + where).isEqualTo(first.getMinY());
                    double sceneWidth = WaitForAsyncUtils.asyncFx(() -> window.getScene().getWidth()).get();
                    assertThat(second.getMaxX()).as("in the window, " + where).isLessThanOrEqualTo(sceneWidth);
                    assertThat(WaitForAsyncUtils.asyncFx(GpusViewUiTest::cutWords).get()).as(where).isEmpty();
                }
            }
        } finally {
            robot.interact(() -> {
                javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet());
                window.setWidth(width);
            });
        }
    }

    /** What a card shows cut (an ellipsis, a line dropped) or outside the card: each as the text it should read. */
    private static java.util.List<String> cutWords() {
        java.util.List<String> cut = new java.util.ArrayList<>();
        for (Node card : new FxRobot().lookup(".gpu-card").queryAll()) {
            Bounds inCard = card.localToScene(card.getBoundsInLocal());
            for (Node node : card.lookupAll("*")) {
                if (node instanceof javafx.scene.control.Labeled labeled && labeled.getText() != null && !labeled.getText().isBlank()
                        && shown(labeled, card) && labeled.lookup(".text") instanceof javafx.scene.text.Text drawn) {
                    Bounds b = labeled.localToScene(labeled.getBoundsInLocal());
                    if (!drawn.getText().equals(labeled.getText()) || b.getMaxX() > inCard.getMaxX() + 0.5) {
                        cut.add(labeled.getText() + " drawn as '" + drawn.getText() + "'");
                    }
                }
            }
        }
        return cut;
    }

    private static boolean shown(Node node, Node within) {
        for (Node n = node; n != null && n != within.getParent(); n = n.getParent()) {
            if (!n.isVisible() || !n.isManaged()) {
                return false;
            }
        }
        return true;
    }

    private Bounds bounds(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node node = robot.lookup(id).query();
            return node.localToScene(node.getBoundsInLocal());
        }).get();
    }
}
