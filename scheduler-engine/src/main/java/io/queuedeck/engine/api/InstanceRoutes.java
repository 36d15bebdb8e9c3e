package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.List;
import java.util.Locale;

/** {@code GET /v1/instances}: every executor instance, and for a real inference server how busy it is. */
final class InstanceRoutes {

    private InstanceRoutes() {}

    /** The answer. */
    record Instances(List<Instance> instances) {}

    /** One instance; {@code backend} only for a real inference server. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Instance(int id, String model, String state, boolean draining, int running,
                    @JsonProperty("batch_capacity") int batchCapacity,
                    @JsonProperty("kv_used_tokens") Long kvUsedTokens,
                    @JsonProperty("kv_capacity_tokens") Long kvCapacityTokens, Double slowdown, Backend backend) {}

    /** A real server's load: QueueDeck's figures, then the server's own (absent where it publishes none). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Backend(String url, @JsonProperty("slots_in_use") int slotsInUse, int slots,
                   @JsonProperty("in_flight") int inFlight,
                   @JsonProperty("server_waiting") Double serverWaiting,
                   @JsonProperty("server_running") Double serverRunning,
                   @JsonProperty("kv_cache_usage") Double kvCacheUsage,
                   @JsonProperty("ttft_ms") Double ttftMs,
                   @JsonProperty("tokens_per_second") Double tokensPerSecond,
                   @JsonProperty("busy_for_s") Double busyForSeconds) {}

    static Instances instances(EngineSnapshot snapshot) {
        return new Instances(snapshot.instances().stream().map(InstanceRoutes::instance).toList());
    }

    private static Instance instance(InstanceStatus s) {
        BackendLoad b = s.backend();
        String state = s.state().name().toLowerCase(Locale.ROOT);
        if (b == null) {
            return new Instance(s.id(), s.model(), state, s.draining(), s.running(), s.batchCapacity(), s.kvUsedTokens(),
                    s.kvCapacityTokens(), s.slowdown(), null);
        }
        // a backend's KV cache is the server's to report (as a fraction), and it cannot be slowed down
        return new Instance(s.id(), s.model(), state, s.draining(), s.running(), s.batchCapacity(), null, null, null,
                new Backend(b.url(), b.slotsInUse(), b.slots(), b.inFlight(), b.serverWaiting(), b.serverRunning(),
                        b.kvCacheUsage(), b.ttftMs(), b.tokensPerSecond(), b.busyForSeconds()));
    }
}
