package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exposition reader on what vLLM and SGLang actually serve, and on the format's corners. */
class PrometheusTextTest {

    /** Trimmed from vLLM 0.6's /metrics (two models behind one server, to show the sums). */
    static final String VLLM = """
            # HELP vllm:num_requests_running Number of requests currently running on GPU.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="llama"} 3.0
            vllm:num_requests_running{model_name="qwen"} 2.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="llama"} 7.0
            vllm:num_requests_waiting{model_name="qwen"} 0.0
            # HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:gpu_cache_usage_perc gauge
            vllm:gpu_cache_usage_perc{model_name="llama"} 0.42
            vllm:gpu_cache_usage_perc{model_name="qwen"} 0.17
            vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="llama"} 12.0
            """;

    @Test
    void vllmExposition_sumsQueuesAndTakesTheFullestCache() {
        ServerLoad load = ServerLoad.parse(VLLM);

        assertThat(load.waiting()).isEqualTo(7.0);
        assertThat(load.running()).isEqualTo(5.0);
        assertThat(load.kvCacheUsage()).isEqualTo(0.42);
    }

    @Test
    void newerVllmName_forTheCache_isPreferred() {
        ServerLoad load = ServerLoad.parse(VLLM + "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"llama\"} 0.9\n");

        assertThat(load.kvCacheUsage()).isEqualTo(0.9);
    }

    @Test
    void sglangExposition_isRead() {
        ServerLoad load = ServerLoad.parse("""
                sglang:num_running_reqs{model_name="m"} 4
                sglang:num_queue_reqs{model_name="m"} 11
                sglang:token_usage{model_name="m"} 0.25
                """);

        assertThat(load).isEqualTo(new ServerLoad(11.0, 4.0, 0.25));
    }

    @Test
    void serverWithoutTheseMetrics_reportsNothing() {
        assertThat(ServerLoad.parse("# nothing here\nprocess_cpu_seconds_total 12.5\n")).isEqualTo(ServerLoad.UNKNOWN);
        assertThat(ServerLoad.parse("")).isEqualTo(ServerLoad.UNKNOWN);
    }

    @Test
    void labelValues_withBracesCommasAndEscapedQuotes_areSteppedOver() {
        String text = "a{x=\"}, \\\"y\\\" {\",z=\"w\"} 2 1700000000000\r\n"
                + "a 3\n"
                + "  a{} +Inf\n"
                + "b{broken=\"1\" 5\n"           // no closing brace: not a sample
                + "b not-a-number\n"
                + "c NaN\n"
                + "ab 100\n";                    // a longer name is another metric

        Map<String, Double> sums = PrometheusText.sums(text, Set.of("a", "b", "c"));

        assertThat(sums).containsOnlyKeys("a");
        assertThat(sums.get("a")).isInfinite();
        assertThat(PrometheusText.sums("a{x=\"}\"} 2\na 3\n", Set.of("a"))).containsEntry("a", 5.0);
        assertThat(PrometheusText.maxima("a 2\na{q=\"1\"} 9\na 3", Set.of("a"))).containsEntry("a", 9.0);
    }
}
