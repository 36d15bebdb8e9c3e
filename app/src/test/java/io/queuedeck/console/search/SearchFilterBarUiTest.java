package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import javafx.application.Application;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Search screen's filter row in the console's theme (PrimerDark: its popup list is wider than
 * the box, which is what widened a box once its list had shown), driven by the robot's real clicks
 * (Monocle), over a real engine on a virtual clock.
 */
class SearchFilterBarUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final FxRobot robot = new FxRobot();
    private Engine engine;
    private SearchViewModel model;

    @BeforeEach
    void show() throws Exception {
        engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 20; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", i % 10, null, "acme",
                    null, null, 8, null, null))).join();
        }
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        model = SearchStage.show(engine, 1265); // the screen's share of a 1440 px window
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
        engine.close();
    }

    /** Why: P7 chosen in Min P widened it, and Max P jumped onto the next row from under the pointer. */
    @Test
    void aPriorityChosenInMinP_movesNothingBesideIt() throws Exception {
        Node min = robot.lookup("#search-min-priority").query();
        Node max = robot.lookup("#search-max-priority").query();
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> min.getLayoutBounds().getWidth() > 0).get());
        Bounds minBefore = WaitForAsyncUtils.asyncFx(() -> min.localToScene(min.getLayoutBounds())).get();
        Bounds maxBefore = WaitForAsyncUtils.asyncFx(() -> max.localToScene(max.getLayoutBounds())).get();
        double widthBefore = WaitForAsyncUtils.asyncFx(() -> min.prefWidth(-1)).get();
        // as wide as its prompt too: measured by its priorities alone, it read "..."
        assertThat(WaitForAsyncUtils.asyncFx(() -> shown(min) + " | " + shown(max)).get()).isEqualTo("Min P | Max P");

        robot.clickOn(min);
        await().atMost(TIMEOUT).until(() -> ((ComboBox<?>) min).isShowing());
        robot.clickOn(robot.lookup(".list-cell").match(cell -> "P7".equals(((ListCell<?>) cell).getText())).queryAs(Node.class));
        await().atMost(TIMEOUT).until(() -> Integer.valueOf(7).equals(model.minPriorityProperty().get()));

        // the width it asks for is computed at once, with no layout pulse to wait for
        assertThat(WaitForAsyncUtils.asyncFx(() -> min.prefWidth(-1)).get()).as("Min P's width").isEqualTo(widthBefore);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(() -> min.localToScene(min.getLayoutBounds())).get()).as("Min P").isEqualTo(minBefore);
        assertThat(WaitForAsyncUtils.asyncFx(() -> max.localToScene(max.getLayoutBounds())).get()).as("Max P beside it")
                .isEqualTo(maxBefore);
        assertThat(WaitForAsyncUtils.asyncFx(() -> shown(min) + " | " + shown(max)).get()).isEqualTo("P7 | Max P");
    }

    /** The text a box shows, marked where the box is too narrow for it beside its arrow. */
    private static String shown(Node box) {
        ComboBox<?> combo = (ComboBox<?>) box;
        ListCell<?> cell = (ListCell<?>) box.lookup(".list-cell");
        String text = combo.getValue() == null ? combo.getPromptText() : cell.getText();
        javafx.scene.text.Text probe = new javafx.scene.text.Text(text);
        probe.setFont(cell.getFont());
        double needs = probe.getLayoutBounds().getWidth() + cell.snappedLeftInset() + cell.snappedRightInset()
                + ((javafx.scene.layout.Region) box.lookup(".arrow-button")).getWidth();
        return combo.getWidth() < needs - 0.5 ? "cut: " + text : text;
    }

    /**
     * At 1024 px "Export JSON" wrapped onto a row of its own under the filters: the filters take two
     * rows at every width, the text fields on the first and the choices and buttons on the second,
     * every word whole and inside the window, in either theme.
     */
    @Test
    void theFilters_takeTwoRows_theButtonsOnOne_at1024_1280And1600_inBothThemes() throws Exception {
        javafx.stage.Window window = robot.lookup("#search-run").query().getScene().getWindow();
        for (var theme : java.util.List.of(new atlantafx.base.theme.PrimerLight(), new PrimerDark())) {
            robot.interact(() -> Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
            for (double room : new double[] {1024 - 200, 1280 - 200, 1600 - 200}) { // each window less the navigation
                robot.interact(() -> window.setWidth(room));
                WaitForAsyncUtils.waitForFxEvents();
                String where = theme.getName() + " at " + (room + 200) + " px";
                Bounds search = bounds("#search-run");
                for (String id : new String[] {"#search-export-csv", "#search-export-json", "#search-state", "#search-max-priority"}) {
                    assertThat(bounds(id).getMinY()).as("%s on the row of Search, %s", id, where).isEqualTo(search.getMinY());
                }
                for (String id : new String[] {"#search-id", "#search-text", "#search-tenant", "#search-model", "#search-class"}) {
                    assertThat(bounds(id).getMaxY()).as("%s on the row above, %s", id, where).isLessThan(search.getMinY());
                }
                double sceneWidth = WaitForAsyncUtils.asyncFx(() -> window.getScene().getWidth()).get();
                assertThat(bounds("#search-export-json").getMaxX()).as("in the window, " + where).isLessThanOrEqualTo(sceneWidth);
                for (String id : new String[] {"#search-run", "#search-export-csv", "#search-export-json"}) {
                    assertThat(WaitForAsyncUtils.asyncFx(() -> {
                        javafx.scene.control.Labeled b = robot.lookup(id).queryAs(javafx.scene.control.Labeled.class);
                        return ((javafx.scene.text.Text) b.lookup(".text")).getText().equals(b.getText());
                    }).get()).as("%s whole, %s", id, where).isTrue();
                }
            }
        }
    }

    private Bounds bounds(String id) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node node = robot.lookup(id).query();
            return node.localToScene(node.getBoundsInLocal());
        }).get();
    }
}
