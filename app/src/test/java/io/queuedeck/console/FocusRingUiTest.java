package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerLight;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Paint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** An empty lane reached with Tab showed no focus at all: the ring was drawn only on a focused row. */
class FocusRingUiTest {
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    @Test
    void emptyList_reachedWithTab_itsBorderChanges() throws Exception {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet()));
        Button before = new Button("before");
        ListView<String> lane = new ListView<>();
        FxToolkit.setupStage(stage -> {
            Scene scene = new Scene(new VBox(10, before, lane), 300, 300);
            scene.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
            stage.setScene(scene);
            stage.sizeToScene();
            stage.show();
        });
        robot.interact(before::requestFocus);
        Paint unfocused = WaitForAsyncUtils.asyncFx(() -> lane.getBorder().getStrokes().getFirst().getTopStroke()).get();

        robot.type(KeyCode.TAB); // a real key: the ring is for focus reached from the keyboard only
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(lane.isFocused()).isTrue();
        assertThat(WaitForAsyncUtils.asyncFx(() -> lane.getBorder().getStrokes().getFirst().getTopStroke()).get())
                .isNotEqualTo(unfocused);
    }

    /** A flat button (a lane's "⋮" menu) has no box: its ring was drawn around the glyph alone. */
    @Test
    void flatMenuButton_reachedWithTab_getsABackground() throws Exception {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet()));
        Button before = new Button("before");
        javafx.scene.control.MenuButton menu = new javafx.scene.control.MenuButton("⋮");
        menu.getStyleClass().addAll(atlantafx.base.theme.Styles.FLAT, atlantafx.base.theme.Styles.SMALL);
        FxToolkit.setupStage(stage -> {
            Scene scene = new Scene(new VBox(10, before, menu), 300, 300);
            scene.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
            stage.setScene(scene);
            stage.sizeToScene();
            stage.show();
        });
        robot.interact(before::requestFocus);
        assertThat(WaitForAsyncUtils.asyncFx(() -> painted(menu)).get()).as("unfocused").isFalse();

        robot.type(KeyCode.TAB);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(menu.isFocused()).isTrue();
        assertThat(WaitForAsyncUtils.asyncFx(() -> painted(menu)).get()).as("focused from the keyboard").isTrue();
    }

    /** Whether {@code node} paints a background of any colour. */
    private static boolean painted(javafx.scene.layout.Region node) {
        return node.getBackground() != null && node.getBackground().getFills().stream()
                .anyMatch(f -> f.getFill() instanceof javafx.scene.paint.Color c && c.getOpacity() > 0);
    }
}
