package io.queuedeck.engine.exec.openai;

import java.util.Map;
import java.util.Set;

/**
 * What a server says about its own load on {@code /metrics}; null where it says nothing.
 *
 * @param waiting requests in its queue
 * @param running requests it runs
 * @param kvCacheUsage fraction of its KV cache in use, 0..1
 */
record ServerLoad(Double waiting, Double running, Double kvCacheUsage) {
    static final ServerLoad UNKNOWN = new ServerLoad(null, null, null);

    // vLLM (gpu_cache_usage_perc until 0.10, kv_cache_usage_perc since; both are fractions despite
    // the name) and SGLang (token_usage is its KV-cache fraction).
    private static final String VLLM_WAITING = "vllm:num_requests_waiting";
    private static final String VLLM_RUNNING = "vllm:num_requests_running";
    private static final String VLLM_GPU_CACHE = "vllm:gpu_cache_usage_perc";
    private static final String VLLM_KV_CACHE = "vllm:kv_cache_usage_perc";
    private static final String SGLANG_WAITING = "sglang:num_queue_reqs";
    private static final String SGLANG_RUNNING = "sglang:num_running_reqs";
    private static final String SGLANG_KV = "sglang:token_usage";
    static final Set<String> NAMES = Set.of(VLLM_WAITING, VLLM_RUNNING, VLLM_GPU_CACHE, VLLM_KV_CACHE, SGLANG_WAITING,
            SGLANG_RUNNING, SGLANG_KV);

    /**
     * The load in a Prometheus exposition. The KV-cache figure is one fraction: where a server
     * reports one per model, the largest.
     */
    static ServerLoad parse(String exposition) {
        Map<String, Double> sums = PrometheusText.sums(exposition, NAMES);
        Map<String, Double> max = PrometheusText.maxima(exposition, Set.of(VLLM_GPU_CACHE, VLLM_KV_CACHE, SGLANG_KV));
        Double waiting = first(sums, VLLM_WAITING, SGLANG_WAITING);
        Double running = first(sums, VLLM_RUNNING, SGLANG_RUNNING);
        Double kv = first(max, VLLM_KV_CACHE, VLLM_GPU_CACHE, SGLANG_KV);
        return new ServerLoad(waiting, running, kv == null ? null : Math.max(0, Math.min(1, kv)));
    }

    private static Double first(Map<String, Double> values, String... names) {
        for (String name : names) {
            Double value = values.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
