package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyResultTest {

    private static PolicyResult result(String policy, double meanMs) {
        PolicyResult.Figures figures = new PolicyResult.Figures(10, meanMs, 1, 2, 3, 4, 5, 6, 7, 7.5, 8, 9, 10, 0.25, 0.6, 0.3, 0.2);
        return new PolicyResult(policy, figures, 0, 1.5, 2.5, 3, 0.75, 0.25, 0.5, null, PolicyResult.Lab.NONE, Map.of("5", figures),
                Map.of("acme", figures), List.of(1.0, 2.0), 123, 456);
    }

    @Test
    void compareToOracle_oracleRun_everyRatioAgainstItsMean() {
        List<PolicyResult> compared = PolicyResult.compareToOracle(
                List.of(result("fifo", 300), result("srpt-oracle", 120), result("sjf", 150)));

        assertThat(compared).extracting(PolicyResult::oracleRatio).containsExactly(2.5, 1.0, 1.25);
    }

    @Test
    void compareToOracle_noOracle_ratiosStayNull() {
        List<PolicyResult> compared = PolicyResult.compareToOracle(List.of(result("fifo", 300), result("mlfq", 200)));

        assertThat(compared).extracting(PolicyResult::oracleRatio).containsOnlyNulls();
    }

    @Test
    void compareToOracle_ratio_roundedToThreeDecimals() {
        List<PolicyResult> compared = PolicyResult.compareToOracle(List.of(result("fifo", 100), result("srpt-oracle", 30)));

        assertThat(compared.getFirst().oracleRatio()).isEqualTo(3.333);
    }

    @Test
    void json_flatObjectWithFiguresInlineAndClassesNested() throws Exception {
        JsonNode node = new ObjectMapper().readTree(ReportFormat.JSON.render(List.of(result("fifo", 300)))).get(0);

        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertThat(keys).containsExactly("policy", "tasks", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms",
                "latency_p99_ms", "latency_max_ms", "ttft_mean_ms", "ttft_p50_ms", "ttft_p99_ms", "ttft_idle_p99_ms",
                "queue_wait_mean_ms",
                "queue_wait_p99_ms", "max_wait_ms", "deadline_miss_rate", "slo_met_share", "ttft_slo_miss_share",
                "tpot_slo_miss_share", "rejected", "throughput_tps", "makespan_s",
                "preemptions", "gpu_utilization", "slot_utilization", "fairness_max_service_gap", "oracle_ratio", "by_priority",
                "by_tenant", "lower_bound_mean_ms", "lower_bound_ratio", "goodput_tps", "goodput_share", "itl_p50_ms",
                "itl_p99_ms", "tpot_mean_ms", "jain_index", "memory_preemptions", "recomputed_tokens", "steps",
                "timer_events", "predictor_tau"); // the run-wide research figures follow the classes (Jackson writes unwrapped records last)
        assertThat(node.get("oracle_ratio").isNull()).isTrue();
        assertThat(node.get("by_tenant").get("acme").get("deadline_miss_rate").asDouble()).isEqualTo(0.25);
        assertThat(node.get("by_priority").get("5").get("ttft_slo_miss_share").asDouble()).isEqualTo(0.3);
        // Wall time, event counts and the CDF points are not part of the report.
        assertThat(node.has("wall_millis")).isFalse();
        assertThat(node.has("latency_quantiles_ms")).isFalse();
    }

    @Test
    void csv_allRowCarriesRunFiguresClassRowsLeaveThemBlank() {
        String[] lines = ReportFormat.CSV.render(List.of(result("fifo", 300))).strip().split("\n");

        assertThat(lines).hasSize(4);
        assertThat(lines[0]).isEqualTo("policy,class,tasks,throughput_tps,latency_mean_ms,latency_p50_ms,latency_p90_ms,"
                + "latency_p99_ms,latency_max_ms,ttft_mean_ms,ttft_p50_ms,ttft_p99_ms,ttft_idle_p99_ms,queue_wait_mean_ms,"
                + "queue_wait_p99_ms,max_wait_ms,deadline_miss_rate,slo_met_share,ttft_slo_miss_share,tpot_slo_miss_share,preemptions,gpu_utilization,slot_utilization,"
                + "fairness_max_service_gap,oracle_ratio,rejected,lower_bound_mean_ms,lower_bound_ratio,goodput_tps,"
                + "goodput_share,itl_p50_ms,itl_p99_ms,tpot_mean_ms,jain_index,memory_preemptions,recomputed_tokens,steps,"
                + "timer_events,predictor_tau");
        // the research figures are run-wide: on the "all" row (here Lab.NONE's), blank on class rows
        assertThat(lines[1]).isEqualTo("fifo,all,10,1.5,300.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,7.5,8.0,9.0,10.0,0.25,0.6,0.3,0.2,3,0.75,0.25,0.5,,0,"
                + "0.0,0.0,0.0,0.0,0.0,0.0,0.0,1.0,0,0,0,0,");
        assertThat(lines[2]).isEqualTo("fifo,\"priority 5\",10,,300.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,7.5,8.0,9.0,10.0,0.25,0.6,0.3,0.2,,,,,,"
                + ",,,,,,,,,,,,,");
        assertThat(lines[3]).startsWith("fifo,\"tenant acme\",10,,300.0,");
    }

    @Test
    void table_listsClassesAndRunFigures() {
        String table = ReportFormat.TABLE.render(List.of(result("fifo", 300)));

        assertThat(table).contains("p5").contains("acme").contains("75.0%").contains("vs oracle");
    }
}
