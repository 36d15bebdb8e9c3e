package io.queuedeck.console.latency;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.latency;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerDark;
import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.LatencySample;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The Latency screen alone at 1280 × 800 on a four-tier engine, its class chosen with the robot's clicks. */
class LatencyViewUiTest {
    private final FxRobot robot = new FxRobot();
    private LatencyViewModel model;
    private LatencyView view;

    @BeforeEach
    void show() throws TimeoutException {
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupFixture(() -> Application.setUserAgentStylesheet(new PrimerDark().getUserAgentStylesheet()));
        model = new LatencyViewModel(new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC)));
        FxToolkit.setupStage(s -> {
            view = new LatencyView(model);
            s.setScene(new Scene(view.root(), 1280, 800)); // the scene before show(): see JAVAFX-NOTES
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    /**
     * A write that failed was an exception on the FX thread, seen only in the log. Through the
     * handler behind the buttons: the native save dialog cannot be driven under Monocle.
     */
    @Test
    void anExportThatCannotBeWritten_saysWhy_andOneThatIs_saysWhere() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("latency-export");
        robot.interact(() -> view.save(dir, path -> java.nio.file.Files.writeString(path, "x"))); // a directory: not a file

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> note().startsWith("Not saved: " + dir));

        java.nio.file.Path file = dir.resolve("p1.csv");
        robot.interact(() -> view.save(file, path -> java.nio.file.Files.writeString(path, "x")));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> note().equals("Saved " + file));
        assertThat(java.nio.file.Files.readString(file)).isEqualTo("x");
    }

    private String note() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#latency-export-note").queryAs(javafx.scene.control.Label.class).getText()).get();
    }

    @Test
    void fourTierEngine_theClassSelectorNamesItsTiers_andChoosingP0ShowsOnlyP0() {
        Map<Tier, TierMode> modes = new LinkedHashMap<>();
        String[][] table = {{"urgent", "0", "0"}, {"core", "1", "2"}, {"normal", "3", "6"}, {"batch", "7", "9"}};
        for (int i = 0; i < table.length; i++) {
            modes.put(new Tier(table[i][0], i, Integer.parseInt(table[i][1]), Integer.parseInt(table[i][2])), TierMode.ACTIVE);
        }
        // a second in which only P5 tasks finished
        List<LatencySummary> byPriority = new ArrayList<>(Collections.nCopies(10, LatencySummary.EMPTY));
        byPriority.set(5, latency(3, 400, 4000));
        robot.interact(() -> {
            model.apply(snapshot().tierModes(modes).build());
            model.addSamples(List.of(new LatencySample(T0, latency(3, 400, 4000), byPriority)));
        });
        assertThat(view.e2eChart.getData().getFirst().getData()).hasSize(1);

        robot.clickOn("#latency-class");
        ListCell<?> p0 = robot.lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> "P0 · urgent".equals(c.getText())).findFirst().orElseThrow();
        assertThat(robot.lookup(".list-cell").queryAllAs(ListCell.class).stream().map(ListCell::getText))
                .contains("P1 · core", "P3 · normal", "P7 · batch");
        robot.clickOn(p0);
        WaitForAsyncUtils.waitForFxEvents();

        ComboBox<?> box = robot.lookup("#latency-class").queryAs(ComboBox.class);
        assertThat(box.getValue()).isEqualTo(LatencyClass.of(0));
        assertThat(view.e2eChart.getTitle()).endsWith("P0 · urgent");
        assertThat(view.e2eChart.getData()).allSatisfy(series -> assertThat(series.getData()).isEmpty());
    }

    /** Picks the class shown as {@code text} in the selector with the robot's clicks. */
    private void pick(String text) {
        robot.clickOn("#latency-class");
        ListCell<?> cell = robot.lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> text.equals(c.getText()) && c.isVisible()).findFirst().orElseThrow();
        robot.clickOn(cell);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The path elements the e2e chart draws now, over all its series (what the operator sees). */
    private int drawnElements() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            view.e2eChart.layout();
            return view.e2eChart.getData().stream().mapToInt(s -> ((javafx.scene.shape.Path) s.getNode()).getElements().size()).sum();
        }).get();
    }

    /** Seconds in which only P1 tasks finished. */
    private void p1Seconds(int from, int count) {
        robot.interact(() -> {
            for (int second = from; second < from + count; second++) {
                List<LatencySummary> byPriority = new ArrayList<>(Collections.nCopies(10, LatencySummary.EMPTY));
                byPriority.set(1, latency(5, 300, 900));
                model.addSamples(List.of(new LatencySample(T0.plusSeconds(second), latency(5, 300, 900), byPriority)));
            }
        });
    }

    @Test
    void aClassWithNoFinishedTask_pickedAfterOneWithLines_drawsNoLine_beforeOrAfterTheNextSecond() throws Exception {
        p1Seconds(0, 20);
        pick("P1 · core");
        assertThat(drawnElements()).as("P1 has 20 seconds of points").isGreaterThan(0);

        pick("P7 · batch"); // nothing of P7 has finished
        assertThat(view.e2eChart.getData()).allSatisfy(series -> assertThat(series.getData()).isEmpty());
        assertThat(drawnElements()).as("lines drawn for P7 right after the pick").isZero();
        p1Seconds(20, 3); // more P1 seconds arrive while P7 is shown
        assertThat(drawnElements()).as("lines drawn for P7 after three more seconds").isZero();

        pick("P1 · core");
        assertThat(drawnElements()).isGreaterThan(0);
    }

    /** A minute in which nothing finished was drawn as one straight fall from before it to after it. */
    @Test
    void aMinuteWithoutAFinishedTask_breaksTheLines() throws Exception {
        p1Seconds(0, 5);
        p1Seconds(70, 5);

        List<List<String>> kinds = WaitForAsyncUtils.asyncFx(() -> {
            view.e2eChart.layout();
            return view.e2eChart.getData().stream().map(series -> ((javafx.scene.shape.Path) series.getNode()).getElements()
                    .stream().map(e -> e.getClass().getSimpleName()).toList()).toList();
        }).get();
        // one line for the first five seconds, a move across the gap, one line for the last five
        assertThat(kinds).allSatisfy(elements -> assertThat(elements.subList(elements.size() - 5, elements.size()))
                .containsExactly("MoveTo", "LineTo", "LineTo", "LineTo", "LineTo"));
        assertThat(kinds).allSatisfy(elements -> assertThat(elements.subList(0, elements.size() - 5)).containsOnlyOnce("MoveTo"));
    }

    /** The screen's keys as docs/console.md gives them: Alt+C the class, Alt+W the window. */
    @Test
    void altC_focusesTheClassSelector_andAltW_theWindow() {
        robot.press(javafx.scene.input.KeyCode.ALT, javafx.scene.input.KeyCode.C)
                .release(javafx.scene.input.KeyCode.C, javafx.scene.input.KeyCode.ALT);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#latency-class").query().isFocused()).isTrue();

        robot.press(javafx.scene.input.KeyCode.ALT, javafx.scene.input.KeyCode.W)
                .release(javafx.scene.input.KeyCode.W, javafx.scene.input.KeyCode.ALT);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#latency-window").query().isFocused()).isTrue();
    }
}
