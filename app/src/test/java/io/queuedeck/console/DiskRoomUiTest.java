package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A data directory on a disk with less room than {@code store.min_free_mb} (a floor of a million
 * MiB, more than the disk has): the status line says so, as the API's {@code /readyz} does
 * (decision 0119). Read from the label, not clicked: there is nothing to press.
 */
class DiskRoomUiTest {
    static ConsoleApp app;
    static Stage stage;
    final FxRobot robot = new FxRobot();

    @BeforeAll
    static void startApp() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        Path dir = Files.createTempDirectory("queuedeck-disk-room");
        Path config = Files.writeString(dir.resolve("queuedeck.yaml"), "store:\n  min_free_mb: 1000000\n");
        app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp.class, "--no-api", "--load", "0", "--config", config.toString(),
                "--data-dir", dir.resolve("data").toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> app.system() != null && new FxRobot().lookup("#status").tryQuery().isPresent());
    }

    @AfterAll
    static void stopApp() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void aDiskUnderItsFloor_isSaidOnTheStatusLine_rightAfterWhenItWasUpdated() {
        String status = await().atMost(Duration.ofSeconds(30)).until(
                () -> WaitForAsyncUtils.asyncFx(() -> robot.lookup("#status").queryLabeled().getText()).get(),
                text -> text.contains("DISK LOW"));
        assertThat(status).matches("Updated \\S+ · DISK LOW: [\\d,]+ MiB free, under store.min_free_mb \\(1,000,000 MiB\\) · .*");
    }
}
