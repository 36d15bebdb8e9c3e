package io.queuedeck.engine.report;

import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.ReportFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a policy comparison to a directory: {@code report.json} and {@code report.csv} (the same
 * text as {@code --format json|csv}), and three PNG charts drawn by {@link ComparisonCharts}: the
 * latency CDF, and mean and p99 latency and time to first token by priority class.
 */
public final class ReportFiles {
    public static final String JSON = "report.json";
    public static final String CSV = "report.csv";
    public static final String LATENCY_CDF = "latency-cdf.png";
    public static final String LATENCY_BY_PRIORITY = "latency-by-priority.png";
    public static final String TTFT_BY_PRIORITY = "ttft-by-priority.png";

    private ReportFiles() {}

    /**
     * Writes every file into {@code dir}, creating it if needed, and returns the files written.
     *
     * @param workload one line saying what was replayed, shown under the charts' titles
     */
    public static List<Path> write(Path dir, List<PolicyResult> results, String workload) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(JSON);
        Path csv = dir.resolve(CSV);
        Path cdf = dir.resolve(LATENCY_CDF);
        Path byPriority = dir.resolve(LATENCY_BY_PRIORITY);
        Path ttft = dir.resolve(TTFT_BY_PRIORITY);
        Files.writeString(json, ReportFormat.JSON.render(results), StandardCharsets.UTF_8);
        Files.writeString(csv, ReportFormat.CSV.render(results), StandardCharsets.UTF_8);
        ComparisonCharts.latencyCdf(results, workload, cdf);
        ComparisonCharts.latencyByPriority(results, workload, byPriority);
        ComparisonCharts.ttftByPriority(results, workload, ttft);
        return List.of(json, csv, cdf, byPriority, ttft);
    }
}
