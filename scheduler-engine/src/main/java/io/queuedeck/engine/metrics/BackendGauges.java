package io.queuedeck.engine.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Per-instance gauges of real inference servers ({@link BackendLoad}), labelled
 * {@code gpu, model, backend}. A figure the server does not publish has no sample.
 */
final class BackendGauges {

    private BackendGauges() {}

    static void register(PrometheusRegistry registry, Supplier<EngineSnapshot> snapshots) {
        gauge(registry, snapshots, "queuedeck_backend_slots_in_use",
                "Requests open on each backend, over all its models (shared by its instances).", b -> (double) b.slotsInUse());
        gauge(registry, snapshots, "queuedeck_backend_slots", "Requests each backend is sent at once.", b -> (double) b.slots());
        gauge(registry, snapshots, "queuedeck_backend_in_flight", "Requests open for each backend instance's model.",
                b -> (double) b.inFlight());
        gauge(registry, snapshots, "queuedeck_backend_server_waiting",
                "Requests waiting in the backend's own queue, from its /metrics (every client's).", BackendLoad::serverWaiting);
        gauge(registry, snapshots, "queuedeck_backend_server_running",
                "Requests the backend runs, from its /metrics (every client's).", BackendLoad::serverRunning);
        gauge(registry, snapshots, "queuedeck_backend_kv_cache_usage_ratio",
                "Fraction of the backend's KV cache in use, from its /metrics.", BackendLoad::kvCacheUsage);
        gauge(registry, snapshots, "queuedeck_backend_ttft_seconds",
                "Recent time from sending a request to its first token (moving average).",
                b -> b.ttftMs() == null ? null : b.ttftMs() / 1e3);
        gauge(registry, snapshots, "queuedeck_backend_tokens_per_second",
                "Tokens received per second over the last health interval (at least 1 s).", BackendLoad::tokensPerSecond);
    }

    private static void gauge(PrometheusRegistry registry, Supplier<EngineSnapshot> snapshots, String name, String help,
                              Function<BackendLoad, Double> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("gpu", "model", "backend").callback(cb -> {
            EngineSnapshot s = snapshots.get();
            if (s == null) {
                return;
            }
            for (InstanceStatus i : s.instances()) {
                BackendLoad b = i.backend();
                Double v = b == null ? null : value.apply(b);
                if (v != null) {
                    cb.call(v, Integer.toString(i.id()), i.model(), b.url());
                }
            }
        }).register(registry);
    }
}
