package io.queuedeck.engine.report;

import io.queuedeck.engine.sim.PolicyResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemSource;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The comparison's charts, drawn with JFreeChart off screen (headless: no display is needed).
 * Each policy keeps one colour across charts; the srpt-oracle, the lower bound, is a dashed black
 * line.
 */
final class ComparisonCharts {
    static {
        // Before any AWT class loads: render into images only, never open a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int WIDTH = 1100, HEIGHT = 680;

    /** Okabe–Ito's colour-blind-safe palette (its yellow, unreadable on white, swapped for a brown), then greys. */
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
            new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x8C564B), new Color(0x7F3C8D),
            new Color(0x666666), new Color(0xAAAAAA)};
    private static final Color ORACLE = Color.BLACK;
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private ComparisonCharts() {}

    /** One line per policy: the fraction of tasks finished within x seconds, x on a log scale. */
    static void latencyCdf(List<PolicyResult> results, String workload, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        double smallest = Double.MAX_VALUE;
        for (int r = 0; r < results.size(); r++) {
            PolicyResult result = results.get(r);
            List<Double> quantiles = result.latencyQuantilesMs();
            // Policies that order this workload alike draw the same line, one over the other:
            // the legend says so rather than leave a colour that cannot be seen.
            String label = result.policy();
            for (int earlier = 0; earlier < r; earlier++) {
                if (results.get(earlier).latencyQuantilesMs().equals(quantiles) && !quantiles.isEmpty()) {
                    label = result.policy() + " (= " + results.get(earlier).policy() + ")";
                    break;
                }
            }
            XYSeries series = new XYSeries(label, false, true);
            for (int i = 0; i < quantiles.size(); i++) {
                double seconds = Math.max(quantiles.get(i), 0.001) / 1e3;
                series.add(seconds, (double) i / (quantiles.size() - 1));
                smallest = Math.min(smallest, seconds);
            }
            data.addSeries(series);
        }
        LogAxis x = new LogAxis("end-to-end latency (s, log scale)");
        x.setBase(10);
        x.setNumberFormatOverride(new DecimalFormat("0.###"));
        // Labels at powers of ten, minor ticks between: 0.1, 1, 10, 100 s read at a glance.
        x.setTickUnit(new NumberTickUnit(1.0));
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        x.setSmallestValue(smallest == Double.MAX_VALUE ? 0.001 : smallest * 0.8);
        NumberAxis y = new NumberAxis("fraction of tasks finished within x");
        y.setRange(0, 1.0);
        y.setNumberFormatOverride(new DecimalFormat("0%"));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < results.size(); i++) {
            boolean oracle = results.get(i).policy().equals(PolicyResult.ORACLE);
            renderer.setSeriesPaint(i, oracle ? ORACLE : colour(i));
            renderer.setSeriesStroke(i, oracle
                    ? new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 5f}, 0f)
                    : new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        for (double level : new double[] {0.5, 0.9, 0.99}) {
            ValueMarker marker = new ValueMarker(level, new Color(0x999999), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {3f, 3f}, 0f));
            marker.setLabel("p" + Math.round(level * 100));
            marker.setLabelFont(TICK);
            marker.setLabelPaint(new Color(0x666666));
            marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            marker.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addRangeMarker(marker);
        }
        style(plot);
        JFreeChart chart = chart("End-to-end latency CDF by policy", workload, plot, plot);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Grouped bars: mean (top) and p99 (bottom) end-to-end latency of each priority class, one bar per policy. */
    static void latencyByPriority(List<PolicyResult> results, String workload, Path file) throws IOException {
        byPriority(results, workload, file, "End-to-end latency by priority class", "latency",
                PolicyResult.Figures::latencyMeanMs, PolicyResult.Figures::latencyP99Ms);
    }

    /** The same for time to first token: what priority isolation is about. */
    static void ttftByPriority(List<PolicyResult> results, String workload, Path file) throws IOException {
        byPriority(results, workload, file, "Time to first token by priority class", "TTFT",
                PolicyResult.Figures::ttftMeanMs, PolicyResult.Figures::ttftP99Ms);
    }

    private static void byPriority(List<PolicyResult> results, String workload, Path file, String title, String what,
                                   ToDoubleFunction<PolicyResult.Figures> meanMs,
                                   ToDoubleFunction<PolicyResult.Figures> p99Ms) throws IOException {
        TreeSet<Integer> classes = new TreeSet<>();
        for (PolicyResult result : results) {
            result.byPriority().keySet().forEach(p -> classes.add(Integer.parseInt(p)));
        }
        DefaultCategoryDataset means = new DefaultCategoryDataset();
        DefaultCategoryDataset p99s = new DefaultCategoryDataset();
        Map<Integer, Long> counts = new TreeMap<>();
        if (!results.isEmpty()) {
            results.getFirst().byPriority().forEach((p, f) -> counts.put(Integer.parseInt(p), f.tasks()));
        }
        for (PolicyResult result : results) {
            for (int priority : classes) {
                // Every policy completes the same tasks, so the first result's counts hold for all.
                String label = String.format(Locale.ROOT, "priority %d  (%,d tasks)", priority,
                        counts.getOrDefault(priority, 0L));
                PolicyResult.Figures figures = result.byPriority().get(Integer.toString(priority));
                means.addValue(figures == null ? null : meanMs.applyAsDouble(figures) / 1e3, result.policy(), label);
                p99s.addValue(figures == null ? null : p99Ms.applyAsDouble(figures) / 1e3, result.policy(), label);
            }
        }
        CategoryAxis domain = new CategoryAxis("priority class (0 = most urgent)");
        domain.setLabelFont(LABEL);
        domain.setTickLabelFont(LABEL);
        domain.setCategoryMargin(0.25);
        domain.setMaximumCategoryLabelLines(2);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(domain);
        plot.setGap(28);
        CategoryPlot top = barPlot(means, "mean " + what + " (s)", results);
        plot.add(top, 1);
        plot.add(barPlot(p99s, "p99 " + what + " (s)", results), 1);
        plot.setOrientation(PlotOrientation.VERTICAL);
        // Both halves have the same series: the legend lists them once.
        JFreeChart chart = chart(title, workload, plot, top);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT + 120);
    }

    private static CategoryPlot barPlot(DefaultCategoryDataset data, String label, List<PolicyResult> results) {
        NumberAxis range = new NumberAxis(label);
        range.setNumberFormatOverride(new DecimalFormat("0.###"));
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0.04);
        for (int i = 0; i < results.size(); i++) {
            boolean oracle = results.get(i).policy().equals(PolicyResult.ORACLE);
            renderer.setSeriesPaint(i, oracle ? new Color(0x333333) : colour(i));
        }
        // Values written along each bar: one slow policy sets the scale, and the others' short
        // bars would otherwise be unreadable.
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.##")));
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        renderer.setDefaultItemLabelPaint(new Color(0x333333));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                TextAnchor.CENTER_LEFT, TextAnchor.CENTER_LEFT, -Math.PI / 2));
        range.setUpperMargin(0.18); // room for the labels above the tallest bar
        CategoryPlot plot = new CategoryPlot(data, null, range, renderer);
        style(plot);
        return plot;
    }

    private static Paint colour(int index) {
        return PALETTE[index % PALETTE.length];
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlineVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        for (var axis : List.of(plot.getDomainAxis(), plot.getRangeAxis())) {
            axis.setLabelFont(LABEL);
            axis.setTickLabelFont(TICK);
        }
    }

    private static void style(CategoryPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlineVisible(false);
        plot.getRangeAxis().setLabelFont(LABEL);
        plot.getRangeAxis().setTickLabelFont(TICK);
    }

    private static JFreeChart chart(String title, String workload, Plot plot, LegendItemSource legendItems) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(10, 10, 10, 18));
        chart.getTitle().setHorizontalAlignment(HorizontalAlignment.LEFT);
        TextTitle subtitle = new TextTitle(workload, SUBTITLE);
        subtitle.setPaint(new Color(0x555555));
        subtitle.setHorizontalAlignment(HorizontalAlignment.LEFT);
        subtitle.setPadding(new RectangleInsets(2, 0, 8, 0));
        chart.addSubtitle(subtitle);
        LegendTitle legend = new LegendTitle(legendItems);
        legend.setItemFont(LABEL);
        legend.setFrame(BlockBorder.NONE);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
        chart.addSubtitle(legend);
        return chart;
    }
}
