package io.queuedeck.engine.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How a comparison is printed: a table for people, JSON and CSV for tools. */
public enum ReportFormat {
    TABLE, JSON, CSV;

    /** Renders {@code results}, one entry per policy, in this format. */
    public String render(List<PolicyResult> results) {
        try {
            return switch (this) {
                case JSON -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(results) + System.lineSeparator();
                case CSV -> csv(results);
                case TABLE -> table(results);
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CSV row per policy and class: {@code class} is "all" or a priority. */
    private static String csv(List<PolicyResult> results) throws com.fasterxml.jackson.core.JsonProcessingException {
        CsvSchema schema = CsvSchema.builder()
                .addColumn("policy").addColumn("class").addColumn("tasks").addColumn("throughput_tps")
                .addColumn("latency_mean_ms").addColumn("latency_p50_ms").addColumn("latency_p99_ms")
                .addColumn("ttft_mean_ms").addColumn("ttft_p99_ms").addColumn("queue_wait_mean_ms")
                .addColumn("preemptions").build().withHeader();
        List<List<Object>> rows = new ArrayList<>();
        for (PolicyResult r : results) {
            rows.add(List.of(r.policy(), "all", r.tasks(), r.throughputTps(), r.latencyMeanMs(), r.latencyP50Ms(),
                    r.latencyP99Ms(), r.ttftMeanMs(), r.ttftP99Ms(), r.queueWaitMeanMs(), r.preemptions()));
            for (Map.Entry<String, PolicyResult.ClassResult> entry : r.byPriority().entrySet()) {
                PolicyResult.ClassResult c = entry.getValue();
                rows.add(List.of(r.policy(), "priority " + entry.getKey(), c.tasks(), "", c.latencyMeanMs(),
                        c.latencyP50Ms(), c.latencyP99Ms(), c.ttftMeanMs(), c.ttftP99Ms(), c.queueWaitMeanMs(), ""));
            }
        }
        return new CsvMapper().writer(schema).writeValueAsString(rows);
    }

    private static String table(List<PolicyResult> results) {
        StringBuilder out = new StringBuilder();
        String header = "%-10s %-8s %7s %9s %10s %10s %10s %10s %10s %10s %8s%n";
        String row = "%-10s %-8s %7d %9s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %8s%n";
        out.append(String.format(Locale.ROOT, header, "policy", "class", "tasks", "tasks/s", "e2e mean", "e2e p50",
                "e2e p99", "ttft mean", "ttft p99", "wait mean", "preempt"));
        for (PolicyResult r : results) {
            out.append(String.format(Locale.ROOT, row, r.policy(), "all", r.tasks(),
                    String.format(Locale.ROOT, "%.1f", r.throughputTps()), r.latencyMeanMs(), r.latencyP50Ms(),
                    r.latencyP99Ms(), r.ttftMeanMs(), r.ttftP99Ms(), r.queueWaitMeanMs(), r.preemptions()));
            for (Map.Entry<String, PolicyResult.ClassResult> entry : r.byPriority().entrySet()) {
                PolicyResult.ClassResult c = entry.getValue();
                out.append(String.format(Locale.ROOT, row, "", "p" + entry.getKey(), c.tasks(), "", c.latencyMeanMs(),
                        c.latencyP50Ms(), c.latencyP99Ms(), c.ttftMeanMs(), c.ttftP99Ms(), c.queueWaitMeanMs(), ""));
            }
        }
        out.append("latencies in ms of simulated time; e2e = arrival to last token, wait = time without a GPU\n");
        return out.toString();
    }
}
