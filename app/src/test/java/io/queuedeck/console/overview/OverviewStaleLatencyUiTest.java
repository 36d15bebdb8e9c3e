package io.queuedeck.console.overview;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.latency;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.Scene;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Latency tiles whose figure is old say so where it shows. Why: the note went into the tiles' text,
 * which a sparkline tile does not show at the console's sizes; 30 s after the last task a p99 read as current.
 */
class OverviewStaleLatencyUiTest {
    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void noTaskFinishedForTwelveSeconds_theLatencyTitlesSayHowOldTheirFigureIs_andANewOneClearsIt() throws Exception {
        FxToolkit.registerPrimaryStage();
        OverviewViewModel model = new OverviewViewModel();
        OverviewView[] view = new OverviewView[1];
        FxToolkit.setupStage(s -> {
            view[0] = new OverviewView(model);
            s.setScene(new Scene(view[0].root(), 1280, 900));
            s.show();
        });

        WaitForAsyncUtils.asyncFx(() -> model.apply(snapshot().at(T0).recent(latency(3, 90, 110)).build())).get();
        WaitForAsyncUtils.asyncFx(() -> model.apply(snapshot().at(T0.plusSeconds(12)).build())).get();
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(WaitForAsyncUtils.asyncFx(() -> view[0].p50.getTitle()).get()).isEqualTo("Latency p50 · 12 s old");
        assertThat(WaitForAsyncUtils.asyncFx(() -> view[0].ttft.getTitle()).get()).isEqualTo("TTFT p50 · 12 s old");

        WaitForAsyncUtils.asyncFx(() -> model.apply(snapshot().at(T0.plusSeconds(13)).recent(latency(1, 95, 95)).build())).get();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(() -> view[0].p99.getTitle()).get()).isEqualTo("Latency p99 (e2e, ~1 s)");
    }
}
