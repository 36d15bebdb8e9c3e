package io.queuedeck.console.widgets;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.GpuCommands;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.exec.InstanceState;
import java.time.Clock;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The buttons keep their place when a GPU goes offline and its last button turns from "Take
 * offline" to "Bring online": on the Faults screen they are aligned to the right, so a wider or
 * narrower last button moved Crash and Slow under the operator's pointer. The text follows the
 * engine's snapshot, not the click, so the test applies the rows as the snapshot does.
 */
class GpuActionsUiTest {
    private static GpuActions actions;

    @BeforeAll
    static void show() throws Exception {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            actions = new GpuActions(new GpuCommands(new RecordingCommands(), new ChangeLog(Clock.systemUTC())), 1, "t");
            Region spacer = new Region();
            HBox.setHgrow(spacer, Priority.ALWAYS);
            Scene scene = new Scene(new HBox(10, new Label("GPU 1"), spacer, actions), 900, 80);
            javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet());
            scene.getStylesheets().add(GpuActionsUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void offlineAndBack_crashAndSlowStayPut() throws Exception {
        Bounds up = boundsAfter(row(InstanceState.UP, false), "#t-gpu-1-crash");
        Bounds slowUp = boundsAfter(row(InstanceState.UP, false), "#t-gpu-1-slow");

        Bounds offline = boundsAfter(row(InstanceState.OFFLINE, false), "#t-gpu-1-crash");
        Bounds slowOffline = boundsAfter(row(InstanceState.OFFLINE, false), "#t-gpu-1-slow");

        assertThat(text("#t-gpu-1-offline")).isEqualTo("Bring online");
        // it looked like a drain of running work, on a GPU that runs nothing
        assertThat(WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.control.Labeled) actions.getScene().lookup("#t-gpu-1-drain"))
                .getTooltip().getText()).get()).isEqualTo("Drain GPU 1: brought online, it then takes no new work until the drain ends");
        assertThat(offline).isEqualTo(up);
        assertThat(slowOffline).isEqualTo(slowUp);
    }

    @Test
    void backendDrainedAndBack_offlineButtonStaysPut() throws Exception {
        GpuRow serving = new GpuRow(1, "m", InstanceState.UP, 0, 8, 0, 100, 1.0, false,
                new io.queuedeck.engine.exec.BackendLoad("http://127.0.0.1:9", 0, 8, 0, null, null, null, null, null));
        Bounds before = boundsAfter(serving, "#t-gpu-1-drain");
        Bounds drained = boundsAfter(new GpuRow(1, "m", InstanceState.UP, 0, 8, 0, 100, 1.0, true, serving.backend()),
                "#t-gpu-1-drain");

        assertThat(text("#t-gpu-1-drain")).isEqualTo("End drain");
        assertThat(drained).isEqualTo(before);
    }

    @Test
    void drainServer_saysWhatTheServerDoes_notWhatThisModelDoes() throws Exception {
        var server = new io.queuedeck.engine.exec.BackendLoad("http://127.0.0.1:9", 0, 8, 0, null, null, null, null, null);
        boundsAfter(new GpuRow(1, "m", InstanceState.UP, 0, 8, 0, 100, 1.0, true, server, false), "#t-gpu-1-drain");
        assertThat(text("#t-gpu-1-drain")).isEqualTo("End drain");
        assertThat(text("#t-gpu-1-drain-server")).as("another model of the server still serves").isEqualTo("Drain server");

        boundsAfter(new GpuRow(1, "m", InstanceState.UP, 0, 8, 0, 100, 1.0, true, server, true), "#t-gpu-1-drain");
        assertThat(text("#t-gpu-1-drain-server")).isEqualTo("End server drain");
    }

    /**
     * Only text fields and combo boxes showed where the keyboard was: a button reached with real Tab
     * presses shows a ring (the console's stylesheet), one clicked with the mouse none.
     */
    @Test
    void tabOntoAButton_showsAFocusRing_aClickNone() throws Exception {
        boundsAfter(row(InstanceState.UP, false), "#t-gpu-1-crash");
        javafx.scene.control.Button crash = (javafx.scene.control.Button) actions.getScene().lookup("#t-gpu-1-crash");
        javafx.scene.control.Button drain = (javafx.scene.control.Button) actions.getScene().lookup("#t-gpu-1-drain");
        FxRobot robot = new FxRobot();
        robot.interact(() -> actions.getScene().getWindow().requestFocus());
        robot.interact(crash::requestFocus); // as a click gives it: no ring
        assertThat(WaitForAsyncUtils.asyncFx(crash::getEffect).get()).isNull();

        robot.push(javafx.scene.input.KeyCode.TAB); // Slow ×N
        robot.push(javafx.scene.input.KeyCode.TAB); // Drain
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(WaitForAsyncUtils.asyncFx(() -> actions.getScene().getFocusOwner()).get()).isSameAs(drain);
        assertThat(WaitForAsyncUtils.asyncFx(drain::getEffect).get()).isInstanceOf(javafx.scene.effect.DropShadow.class);
    }

    @Test
    void simulatedGpu_offersDrainBesideCrashAndSlow_andItsTextFollowsTheSnapshot() throws Exception {
        boundsAfter(row(InstanceState.UP, false), "#t-gpu-1-drain");
        assertThat(visible("#t-gpu-1-drain")).isTrue();
        assertThat(visible("#t-gpu-1-crash")).isTrue();
        assertThat(visible("#t-gpu-1-drain-server")).as("a simulated GPU is no server of several models").isFalse();
        assertThat(text("#t-gpu-1-drain")).isEqualTo("Drain");

        boundsAfter(row(InstanceState.UP, true), "#t-gpu-1-drain");
        assertThat(text("#t-gpu-1-drain")).isEqualTo("End drain");
    }

    private static boolean visible(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> actions.getScene().lookup(id).isVisible()).get();
    }

    private static GpuRow row(InstanceState state, boolean draining) {
        return new GpuRow(1, "m", state, 0, 8, 0, 100, 1.0, draining, null);
    }

    private static Bounds boundsAfter(GpuRow row, String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            actions.update(row);
            actions.getScene().getRoot().applyCss();
            actions.getScene().getRoot().layout();
            Node node = actions.getScene().lookup(id);
            return node.localToScene(node.getBoundsInLocal());
        }).get();
    }

    private static String text(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.control.Labeled) actions.getScene().lookup(id)).getText()).get();
    }
}
