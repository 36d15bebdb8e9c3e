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

    @Test
    void aPointAloneBetweenGaps_isDrawn_aLineBreaksAtAGap() throws Exception {
        // one second of finishes minutes after the last drew nothing: the axis rose for it, no mark showed
        List<javafx.scene.shape.PathElement> elements = WaitForAsyncUtils.asyncFx(() -> {
            MarkedLineChart chart = new MarkedLineChart(new NumberAxis(0, 20, 5), new NumberAxis(0, 100, 10));
            chart.setCreateSymbols(false);
            chart.setAnimated(false);
            javafx.scene.chart.XYChart.Series<Number, Number> series = new javafx.scene.chart.XYChart.Series<>();
            series.getData().addAll(List.of(new javafx.scene.chart.XYChart.Data<>(0, 10), new javafx.scene.chart.XYChart.Data<>(1, 20),
                    new javafx.scene.chart.XYChart.Data<>(10, 50)));
            chart.getData().add(series);
            new javafx.scene.Scene(chart, 400, 300);
            chart.applyCss();
            chart.layout();
            return List.copyOf(((javafx.scene.shape.Path) series.getNode()).getElements());
        }).get();

        long strokes = elements.stream().filter(e -> e instanceof javafx.scene.shape.LineTo).count();
        long moves = elements.stream().filter(e -> e instanceof javafx.scene.shape.MoveTo).count();
        assertThat(moves).as("a new start at the first point and after the gap").isEqualTo(2);
        assertThat(elements.getLast()).as("the lone point's own short stroke").isInstanceOf(javafx.scene.shape.LineTo.class);
        assertThat(elements.get(elements.size() - 2)).isInstanceOf(javafx.scene.shape.MoveTo.class);
        assertThat(strokes).isGreaterThanOrEqualTo(2);
    }
}
