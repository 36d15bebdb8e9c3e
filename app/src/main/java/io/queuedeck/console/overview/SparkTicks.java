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
 * console runs on the classpath), and the numbers shown now are recoloured at once. Also: no number
 * on the tile's caption ({@link #keepOffCaption}).
 */
final class SparkTicks {
    private static final System.Logger LOG = System.getLogger(SparkTicks.class.getName());

    private SparkTicks() {}

    /**
     * Hides an axis number that would stand on the tile's caption ("last 2 min"): TilesFX puts its
     * lowest at the foot of the graph, right-aligned, where the caption is, and in a small tile (a
     * 1024 px window's) the two overlapped. The lowest figure is also written at the foot's left.
     * Checked whenever a number or the caption moves or changes: the skin redraws them on every value.
     */
    static void keepOffCaption(Tile tile) {
        if (tile.getSkin() instanceof SparkLineTileSkin skin) {
            keepOffCaption(skin);
            return;
        }
        tile.skinProperty().addListener(new javafx.beans.value.ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends javafx.scene.control.Skin<?>> o,
                                javafx.scene.control.Skin<?> was, javafx.scene.control.Skin<?> now) {
                if (now instanceof SparkLineTileSkin skin) {
                    tile.skinProperty().removeListener(this);
                    keepOffCaption(skin);
                }
            }
        });
    }

    private static void keepOffCaption(SparkLineTileSkin skin) {
        try {
            var labels = SparkLineTileSkin.class.getDeclaredField("tickLabelsY");
            labels.setAccessible(true);
            var text = SparkLineTileSkin.class.getDeclaredField("text");
            text.setAccessible(true);
            List<Text> numbers = ((List<?>) labels.get(skin)).stream().map(Text.class::cast).toList();
            Text caption = (Text) text.get(skin);
            Runnable check = () -> {
                javafx.geometry.Bounds c = caption.getBoundsInParent();
                boolean shown = caption.isVisible() && caption.getText() != null && !caption.getText().isEmpty();
                for (Text number : numbers) {
                    // a pixel's margin above the caption: touching reads as one figure ("850last 2 min")
                    boolean on = shown && number.getParent() == caption.getParent()
                            && number.getBoundsInParent().intersects(c.getMinX(), c.getMinY() - 1, c.getWidth(), c.getHeight() + 1);
                    number.setVisible(!on);
                }
            };
            caption.boundsInParentProperty().addListener(o -> check.run());
            caption.visibleProperty().addListener(o -> check.run());
            numbers.forEach(number -> number.boundsInParentProperty().addListener(o -> check.run()));
            check.run();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Sparkline axis numbers not kept off the caption: " + e);
        }
    }

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
