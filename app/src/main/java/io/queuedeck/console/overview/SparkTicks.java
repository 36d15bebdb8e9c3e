package io.queuedeck.console.overview;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.skins.SparkLineTileSkin;
import java.util.List;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;

/**
 * The colour of a sparkline tile's axis numbers. TilesFX 21's {@link SparkLineTileSkin} reads the
 * tile's tick label colour once, when the skin is built, so a theme switched later left the dark
 * theme's pale numbers on a light tile. The skin has no setter: its field is set by reflection (the
 * console runs on the classpath), and the numbers shown now are recoloured at once.
 */
final class SparkTicks {
    private static final System.Logger LOG = System.getLogger(SparkTicks.class.getName());

    private SparkTicks() {}

    static void colour(Tile tile, Color color) {
        tile.setTickLabelColor(color); // for a skin not built yet
        if (!(tile.getSkin() instanceof SparkLineTileSkin skin)) {
            return;
        }
        try {
            var field = SparkLineTileSkin.class.getDeclaredField("tickLabelColor");
            field.setAccessible(true);
            field.set(skin, color);
            var labels = SparkLineTileSkin.class.getDeclaredField("tickLabelsY");
            labels.setAccessible(true);
            for (Object label : (List<?>) labels.get(skin)) {
                Text text = (Text) label;
                if (!Color.TRANSPARENT.equals(text.getFill())) { // the skin hides the labels it does not use that way
                    text.setFill(color);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a newer TilesFX: the numbers keep the colour they were built with, which is still legible on one theme
            LOG.log(System.Logger.Level.WARNING, "Sparkline axis colour not applied: " + e);
        }
    }
}
