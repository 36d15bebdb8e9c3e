package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.engine.Engine;
import java.time.Clock;
import java.util.List;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.TableCell;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The change log in a real window (headless under Monocle) at the Faults screen's share of a 1024,
 * 1280 and 1600 px console, in both themes: at 1280 px a drag's entry read
 * "task.reprioritize df2be012-4065-4765-a150-46113409b0a…", without where the task went.
 */
class FaultsLogUiTest {
    private static final String MOVED = "task.reprioritize df2be012-4065-4765-a150-46113409b0a9 to P6";
    private static Engine engine;
    private static ChangeLog log;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder().build();
        engine.start();
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
        log = new ChangeLog(Clock.systemUTC());
        FaultsViewModel model = new FaultsViewModel(gateway, new FakeLoad(), log);
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            stage.setScene(new Scene(new FaultsView(model).root(), 1080, 800)); // the scene before show(): see JAVAFX-NOTES
            stage.setMinWidth(0);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        engine.close();
    }

    @Test
    void aLongEntry_wrapsWhole_inBothThemes_at1024_1280And1600() throws Exception {
        robot.interact(() -> {
            log.record(ChangeLog.Kind.OPERATOR, MOVED);
            log.record(ChangeLog.Kind.FAULT, "GPU 2 crashed");
        });
        Stage stage = (Stage) robot.lookup("#faults-log").query().getScene().getWindow();
        for (var theme : List.of(new atlantafx.base.theme.PrimerDark(), new atlantafx.base.theme.PrimerLight())) {
            robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
            for (double room : new double[] {1024 - 200, 1280 - 200, 1600 - 200}) {
                robot.interact(() -> stage.setWidth(room));
                WaitForAsyncUtils.waitForFxEvents();
                String at = theme.getName() + " at " + (room + 200) + " px";
                var shown = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#faults-log .table-row-cell .table-cell")
                        .queryAllAs(TableCell.class).stream().filter(c -> MOVED.equals(c.getItem())).findFirst().orElseThrow()).get();
                List<String> words = WaitForAsyncUtils.asyncFx(() -> shown.lookupAll(".text").stream()
                        .map(n -> ((Text) n).getText()).filter(t -> !t.isEmpty()).toList()).get();
                assertThat(words).as(at).containsExactly(MOVED);
                double inside = WaitForAsyncUtils.asyncFx(() -> {
                    Text text = (Text) shown.lookupAll(".text").stream().filter(n -> !((Text) n).getText().isEmpty()).findFirst().orElseThrow();
                    return shown.getHeight() - text.getLayoutBounds().getHeight();
                }).get();
                assertThat(inside).as("every line of it in its row, " + at).isGreaterThanOrEqualTo(0);
            }
        }
    }
}
