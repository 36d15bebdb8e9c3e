package io.queuedeck.engine.report;

import io.queuedeck.engine.drill.Drill;
import io.queuedeck.engine.drill.DrillResult;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes a drill's report into a directory: {@code report.md} and {@code report.html} (the same
 * content), {@code queue.png} (waiting and running tasks, GPUs serving) and {@code latency.png}
 * (p99 queue wait per tier of the drill's table), each with a labelled marker for every step and
 * fault, and {@code samples.csv} (the charts' figures, one row a second, a wait column per tier).
 */
public final class DrillReport {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String QUEUE_CHART = "queue.png";
    public static final String LATENCY_CHART = "latency.png";
    public static final String SAMPLES = "samples.csv";
    /** First tier red, last purple, those between from this list in order (the default table's normal: orange). */
    private static final List<Color> BETWEEN = List.of(new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x17becf),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x1f77b4), new Color(0x7f7f7f));

    private DrillReport() {}

    /** Writes every file into {@code dir}, creating it if needed, and returns the files written. */
    public static List<Path> write(Path dir, DrillResult result) throws IOException {
        Files.createDirectories(dir);
        Path queue = dir.resolve(QUEUE_CHART);
        Path latency = dir.resolve(LATENCY_CHART);
        chart(result, "Queue levels", "tasks", queue, List.of(
                new Line("waiting", s -> s.queued(), new Color(0x1f77b4)),
                new Line("running", s -> s.running(), new Color(0x2ca02c)),
                new Line("GPUs serving ×10", s -> s.instancesServing() * 10.0, new Color(0x7f7f7f))));
        chart(result, "p99 queue wait by tier (tasks arriving each second)", "ms", latency, tierLines(result.drill().target().tiers()));
        Path samples = dir.resolve(SAMPLES);
        Files.writeString(samples, samplesCsv(result), StandardCharsets.UTF_8);
        String markdown = markdown(result);
        Path md = dir.resolve(MARKDOWN);
        Path html = dir.resolve(HTML);
        Files.writeString(md, markdown, StandardCharsets.UTF_8);
        Files.writeString(html, html(result, markdown), StandardCharsets.UTF_8);
        return List.of(md, html, queue, latency, samples);
    }

    private record Line(String name, ToDoubleFunction<DrillResult.Sample> value, Color color) {}

    /** A line per tier, named as in the table (the default: core, normal, batch as before). */
    private static List<Line> tierLines(Tiers tiers) {
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < tiers.size(); i++) {
            int at = i;
            Color color = i == 0 ? new Color(0xd62728) : i == tiers.size() - 1 ? new Color(0x9467bd)
                    : BETWEEN.get((i - 1) % BETWEEN.size());
            lines.add(new Line(tiers.list().get(i).name(), s -> s.waitP99Ms().get(at), color));
        }
        return lines;
    }

    /** The per-second figures: second, queued, running, instances_serving, then wait_p99_TIER_ms per tier. */
    public static String samplesCsv(DrillResult result) throws IOException {
        Tiers tiers = result.drill().target().tiers();
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true)
                .addNumberColumn("second").addNumberColumn("queued").addNumberColumn("running").addNumberColumn("instances_serving");
        for (Tier tier : tiers.list()) {
            schema.addNumberColumn("wait_p99_" + tier.name() + "_ms");
        }
        List<List<Object>> rows = new ArrayList<>();
        for (DrillResult.Sample s : result.samples()) {
            List<Object> row = new ArrayList<>(List.of(s.second(), s.queued(), s.running(), s.instancesServing()));
            row.addAll(s.waitP99Ms());
            rows.add(row);
        }
        return new CsvMapper().writer(schema.build()).writeValueAsString(rows);
    }

    private static void chart(DrillResult result, String title, String unit, Path file, List<Line> lines) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Line line : lines) {
            XYSeries series = new XYSeries(line.name());
            for (DrillResult.Sample sample : result.samples()) {
                series.add(sample.second(), line.value().applyAsDouble(sample));
            }
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.size(); i++) {
            renderer.setSeriesPaint(i, lines.get(i).color());
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, new NumberAxis("seconds (virtual)"), new NumberAxis(unit), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        int row = 0;
        for (DrillResult.Marker marker : result.markers()) {
            ValueMarker line = new ValueMarker(marker.second(), new Color(0x555555), new BasicStroke(1f));
            line.setLabel(marker.label());
            line.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            line.setLabelAnchor(row++ % 2 == 0 ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.BOTTOM_RIGHT);
            line.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(line);
        }
        JFreeChart chart = new JFreeChart(result.drill().name() + ": " + title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 500);
    }

    /** The report as Markdown. */
    public static String markdown(DrillResult r) {
        Drill d = r.drill();
        StringBuilder md = new StringBuilder();
        md.append("# Drill: ").append(d.name()).append("\n\n");
        md.append("**Verdict: ").append(r.verdict())
                .append("** · resilience score ").append(fmt(r.score())).append(" / 100")
                .append(r.untested() == null ? "" : " · " + r.untested()).append("\n\n");
        md.append("## Experiment\n\n").append(d.description().strip()).append("\n\n");
        md.append("## Hypothesis\n\n").append(d.hypothesis().strip()).append("\n\n");
        Drill.Target t = d.target();
        md.append("## Target, blast radius and stop conditions\n\n");
        String system = t.backends() == null ? String.format(Locale.ROOT, "%d simulated H100 (batch %d)", t.gpus(), t.maxBatch())
                : "real servers " + t.backends().servers() + ", each behind a TCP fault proxy, " + t.backends().slots()
                + " slots each, capacity " + fmt(t.backends().capacity()) + " tasks/s";
        java.util.Optional<DrillResult.LogLine> live = r.log().stream().filter(l -> l.action().equals(DrillResult.LIVE_TARGET)).findFirst();
        if (live.isPresent()) { // the file's cluster settings were not applied: the report must not name them as the target
            md.append("- ").append(live.get().observed()).append(String.format(Locale.ROOT,
                    " (the drill file's gpus, policy, watchdog, attempts and inversion were not applied), load %s × capacity, seed %d%n",
                    fmt(t.load()), t.seed()));
        } else {
            md.append(String.format(Locale.ROOT, "- %s, policy `%s` %s, load %s × capacity, seed %d%n",
                    system, t.policy(), t.policyParameters().isEmpty() ? "" : t.policyParameters(), fmt(t.load()), t.seed()));
            md.append(String.format(Locale.ROOT, "- progress watchdog %s, %d attempts per task, inversion protocol %s%n",
                    t.watchdog() == null ? "off" : t.watchdog().toSeconds() + " s", t.maxAttempts(), t.inversion()));
        }
        md.append(String.format(Locale.ROOT, "- phases: steady state 0–%s s, faults %s–%s s, recovery window to %s s, after-probes to %s s%n",
                fmt(r.phases().during()), fmt(r.phases().during()), fmt(r.phases().recovery()), fmt(r.phases().after()), fmt(r.phases().end())));
        for (Drill.StopCondition s : d.stopConditions()) {
            md.append(String.format(Locale.ROOT, "- stop if %s%s > %s over %d s%n", s.metric().wireName(),
                    s.tier() == null ? (s.priority() == null ? "" : " P" + s.priority()) : " " + s.tier(), fmt(s.above()), s.window().toSeconds()));
        }
        md.append("\n## Verdict per probe\n\n| probe | metric | mode | bound | measured | samples | result |\n|---|---|---|---|---|---|---|\n");
        for (DrillResult.ProbeResult p : r.probes()) {
            Drill.Probe probe = p.probe();
            md.append("| ").append(probe.name()).append(" | ").append(probe.metric().wireName())
                    .append(probe.tier() == null ? (probe.priority() == null ? "" : " P" + probe.priority()) : " " + probe.tier())
                    .append(" | ").append(probe.mode().wireName()).append(" | ")
                    .append(probe.max() == null ? "" : "≤ " + fmt(probe.max())).append(probe.min() == null ? "" : " ≥ " + fmt(probe.min()))
                    .append(" | ").append(fmt(p.measured())).append(" | ").append(p.samples()).append(" | ")
                    .append(p.outcome()).append(" |\n");
        }
        DrillResult.Accounting a = r.accounting();
        md.append("\n## Accounting\n\n| accepted | completed | dead-lettered | timed out | cancelled | still queued | lost | completed twice | refused |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d | %d |%n%n", a.accepted(), a.completed(),
                        a.deadLettered(), a.timedOut(), a.cancelled(), a.unfinished(), a.lost(), a.completedTwice(), a.refused()));
        md.append("## Charts\n\n![queue levels](").append(QUEUE_CHART).append(")\n\n![latency](").append(LATENCY_CHART).append(")\n\n");
        md.append("## Findings\n\n");
        for (String finding : r.findings()) {
            md.append("- ").append(finding).append('\n');
        }
        md.append("\n## Run log\n\n| time (s) | action | observed | steady state ok? |\n|---|---|---|---|\n");
        for (DrillResult.LogLine line : r.log()) {
            md.append(String.format(Locale.ROOT, "| %.1f | %s | %s | %s |%n", line.second(), cell(line.action()),
                    cell(line.observed()), line.steady() ? "yes" : "no"));
        }
        return md.toString();
    }

    private static String html(DrillResult r, String markdown) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drill: ")
                .append(escape(r.drill().name())).append("</title><style>body{font-family:sans-serif;max-width:1150px;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}</style></head><body>\n");
        boolean inTable = false;
        boolean inList = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("|")) {
                if (line.startsWith("|---")) {
                    continue;
                }
                if (!inTable) {
                    html.append("<table>\n");
                    inTable = true;
                }
                html.append("<tr>");
                for (String cell : line.substring(1, line.length() - 1).split(" \\| ", -1)) {
                    html.append("<td>").append(escape(cell.strip())).append("</td>");
                }
                html.append("</tr>\n");
                continue;
            } else if (inTable) {
                html.append("</table>\n");
                inTable = false;
            }
            if (line.startsWith("- ")) {
                if (!inList) {
                    html.append("<ul>\n");
                    inList = true;
                }
                html.append("<li>").append(escape(line.substring(2))).append("</li>\n");
                continue;
            } else if (inList) {
                html.append("</ul>\n");
                inList = false;
            }
            if (line.startsWith("# ")) {
                html.append("<h1>").append(escape(line.substring(2))).append("</h1>\n");
            } else if (line.startsWith("## ")) {
                html.append("<h2>").append(escape(line.substring(3))).append("</h2>\n");
            } else if (line.startsWith("![")) {
                String src = line.substring(line.indexOf('(') + 1, line.length() - 1);
                html.append("<p><img src=\"").append(escape(src)).append("\" alt=\"").append(escape(src)).append("\"></p>\n");
            } else if (!line.isBlank()) {
                html.append("<p>").append(escape(line).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")).append("</p>\n");
            }
        }
        if (inTable) {
            html.append("</table>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    private static String cell(String text) {
        return text.replace("|", "/").replace("\n", " ");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
