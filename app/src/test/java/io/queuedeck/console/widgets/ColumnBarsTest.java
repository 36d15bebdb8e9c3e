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
}
