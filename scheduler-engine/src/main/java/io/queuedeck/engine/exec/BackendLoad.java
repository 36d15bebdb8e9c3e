package io.queuedeck.engine.exec;

/**
 * Load an inference server reports about itself (vLLM's {@code num_requests_waiting} and
 * {@code gpu_cache_usage_perc}, say), which the saturation detector weighs besides the slots it
 * counts itself (docs/flow-control.md).
 *
 * @param waitingRequests   requests queued inside the server
 * @param kvCacheUsage      fraction of its KV cache in use, 0 to 1
 */
public record BackendLoad(int waitingRequests, double kvCacheUsage) {
    public BackendLoad {
        if (waitingRequests < 0 || !(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
            throw new IllegalArgumentException("waiting requests must be >= 0 and KV cache usage within 0..1");
        }
    }
}
