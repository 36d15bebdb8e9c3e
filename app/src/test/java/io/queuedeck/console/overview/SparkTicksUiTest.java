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

    /**
     * In a 1024 px window's small tiles (about 130 × 185 px) the lowest axis number stood on the
     * "last 2 min" caption, in the light theme most: no number shown touches the caption, in either
     * theme's colours, after values that move the axis.
     */
    @Test
    void keepOffCaption_inASmallTile_noNumberShownTouchesTheCaption_inBothThemes() throws Exception {
        FxToolkit.registerPrimaryStage();
        for (Color foreground : List.of(Color.web("#1f2328"), Color.web("#c9d1d9"))) { // the light theme's, the dark one's
            Tile[] tile = new Tile[1];
            FxToolkit.setupStage(stage -> {
                tile[0] = TileBuilder.create().skinType(Tile.SkinType.SPARK_LINE).minValue(0).maxValue(100).animated(false)
                        .tickLabelDecimals(0).averagingPeriod(SparkRange.POINTS_PER_SAMPLE * 10).tickLabelColor(foreground)
                        .textVisible(true).text("last 2 min").build();
                SparkTicks.keepOffCaption(tile[0]);
                stage.setScene(new Scene(new StackPane(tile[0]), 130, 185));
                stage.show();
            });
            for (List<Double> values : List.of(List.of(850.0, 2050.0, 1200.0, 900.0), List.of(28.0, 52.0, 35.0), List.of(1911.0, 4655.0, 2500.0))) {
                robot.interact(() -> values.forEach(v -> SparkRange.show(tile[0], v)));
                WaitForAsyncUtils.waitForFxEvents();
                var touching = WaitForAsyncUtils.asyncFx(() -> {
                    Text caption = caption(tile[0]);
                    javafx.geometry.Bounds c = caption.localToScene(caption.getBoundsInLocal());
                    return shownNumbers(tile[0]).stream().filter(Text::isVisible)
                            .filter(t -> t.localToScene(t.getBoundsInLocal()).intersects(c)).map(Text::getText).toList();
                }).get();
                assertThat(touching).as("numbers on the caption after %s", values).isEmpty();
                assertThat(WaitForAsyncUtils.asyncFx(() -> shownNumbers(tile[0]).stream().filter(Text::isVisible).count()).get())
                        .as("the other numbers still shown").isGreaterThan(0);
            }
        }
    }

    private static Text caption(Tile tile) {
        try {
            var field = tile.getSkin().getClass().getDeclaredField("text");
            field.setAccessible(true);
            return (Text) field.get(tile.getSkin());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("TilesFX's SparkLineTileSkin keeps its caption elsewhere now: check SparkTicks", e);
        }
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
