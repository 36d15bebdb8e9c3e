package io.queuedeck.console.widgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javafx.scene.chart.NumberAxis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

class MarkedLineChartTest {
    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage(); // tooltips need a running toolkit
    }

    @Test
    void markers_eachHasAShortLabelAtItsTop_andATooltipWithAllOfIt() throws Exception {
        List<javafx.scene.control.Label> labels = WaitForAsyncUtils.asyncFx(() -> {
            MarkedLineChart chart = new MarkedLineChart(new NumberAxis(0, 100, 10), new NumberAxis());
            chart.setMarkers(List.of(
                    new MarkedLineChart.Marker(10, "12:00:10  crash GPU 0", "marker-fault", "crash GPU 0"),
                    new MarkedLineChart.Marker(20, "12:00:20  policy switched from mlfq to weighted", "marker-policy",
                            "policy switched from mlfq to weighted")));
            return chart.markerLabels();
        }).get();

        assertThat(labels).extracting(javafx.scene.control.Label::getText)
                .containsExactly("crash GPU 0", "policy switched f…");
        assertThat(labels).extracting(l -> l.getTooltip().getText())
                .containsExactly("12:00:10  crash GPU 0", "12:00:20  policy switched from mlfq to weighted");
    }
}
