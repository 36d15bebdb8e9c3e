package io.queuedeck.engine.exec;

/**
 * How busy one real inference server is, as its instance sees it: QueueDeck's own figures, and
 * the server's where it publishes them (vLLM's and SGLang's Prometheus {@code /metrics}). A figure
 * the server does not report is null. The saturation detector weighs the server's queue and KV
 * cache besides the slots it counts itself (docs/flow-control.md).
 *
 * @param url             the server's base URL
 * @param slotsInUse      requests QueueDeck has open on the server, over all its models
 * @param slots           requests QueueDeck sends it at once
 * @param inFlight        requests open for this instance's model
 * @param serverWaiting   requests waiting in the server's own queue (from every client)
 * @param serverRunning   requests the server is running (from every client)
 * @param kvCacheUsage    fraction of the server's KV cache in use, 0..1
 * @param ttftMs          recent time to first token from sending the request, in ms (a moving average)
 * @param tokensPerSecond tokens this instance received per second over the last health interval (at least 1 s)
 * @param busyForSeconds  how long the server still takes no new request, after a 429 with {@code Retry-After}; null when it takes them
 */
public record BackendLoad(String url, int slotsInUse, int slots, int inFlight, Double serverWaiting,
                          Double serverRunning, Double kvCacheUsage, Double ttftMs, Double tokensPerSecond,
                          Double busyForSeconds) {

    /** A server that takes new requests. */
    public BackendLoad(String url, int slotsInUse, int slots, int inFlight, Double serverWaiting, Double serverRunning,
                       Double kvCacheUsage, Double ttftMs, Double tokensPerSecond) {
        this(url, slotsInUse, slots, inFlight, serverWaiting, serverRunning, kvCacheUsage, ttftMs, tokensPerSecond, null);
    }

    /**
     * The instances serving the server at {@code url}: one per model it serves. A trailing slash
     * or {@code /v1} (the base URL OpenAI clients take) is ignored, as where backends are given.
     */
    public static java.util.List<Integer> instancesAt(java.util.List<InstanceStatus> instances, String url) {
        String wanted = normalized(url);
        return instances.stream().filter(i -> i.backend() != null && normalized(i.backend().url()).equals(wanted))
                .map(InstanceStatus::id).toList();
    }

    private static String normalized(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u.endsWith("/v1") ? u.substring(0, u.length() - 3) : u;
    }
}
