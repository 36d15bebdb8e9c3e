package io.queuedeck.engine.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How a comparison is printed: a table for people, JSON and CSV for tools. */
public enum ReportFormat {
    TABLE, JSON, CSV;

    private static final List<String> CSV_COLUMNS = List.of("policy", "class", "tasks", "throughput_tps",
            "latency_mean_ms", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms", "ttft_mean_ms",
            "ttft_p50_ms", "ttft_p99_ms", "ttft_idle_p99_ms", "queue_wait_mean_ms", "queue_wait_p99_ms", "max_wait_ms",
            "deadline_miss_rate", "slo_met_share", "ttft_slo_miss_share", "tpot_slo_miss_share", "preemptions", "gpu_utilization", "slot_utilization", "fairness_max_service_gap",
            "oracle_ratio",
            "rejected", "lower_bound_mean_ms", "lower_bound_ratio", "goodput_tps", "goodput_share", "itl_p50_ms",
            "itl_p99_ms", "tpot_mean_ms", "jain_index", "memory_preemptions", "recomputed_tokens", "steps",
            "timer_events", "predictor_tau");

    /** Renders {@code results}, one entry per policy, in this format. */
    public String render(List<PolicyResult> results) {
        try {
            return switch (this) {
                case JSON -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(results) + System.lineSeparator();
                case CSV -> csv(results);
                case TABLE -> table(results);
            };
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One CSV row per policy and class: {@code class} is "all", "priority P" or "tenant T". The
     * run-wide columns (throughput, preemptions, utilization, fairness, oracle ratio, rejected)
     * are filled on the "all" row only.
     */
    private static String csv(List<PolicyResult> results) throws JsonProcessingException {
        CsvSchema.Builder schema = CsvSchema.builder();
        CSV_COLUMNS.forEach(schema::addColumn);
        List<List<Object>> rows = new ArrayList<>();
        for (PolicyResult r : results) {
            List<Object> row = figures(r.policy(), "all", r.all());
            row.add(3, r.throughputTps());
            row.addAll(Arrays.asList(r.preemptions(), r.gpuUtilization(), r.slotUtilization(), r.fairnessMaxServiceGap(),
                    r.oracleRatio() == null ? "" : r.oracleRatio(), r.rejected()));
            PolicyResult.Lab lab = r.lab();
            row.addAll(Arrays.asList(lab.lowerBoundMeanMs(), lab.lowerBoundRatio(), lab.goodputTps(), lab.goodputShare(),
                    lab.itlP50Ms(), lab.itlP99Ms(), lab.tpotMeanMs(), lab.jainIndex(), lab.memoryPreemptions(),
                    lab.recomputedTokens(), lab.steps(), lab.timerEvents(), lab.predictorTau() == null ? "" : lab.predictorTau()));
            rows.add(row);
            for (Map.Entry<String, PolicyResult.Figures> entry : r.byPriority().entrySet()) {
                rows.add(classRow(r.policy(), "priority " + entry.getKey(), entry.getValue()));
            }
            for (Map.Entry<String, PolicyResult.Figures> entry : r.byTenant().entrySet()) {
                rows.add(classRow(r.policy(), "tenant " + entry.getKey(), entry.getValue()));
            }
        }
        return new CsvMapper().writer(schema.build().withHeader()).writeValueAsString(rows);
    }

    private static List<Object> classRow(String policy, String label, PolicyResult.Figures f) {
        List<Object> row = figures(policy, label, f);
        row.add(3, "");
        row.addAll(List.of("", "", "", "", "", ""));
        row.addAll(java.util.Collections.nCopies(13, ""));
        return row;
    }

    private static List<Object> figures(String policy, String label, PolicyResult.Figures f) {
        return new ArrayList<>(Arrays.asList(policy, label, f.tasks(), f.latencyMeanMs(), f.latencyP50Ms(),
                f.latencyP90Ms(), f.latencyP99Ms(), f.latencyMaxMs(), f.ttftMeanMs(), f.ttftP50Ms(), f.ttftP99Ms(),
                f.ttftIdleP99Ms(), f.queueWaitMeanMs(), f.queueWaitP99Ms(), f.maxWaitMs(), f.deadlineMissRate(), f.sloMetShare(),
                f.ttftSloMissShare(), f.tpotSloMissShare()));
    }

    private static String table(List<PolicyResult> results) {
        StringBuilder out = new StringBuilder();
        String header = "%-12s %-10s %6s %7s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %7s%n";
        String row = "%-12s %-10s %6d %7s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %7s%n";
        out.append(String.format(Locale.ROOT, header, "policy", "class", "tasks", "tasks/s", "e2e mean", "e2e p50",
                "e2e p90", "e2e p99", "e2e max", "ttft mean", "ttft p50", "ttft p99", "idle p99", "wait mean", "wait p99",
                "max wait", "dl miss"));
        for (PolicyResult r : results) {
            appendRow(out, row, r.policy(), "all", String.format(Locale.ROOT, "%.1f", r.throughputTps()), r.all());
            for (Map.Entry<String, PolicyResult.Figures> entry : r.byPriority().entrySet()) {
                appendRow(out, row, "", "p" + entry.getKey(), "", entry.getValue());
            }
            for (Map.Entry<String, PolicyResult.Figures> entry : r.byTenant().entrySet()) {
                appendRow(out, row, "", entry.getKey(), "", entry.getValue());
            }
        }
        out.append(System.lineSeparator());
        String runHeader = "%-12s %8s %9s %10s %9s %12s %9s %9s %8s %8s %8s %6s %8s %7s%n";
        out.append(String.format(Locale.ROOT, runHeader, "policy", "preempt", "gpu busy", "slots used", "rejected",
                "fairness gap", "vs oracle", "vs bound", "goodput", "itl p50", "itl p99", "jain", "mem pre", "tau"));
        for (PolicyResult r : results) {
            PolicyResult.Lab lab = r.lab();
            out.append(String.format(Locale.ROOT, runHeader, r.policy(), r.preemptions(),
                    String.format(Locale.ROOT, "%.1f%%", 100 * r.gpuUtilization()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * r.slotUtilization()), r.rejected(),
                    String.format(Locale.ROOT, "%.2f", r.fairnessMaxServiceGap()),
                    r.oracleRatio() == null ? "-" : String.format(Locale.ROOT, "%.3fx", r.oracleRatio()),
                    String.format(Locale.ROOT, "%.2fx", lab.lowerBoundRatio()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * lab.goodputShare()),
                    String.format(Locale.ROOT, "%.1f", lab.itlP50Ms()), String.format(Locale.ROOT, "%.1f", lab.itlP99Ms()),
                    String.format(Locale.ROOT, "%.3f", lab.jainIndex()), lab.memoryPreemptions(),
                    lab.predictorTau() == null ? "-" : String.format(Locale.ROOT, "%.2f", lab.predictorTau())));
        }
        out.append("latencies in ms of simulated time; e2e = arrival to last token, wait = time without a GPU,"
                + " idle p99 = ttft p99 of the same tasks each alone on an idle GPU,"
                + " max wait = longest total wait of one task, dl miss = deadlines missed;"
                + " fairness gap and vs oracle: see docs/simulator.md\n");
        return out.toString();
    }

    private static void appendRow(StringBuilder out, String format, String policy, String label, String throughput,
                                  PolicyResult.Figures f) {
        out.append(String.format(Locale.ROOT, format, policy, label, f.tasks(), throughput, f.latencyMeanMs(),
                f.latencyP50Ms(), f.latencyP90Ms(), f.latencyP99Ms(), f.latencyMaxMs(), f.ttftMeanMs(), f.ttftP50Ms(),
                f.ttftP99Ms(), f.ttftIdleP99Ms(), f.queueWaitMeanMs(), f.queueWaitP99Ms(), f.maxWaitMs(),
                String.format(Locale.ROOT, "%.1f%%", 100 * f.deadlineMissRate())));
    }
}
