package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A fault in the change log shows on every Overview sparkline, labelled, with the entry as tooltip. */
class OverviewMarkersUiTest {
    private static final ChangeLog changes = new ChangeLog(Clock.systemUTC());
    private static OverviewView view;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            view = new OverviewView(new OverviewViewModel(), changes.entries());
            s.setScene(new Scene(view.root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void faultRecorded_markedOnEverySparkline_withLabelAndTooltip() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > 0);
        // figures as a loaded console shows them: TilesFX draws its axis numbers only for a line that moves
        WaitForAsyncUtils.asyncFx(() -> {
            for (eu.hansolo.tilesfx.Tile tile : List.of(view.throughput, view.tokens, view.p50, view.p99, view.ttft, view.oldest)) {
                for (double value : new double[] {1_200, 3_400, 800}) {
                    SparkRange.show(tile, value);
                }
            }
        }).get();
        WaitForAsyncUtils.asyncFx(() -> changes.record(ChangeLog.Kind.FAULT, "fault f-7: slow factor=4 on instance:1")).get();

        // drawn once a point newer than the fault has been sampled
        await().atMost(Duration.ofSeconds(30)).until(() -> !WaitForAsyncUtils.asyncFx(view::sparkMarkers).get().isEmpty());
        // a second ago in a two-minute window: at the right edge, though the screen has sampled only a few seconds
        // (it was placed between the first and the last sample taken, mid-tile, while the line spans the window)
        assertThat(WaitForAsyncUtils.asyncFx(view::sparkMarkers).get().getFirst().fraction()).isGreaterThan(0.95);

        Set<Label> labels = WaitForAsyncUtils.asyncFx(() -> robot.lookup("." + SparkMarkers.LABEL_CLASS).queryAllAs(Label.class)).get();
        assertThat(labels).hasSize(6); // throughput, tokens, p50, p99, TTFT, oldest waiting
        assertThat(labels).allSatisfy(label -> {
            assertThat(label.getText()).isEqualTo("slow factor…");
            assertThat(label.getTooltip().getText()).isEqualTo("fault f-7: slow factor=4 on instance:1");
            assertThat(label.getStyleClass()).contains("marker-fault");
        });
        // a second ago: at the right edge, where TilesFX draws the axis numbers; the label was drawn over them
        for (Label label : labels) {
            List<String> covered = WaitForAsyncUtils.asyncFx(() -> {
                javafx.scene.Node tile = ((javafx.scene.layout.StackPane) label.getParent().getParent()).getChildren().getFirst();
                javafx.geometry.Bounds mine = label.localToScene(label.getBoundsInLocal());
                return tile.lookupAll("*").stream() // the tile's own text: axis numbers, high and low
                        .filter(n -> n instanceof javafx.scene.text.Text t && n.isVisible() && !t.getText().isBlank()
                                && !javafx.scene.paint.Color.TRANSPARENT.equals(t.getFill())
                                && n.localToScene(n.getBoundsInLocal()).intersects(mine))
                        .map(n -> ((javafx.scene.text.Text) n).getText()).toList();
            }).get();
            assertThat(covered).as("the tile's figures under '%s'", label.getText()).isEmpty();
        }
    }

    /** In seconds, waits under 0.1 s read "0.0" at every axis line: TilesFX writes the axis with one decimal at most. */
    @Test
    void oldestWaiting_underATenthOfASecond_itsAxisNumbersDiffer() throws Exception {
        assertThat(view.oldest.getUnit()).isEqualTo("ms");
        List<String> numbers = WaitForAsyncUtils.asyncFx(() -> {
            double[] waits = {20, 45, 80, 35};
            for (int i = 0; i < OverviewView.SPARK_POINTS; i++) { // a whole window of them: the other tests' figures gone
                SparkRange.show(view.oldest, waits[i % waits.length]);
            }
            return view.oldest.lookupAll("Text").stream().map(javafx.scene.text.Text.class::cast)
                    .filter(t -> !javafx.scene.paint.Color.TRANSPARENT.equals(t.getFill()) && t.getText().matches("[0-9.]+"))
                    .map(javafx.scene.text.Text::getText).toList();
        }).get();
        assertThat(numbers).contains("20", "40", "60", "80");
    }

    /** Three faults at one moment: stacked in two rows, the third label was hidden and three lines drawn over each other. */
    @Test
    void closeFaults_areOneMarker_whoseTooltipListsEach() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > 0);
        WaitForAsyncUtils.asyncFx(() -> {
            changes.record(ChangeLog.Kind.FAULT, "fault f-8: crash on instance:2");
            changes.record(ChangeLog.Kind.FAULT, "fault f-9: oom on instance:2");
            changes.record(ChangeLog.Kind.FAULT, "fault f-10: hang on instance:3");
        }).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> view.sparkMarkers().stream()
                .anyMatch(m -> m.tooltip().contains("f-10"))).get());

        Set<Label> labels = WaitForAsyncUtils.asyncFx(() -> robot.lookup("." + SparkMarkers.LABEL_CLASS).queryAllAs(Label.class)).get();
        var perTile = labels.stream().collect(java.util.stream.Collectors.groupingBy(javafx.scene.Node::getParent));
        assertThat(perTile).hasSize(6);
        perTile.values().forEach(tile -> {
            var visible = tile.stream().filter(javafx.scene.Node::isVisible).toList();
            // faults recorded by the other tests a few seconds before may be in it too
            assertThat(visible).anySatisfy(label -> {
                assertThat(label.getText()).matches("\\d+ faults");
                assertThat(label.getTooltip().getText()).contains("fault f-8: crash on instance:2\n",
                        "fault f-9: oom on instance:2\n").endsWith("fault f-10: hang on instance:3");
            });
            for (Label a : visible) {
                for (Label b : visible) {
                    assertThat(a == b || !a.getBoundsInParent().intersects(b.getBoundsInParent()))
                            .as("'%s' over '%s'", a.getText(), b.getText()).isTrue();
                }
            }
        });
    }

    /** Made anew at every refresh, a marker's tooltip restarted its delay each second and never showed. */
    @Test
    void markers_keepTheirNodes_asTheWindowSlides() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > 0);
        WaitForAsyncUtils.asyncFx(() -> changes.record(ChangeLog.Kind.FAULT, "fault f-11: slow factor=2 on instance:0")).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> view.sparkMarkers().stream()
                .anyMatch(m -> m.tooltip().contains("f-11"))).get());
        Set<Label> before = WaitForAsyncUtils.asyncFx(() -> robot.lookup("." + SparkMarkers.LABEL_CLASS).queryAllAs(Label.class)).get();
        long sampled = WaitForAsyncUtils.asyncFx(view::sampled).get();

        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > sampled + 1);

        Set<Label> after = WaitForAsyncUtils.asyncFx(() -> robot.lookup("." + SparkMarkers.LABEL_CLASS).queryAllAs(Label.class)).get();
        assertThat(after).containsAll(before);
    }
}
