package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A sparkline tile's points, one sample a second: TilesFX's skin took two points for a value that
 * changed and one for a value equal to the last, so "the last 2 minutes" held between one and two
 * and the fault markers, placed by time, missed their moments. Reads the skin's own point list,
 * since the library's behaviour is what this is about.
 */
class SparkPointsUiTest {
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    @Test
    void everySample_isTwoPoints_whetherTheValueMovesOrNot() throws Exception {
        FxToolkit.registerPrimaryStage();
        Tile[] tile = new Tile[1];
        FxToolkit.setupStage(stage -> {
            tile[0] = TileBuilder.create().skinType(Tile.SkinType.SPARK_LINE).minValue(0).maxValue(100).animated(false)
                    .averagingPeriod(SparkRange.POINTS_PER_SAMPLE * 10).build();
            stage.setScene(new Scene(new StackPane(tile[0]), 300, 300));
            stage.show();
        });
        // steady, moving, and a hair from the last (within TilesFX's 1e-6, which took three points)
        List<Double> samples = List.of(5.0, 5.0, 5.0, 7.0, 7.0, 3.0, 3.0000005, 3.0);
        for (double v : samples) {
            List<Double> before = WaitForAsyncUtils.asyncFx(() -> points(tile[0])).get();
            robot.interact(() -> SparkRange.show(tile[0], v));
            List<Double> after = WaitForAsyncUtils.asyncFx(() -> points(tile[0])).get();
            assertThat(added(before, after)).as("points for the sample %s", v).isEqualTo(SparkRange.POINTS_PER_SAMPLE);
            assertThat(after.subList(after.size() - 2, after.size())).allSatisfy(p -> assertThat(p).isCloseTo(v, within(1e-5)));
        }
        // a steady figure is a flat line: its points exactly equal (a nudge of 2e-6 made the skin, which scales
        // the line to its points' own range, draw a full-height comb)
        robot.interact(() -> List.of(4.0, 4.0, 4.0).forEach(v -> SparkRange.show(tile[0], v)));
        List<Double> flat = WaitForAsyncUtils.asyncFx(() -> points(tile[0])).get();
        assertThat(flat.subList(flat.size() - 6, flat.size())).containsOnly(4.0);
    }

    /** How far the list rotated: the fewest new points that make {@code after} from {@code before}. */
    private static int added(List<Double> before, List<Double> after) {
        int k = 0;
        while (k < after.size() && !before.subList(k, before.size()).equals(after.subList(0, after.size() - k))) {
            k++;
        }
        return k;
    }

    @SuppressWarnings("unchecked")
    private static List<Double> points(Tile tile) {
        try {
            var field = tile.getSkin().getClass().getDeclaredField("dataList");
            field.setAccessible(true);
            return List.copyOf((List<Double>) field.get(tile.getSkin()));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("TilesFX's SparkLineTileSkin keeps its points elsewhere now: check SparkRange", e);
        }
    }
}
