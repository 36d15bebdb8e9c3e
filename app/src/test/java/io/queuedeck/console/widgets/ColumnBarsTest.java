package io.queuedeck.console.widgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javafx.scene.Scene;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

class ColumnBarsTest {
    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @Test
    void barsFollowTheirHeight_notOnlyTheirValues() throws Exception {
        // values set before the first layout (after a restart with a held queue) drew 10-pixel stubs until a value changed
        double[] tallest = WaitForAsyncUtils.asyncFx(() -> {
            ColumnBars bars = new ColumnBars();
            bars.setColumns(List.of("P0", "P1"), List.of(Color.RED, Color.BLUE));
            bars.setValues(List.of(981, 490));
            StackPane root = new StackPane(bars);
            new Scene(root, 300, 300);
            root.applyCss();
            root.layout();
            double first = ((Region) bars.lookupAll(".qd-bar").iterator().next()).getPrefHeight();
            root.resize(300, 500);
            root.layout();
            double taller = ((Region) bars.lookupAll(".qd-bar").iterator().next()).getPrefHeight();
            return new double[] {first, taller};
        }).get();

        assertThat(tallest[0]).as("the tallest bar after the first layout").isGreaterThan(150);
        assertThat(tallest[1]).as("after the tile grew").isGreaterThan(tallest[0] + 150);
    }

    /**
     * Why: at the window's smallest width (1024 px) "Queue by priority" spilled out of its tile on
     * both sides, P9 over "Queue by tier", whose "core" spilled back over it. Shown in a real TilesFX
     * tile as wide as there (it sizes its graphic only while shown), in the console's stylesheet:
     * every column inside the tile, every label whole.
     */
    @Test
    void inATileNarrowerThanItsColumns_theLabelsShrink_andEveryColumnStaysInTheTile() throws Exception {
        ColumnBars bars = WaitForAsyncUtils.asyncFx(ColumnBars::new).get();
        eu.hansolo.tilesfx.Tile[] tile = new eu.hansolo.tilesfx.Tile[1];
        FxToolkit.setupStage(stage -> {
            java.util.List<String> names = new java.util.ArrayList<>();
            java.util.List<Color> colors = new java.util.ArrayList<>();
            for (int p = 0; p <= 9; p++) {
                names.add("P" + p);
                colors.add(Color.BLUE);
            }
            bars.setColumns(names, colors);
            bars.setValues(List.of(0, 2712, 2210, 11_403, 2950, 20_114, 2830, 2911, 2844, 2877));
            tile[0] = eu.hansolo.tilesfx.TileBuilder.create()
                    .skinType(eu.hansolo.tilesfx.Tile.SkinType.CUSTOM).title("Queue by priority").graphic(bars).build();
            tile[0].setMinSize(120, 120);
            tile[0].setPrefSize(265, 160); // two of the Overview's six columns at 1024 x 700
            tile[0].setMaxSize(265, 160);
            Scene scene = new Scene(new StackPane(tile[0]), 400, 300);
            scene.getStylesheets().add(ColumnBarsTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        try {
            // laid out on later pulses: the tile sizes its graphic, then a shrunk font is styled on the next CSS pass
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(WaitForAsyncUtils.asyncFx(() -> problems(bars, tile[0])).get()).isEmpty());
        } finally {
            FxToolkit.setupStage(stage -> stage.hide());
        }
    }

    private static java.util.List<String> problems(ColumnBars bars, eu.hansolo.tilesfx.Tile tile) {
        java.util.List<String> wrong = new java.util.ArrayList<>();
        javafx.geometry.Bounds inTile = tile.localToScene(tile.getLayoutBounds());
        for (javafx.scene.Node column : bars.getChildren()) {
            javafx.geometry.Bounds b = column.localToScene(column.getLayoutBounds());
            if (b.getMinX() < inTile.getMinX() || b.getMaxX() > inTile.getMaxX()) {
                wrong.add("a column at " + b.getMinX() + "-" + b.getMaxX() + " outside the tile's " + inTile.getMinX()
                        + "-" + inTile.getMaxX());
            }
        }
        for (javafx.scene.Node node : bars.lookupAll(".qd-bar-name, .qd-bar-value")) {
            javafx.scene.control.Label label = (javafx.scene.control.Label) node;
            if (label.getWidth() < label.prefWidth(-1) - 0.5) {
                wrong.add("'" + label.getText() + "' cut");
            }
        }
        if (bars.fontShare() >= 1) {
            wrong.add("the labels did not shrink: the tile is too wide to tell");
        }
        return wrong;
    }
}
