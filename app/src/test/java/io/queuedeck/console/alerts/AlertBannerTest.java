package io.queuedeck.console.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The banner's alert where its line has no room for all of it: a 1024 px window cut it to "…(alert above 6…". */
class AlertBannerTest {
    /** Seven pixels a character: enough to tell what fits from what does not. */
    private static final ToDoubleFunction<String> WIDTH = text -> text.length() * 7.0;

    @Test
    void fitted_room_forAll_isTheWholeAlert() {
        var alert = new AlertsViewModel.Alert("oldest-wait", "Oldest waiting task has waited 180 s (alert above 60 s)", true);
        assertThat(AlertBanner.fitted(alert, 1000, WIDTH)).isEqualTo("Oldest waiting task has waited 180 s (alert above 60 s)");
    }

    @Test
    void fitted_tooLittleRoom_dropsTheThreshold_butKeepsWhyItIsHeld() {
        var alert = new AlertsViewModel.Alert("oldest-wait",
                "Oldest waiting task has waited 180 s (alert above 60 s; dispatch paused)", true);
        assertThat(AlertBanner.fitted(alert, 400, WIDTH)).isEqualTo("Oldest waiting task has waited 180 s (dispatch paused)");
        // at 1024 px even that read "(dispatch pau…": then what happened alone
        assertThat(AlertBanner.fitted(alert, 300, WIDTH)).isEqualTo("Oldest waiting task has waited 180 s");
    }

    @Test
    void fitted_tooLittleRoom_aClearedAlert_staysMarkedCleared() {
        var alert = new AlertsViewModel.Alert("p99-P1", "P1 · core p99 latency 4.2 s for 12 s (alert above 3 s for 10 s)", false);
        assertThat(AlertBanner.fitted(alert, 300, WIDTH)).isEqualTo("P1 · core p99 latency 4.2 s for 12 s — cleared");
    }

    @Test
    void fitted_tooLittleRoom_noThreshold_isLeftWholeForTheLabelToCut() {
        var alert = new AlertsViewModel.Alert("gpu-2", "GPU 2 is offline", true);
        assertThat(AlertBanner.fitted(alert, 10, WIDTH)).isEqualTo("GPU 2 is offline");
    }
}
