package io.queuedeck.console.ui;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.Scene;
import javafx.scene.layout.Pane;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A notice replaced while it shows by a longer one ("Alerts changed") stays above the status line:
 * placed by the height of the text it held before, it ran past the window's bottom. Through the
 * notice's own show (no input event raises it: alerts come from the engine's snapshots).
 */
class AlertNoticeUiTest {
    private static Stage stage;
    private static AlertNotice notice;

    @BeforeAll
    static void show() throws Exception {
        FxToolkit.registerPrimaryStage();
        stage = FxToolkit.setupStage(s -> {
            s.setScene(new Scene(new Pane(), 800, 600));
            s.getScene().getStylesheets().add(AlertNoticeUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            s.show();
            notice = new AlertNotice(s, Duration.seconds(60));
        });
    }

    @AfterAll
    static void close() throws Exception {
        WaitForAsyncUtils.asyncFx(notice::hide).get();
        FxToolkit.cleanupStages();
    }

    @Test
    void replacedByALongerText_staysAboveTheStatusLine() throws Exception {
        double windowBottom = WaitForAsyncUtils.asyncFx(() -> stage.getY() + stage.getScene().getY() + stage.getScene().getHeight()).get();

        WaitForAsyncUtils.asyncFx(() -> notice.show("GPU 0 is offline", "Short.", true)).get();
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.asyncFx(() -> notice.show("GPU 1 is offline", "Another.", true)).get(); // becomes "Alerts changed"
        WaitForAsyncUtils.waitForFxEvents();

        double bottom = WaitForAsyncUtils.asyncFx(notice::bottom).get();
        assertThat(bottom).isLessThanOrEqualTo(windowBottom - AlertNotice.ABOVE_THE_STATUS_LINE + 0.5);
    }
}
