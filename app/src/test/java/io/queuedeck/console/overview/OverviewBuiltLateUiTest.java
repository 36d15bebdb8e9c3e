package io.queuedeck.console.overview;

import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.exec.InstanceState;
import javafx.scene.Scene;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Overview built after its model has values (the console opened on another screen) shows
 * them at once, even those that then hold still: every slot busy never changes "running".
 */
class OverviewBuiltLateUiTest {
    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void valuesKnownBeforeTheViewWasBuilt_areShown_withoutWaitingForAChange() throws Exception {
        FxToolkit.registerPrimaryStage();
        OverviewViewModel model = new OverviewViewModel();
        OverviewView[] view = new OverviewView[1];
        FxToolkit.setupStage(s -> {
            model.apply(snapshot().running(128).queued(5, 900)
                    .instances(gpu(0, InstanceState.UP, 32), gpu(1, InstanceState.UP, 32), gpu(2, InstanceState.UP, 32),
                            gpu(3, InstanceState.UP, 32)).build());
            view[0] = new OverviewView(model);
            s.setScene(new Scene(view[0].root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(WaitForAsyncUtils.asyncFx(() -> view[0].running.getValue()).get()).isEqualTo(128);
        assertThat(WaitForAsyncUtils.asyncFx(() -> view[0].queued.getValue()).get()).isEqualTo(900);
    }

    /**
     * Eight GPUs in the Overview of a 1024 x 700 window: the eight rows ran over the tile's title and
     * its bottom edge. The tile shows the rows it has room for, the last summing up the rest, and
     * every bar keeps its width.
     */
    @Test
    void eightGpus_inASmallWindow_showTheRowsThatFit_insideTheTile() throws Exception {
        FxToolkit.registerPrimaryStage();
        OverviewViewModel model = new OverviewViewModel();
        OverviewView[] view = new OverviewView[1];
        FxToolkit.setupStage(s -> {
            model.apply(snapshot().running(200).instances(java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> gpu(i, InstanceState.UP, 25)).toArray(io.queuedeck.engine.exec.InstanceStatus[]::new)).build());
            view[0] = new OverviewView(model);
            s.setScene(new Scene(view[0].root(), 1024 - 200, 700 - 130)); // less the navigation, header and status line
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.asyncFx(() -> model.apply(snapshot().running(200).instances(java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> gpu(i, InstanceState.UP, 26)).toArray(io.queuedeck.engine.exec.InstanceStatus[]::new)).build())).get();
        WaitForAsyncUtils.waitForFxEvents();

        javafx.geometry.Bounds tile = WaitForAsyncUtils.asyncFx(() -> view[0].gpus.localToScene(view[0].gpus.getLayoutBounds())).get();
        java.util.List<javafx.scene.Node> rows = WaitForAsyncUtils.asyncFx(() -> java.util.List.copyOf(
                view[0].gpus.lookupAll("." + io.queuedeck.console.widgets.MeterRow.STYLE_CLASS))).get();
        assertThat(rows).hasSizeBetween(2, 7);
        assertThat(WaitForAsyncUtils.asyncFx(() -> ((javafx.scene.control.Label) ((javafx.scene.Parent) rows.getLast())
                .getChildrenUnmodifiable().getFirst()).getText()).get()).endsWith(" more (avg)");
        for (javafx.scene.Node row : rows) {
            javafx.geometry.Bounds b = WaitForAsyncUtils.asyncFx(() -> row.localToScene(row.getLayoutBounds())).get();
            assertThat(b.getMinY()).as("below the tile's title").isGreaterThanOrEqualTo(tile.getMinY() + 24);
            assertThat(b.getMaxY()).as("inside the tile").isLessThanOrEqualTo(tile.getMaxY());
        }
    }
}
