package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** A sparkline's axis numbers follow a theme switched after the tile was shown (TilesFX read their colour once). */
class SparkTicksUiTest {
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void close() throws TimeoutException {
        FxToolkit.cleanupStages();
    }

    @Test
    void colour_afterTheTileIsShown_theNumbersShownAndDrawnLaterTakeIt() throws Exception {
        FxToolkit.registerPrimaryStage();
        Tile[] tile = new Tile[1];
        FxToolkit.setupStage(stage -> {
            tile[0] = TileBuilder.create().skinType(Tile.SkinType.SPARK_LINE).minValue(0).maxValue(100).animated(false)
                    .averagingPeriod(SparkRange.POINTS_PER_SAMPLE * 10).tickLabelColor(Color.web("#c9d1d9")).build();
            stage.setScene(new Scene(new StackPane(tile[0]), 300, 300));
            stage.show();
        });
        robot.interact(() -> List.of(10.0, 40.0, 25.0).forEach(v -> SparkRange.show(tile[0], v)));
        Color dark = Color.web("#1f2328");

        robot.interact(() -> SparkTicks.colour(tile[0], dark));
        assertThat(WaitForAsyncUtils.asyncFx(() -> shownNumbers(tile[0])).get()).isNotEmpty().allSatisfy(t -> assertThat(t.getFill()).isEqualTo(dark));

        robot.interact(() -> List.of(70.0, 5.0).forEach(v -> SparkRange.show(tile[0], v))); // redrawn with a new range
        assertThat(WaitForAsyncUtils.asyncFx(() -> shownNumbers(tile[0])).get()).isNotEmpty().allSatisfy(t -> assertThat(t.getFill()).isEqualTo(dark));
    }

    /** The axis numbers the skin shows: its tick labels (read from the skin, whose behaviour this is about) not made transparent. */
    private static List<Text> shownNumbers(Tile tile) {
        try {
            var field = tile.getSkin().getClass().getDeclaredField("tickLabelsY");
            field.setAccessible(true);
            return ((List<?>) field.get(tile.getSkin())).stream().map(Text.class::cast)
                    .filter(t -> !t.getText().isEmpty() && !Color.TRANSPARENT.equals(t.getFill())).toList();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("TilesFX's SparkLineTileSkin keeps its tick labels elsewhere now: check SparkTicks", e);
        }
    }
}
