package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The results' right-most columns in a real window (headless under Monocle), at the Search screen's
 * share of a 1024, 1280 and 1600 px console in both themes: at 1280 "Class" and "Waited" were
 * greyed out as if off, and a class such as "interactive" was cut in its 70 px.
 */
class SearchColumnsUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static Engine engine;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (String[] task : List.of(new String[] {"fce7d06c-1e98-4278-8301-2ab4c1f0e9d7", "acme-research", "interactive"},
                new String[] {"2663318f-c883-4203-9bd5-ff4bc8d09666", "zeta", "batch-eval"})) {
            engine.send(new Command.Submit(new TaskSpec(task[0], "llama-2-7b", "hi", 5, null, task[1], task[2], null, 8, null, null)))
                    .join();
        }
        FxToolkit.registerPrimaryStage();
        SearchStage.show(engine, 1280);
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        engine.close();
    }

    @SuppressWarnings("unchecked")
    private TableView<TaskView> table() {
        return robot.lookup("#search-results").queryAs(TableView.class);
    }

    @Test
    void everyColumnReadable_at1280And1600_inBothThemes_at1024TheTableScrollsSideways() throws Exception {
        robot.clickOn("#search-run");
        await().atMost(TIMEOUT).until(() -> table().getItems().size() == 2);
        Stage stage = (Stage) table().getScene().getWindow();
        for (var theme : List.of(new atlantafx.base.theme.PrimerDark(), new atlantafx.base.theme.PrimerLight())) {
            robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
            for (double room : new double[] {1280 - 200, 1600 - 200, 1024 - 200}) { // each window less the navigation
                robot.interact(() -> stage.setWidth(room));
                WaitForAsyncUtils.waitForFxEvents();
                WaitForAsyncUtils.waitForFxEvents(); // the widths follow the first layout at this width
                String at = theme.getName() + " at " + (room + 200) + " px";
                TableView<TaskView> t = table();
                double columns = WaitForAsyncUtils.asyncFx(() -> t.getColumns().stream().mapToDouble(c -> c.getWidth()).sum()).get();
                // every header whole at every width ("Task, oldest first" read "Task, oldest fi…" at 1024 px)
                List<String> cutHeaders = WaitForAsyncUtils.asyncFx(() -> t.getColumns().stream().map(c -> (Label) c.getGraphic())
                        .filter(l -> l.getWidth() < l.prefWidth(-1) - 0.5).map(Label::getText).toList()).get();
                assertThat(cutHeaders).as("headers cut, " + at).isEmpty();
                if (room == 1024 - 200) { // the ids keep their least width and the table scrolls sideways: said in docs/console.md
                    assertThat(columns).as(at).isGreaterThan(t.getWidth());
                    continue;
                }
                assertThat(columns).as("no sideways scrolling, " + at).isLessThanOrEqualTo(t.getWidth() - 16);
                List<String> cut = WaitForAsyncUtils.asyncFx(() -> t.lookupAll(".table-row-cell .table-cell").stream()
                        .map(TableCell.class::cast).filter(c -> c.getText() != null && !c.getText().isEmpty())
                        .filter(c -> c.getTableColumn() != t.getColumns().getFirst() || room > 1280)
                        .filter(c -> !((javafx.scene.text.Text) c.lookup(".text")).getText().equals(c.getText()))
                        .map(c -> c.getText() + " as " + ((javafx.scene.text.Text) c.lookup(".text")).getText()).toList()).get();
                assertThat(cut).as("values cut, " + at).isEmpty();
                var fills = WaitForAsyncUtils.asyncFx(() -> t.getColumns().stream()
                        .map(c -> ((Label) c.getGraphic()).getTextFill()).distinct().toList()).get();
                assertThat(fills).as("every header in the text's colour, " + at).hasSize(1);
            }
        }
    }
}
