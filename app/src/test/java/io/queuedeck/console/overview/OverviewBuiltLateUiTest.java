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
}
