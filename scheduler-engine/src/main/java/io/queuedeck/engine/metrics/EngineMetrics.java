package io.queuedeck.engine.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.queuedeck.engine.callback.DeliveryListener;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.store.StoreStats;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The engine in Prometheus terms (base units, {@code _total} counters, {@code _seconds}
 * histograms), written with the Prometheus Java client.
 *
 * <p>Counters and gauges are read from the engine's latest published snapshot at scrape time, so
 * they are exactly the engine's own numbers (as of that snapshot, at most one snapshot interval
 * old). Latency histograms are fed with finished tasks by a {@link io.queuedeck.engine.CompletionFeed};
 * the API and the callback dispatcher add their own counters. Nothing here touches the loop.
 */
public final class EngineMetrics {
    /** Content type of {@link #scrape}: the Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Business classes that get a latency series each; later ones are counted as {@code other}. */
    static final int MAX_BUSINESS_CLASSES = 64;

    /** Bucket bounds in seconds, from a fast first token to a long batch job. */
    private static final double[] LATENCY_BUCKETS = {
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<EngineSnapshot> snapshots;
    private final Histogram queueWait;
    private final Histogram ttft;
    private final Histogram endToEnd;
    private final Histogram callbackLatency;
    private final Counter apiRejected;
    private final Counter releaseFinished;
    private final Histogram releaseEndToEnd;
    /** Business classes with a series of their own; clients choose them, so they are capped. */
    private final BoundedLabels businessClasses = new BoundedLabels(MAX_BUSINESS_CLASSES);
    private final Counter callbacksDelivered;
    private final Counter callbacksRetried;
    private final Counter callbacksFailed;

    /** @param snapshots the engine's latest snapshot ({@code engine::latestSnapshot}); may answer null before the first */
    public EngineMetrics(Supplier<EngineSnapshot> snapshots) {
        this.snapshots = snapshots;
        registerEngineCounters();
        registerQueueGauges();
        registerFlow();
        registerInstanceGauges();
        // heap, GC pauses, threads, buffer pools: an approaching limit shows before it bites
        JvmMetrics.builder().register(registry);
        queueWait = latency("queuedeck_queue_wait_seconds", "Time succeeded tasks spent waiting for a GPU.");
        ttft = latency("queuedeck_ttft_seconds", "Time from arrival to first generated token, of succeeded tasks.");
        endToEnd = latency("queuedeck_e2e_latency_seconds", "Time from arrival to completion, of succeeded tasks.");
        callbackLatency = Histogram.builder().name("queuedeck_callback_latency_seconds")
                .help("Time from a task's completion to its callback being accepted.")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);
        // stable against canary (docs/configuration.md, "Canary"): a task classified before any rule ran has neither
        releaseFinished = Counter.builder().name("queuedeck_release_tasks_finished")
                .help("Tasks that reached a final state, by the release that classified them (stable or canary) and state.")
                .labelNames("release", "state").withoutExemplars().register(registry);
        releaseEndToEnd = Histogram.builder().name("queuedeck_release_e2e_latency_seconds")
                .help("Time from arrival to completion of succeeded tasks, by release and business class.")
                .labelNames("release", "business_class").classicOnly().classicUpperBounds(LATENCY_BUCKETS)
                .withoutExemplars().register(registry);
        apiRejected = Counter.builder().name("queuedeck_api_rejected")
                .help("Submissions the REST API or the OpenAI front door refused before or at admission, by reason.")
                .labelNames("reason").withoutExemplars().register(registry);
        callbacksDelivered = Counter.builder().name("queuedeck_callbacks_delivered")
                .help("Result callbacks accepted by their receivers.").withoutExemplars().register(registry);
        callbacksRetried = Counter.builder().name("queuedeck_callbacks_retried")
                .help("Callback attempts that failed and were retried, by reason.")
                .labelNames("reason").withoutExemplars().register(registry);
        callbacksFailed = Counter.builder().name("queuedeck_callbacks_failed")
                .help("Callbacks that gave up and went to the callback dead-letter list, by reason.")
                .labelNames("reason").withoutExemplars().register(registry);
    }

    /** Records a finished task's latencies; a {@link io.queuedeck.engine.CompletionFeed} listener. */
    public void recordFinished(TaskView task) {
        TaskSpec.Classification classification = task.spec().classification();
        if (classification != null) {
            releaseFinished.labelValues(classification.release(), task.state().name().toLowerCase(Locale.ROOT)).inc();
            if (task.state() == TaskState.SUCCEEDED) {
                String businessClass = task.spec().businessClass() == null ? "" : businessClasses.of(task.spec().businessClass());
                releaseEndToEnd.labelValues(classification.release(), businessClass)
                        .observe((task.finishedAt() - task.arrivedAt()) / 1e9);
            }
        }
        if (task.state() != TaskState.SUCCEEDED) {
            return; // the engine's latency figures cover succeeded tasks; counters cover the rest
        }
        String tier = tierLabel(task.priority());
        queueWait.labelValues(tier).observe(task.waitedNanos() / 1e9);
        endToEnd.labelValues(tier).observe((task.finishedAt() - task.arrivedAt()) / 1e9);
        if (task.firstTokenAt() >= 0) {
            ttft.labelValues(tier).observe((task.firstTokenAt() - task.arrivedAt()) / 1e9);
        }
    }

    /** Counts a submission the API refused ({@code reason}: the error code it answered). */
    public void recordRejected(String reason) {
        apiRejected.labelValues(reason).inc();
    }

    /** Feeds the callback counters and latency histogram. */
    public DeliveryListener callbackListener() {
        return new DeliveryListener() {
            @Override
            public void delivered(int attempts, long latencyNanos) {
                callbacksDelivered.inc();
                callbackLatency.observe(latencyNanos / 1e9);
            }

            @Override
            public void retried(String reason) {
                callbacksRetried.labelValues(reason).inc();
            }

            @Override
            public void deadLettered(String reason) {
                callbacksFailed.labelValues(reason).inc();
            }
        };
    }

    /** A gauge with one labelled value per entry of {@code values} (an empty map shows nothing). */
    public void labelled(String name, String help, String label, Supplier<java.util.Map<String, Long>> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label)
                .callback(cb -> values.get().forEach((key, value) -> cb.call(value, key))).register(registry);
    }

    /**
     * Gauges of the byte budget: {@code queuedeck_queued_body_bytes} (all it counts), the part of it
     * that callbacks in flight hold, and its limit.
     */
    public void queuedBodyBytes(LongSupplier bytes, LongSupplier callbackBytes, long limit) {
        GaugeWithCallback.builder().name("queuedeck_queued_body_bytes")
                .help("Bytes counted against the queue's byte budget: active tasks' bodies and the results of callbacks in flight.")
                .callback(cb -> cb.call(bytes.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("queuedeck_callback_pending_bytes")
                .help("Of queuedeck_queued_body_bytes, the results of callbacks in flight (held until delivered or dead-lettered).")
                .callback(cb -> cb.call(callbackBytes.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("queuedeck_queued_body_bytes_limit")
                .help("The queue's byte budget (max_queued_bytes); submissions past it get 429 queue_full.")
                .callback(cb -> cb.call(limit)).register(registry);
    }

    /** Gauges of request body bytes being received and their cap ({@code max_inflight_body_bytes}). */
    /**
     * Exposes the task store's figures, read at each scrape: group commits, writes in them (their
     * ratio is the mean batch size), seconds spent committing (its rate over the commits' rate is
     * the mean commit latency), the store's size on disk and the task records it holds.
     */
    public void store(Supplier<Optional<StoreStats>> stats) {
        CounterWithCallback.builder().name("queuedeck_store_commits_total")
                .help("Group commits of the task store (one commit and sync each).")
                .callback(cb -> stats.get().ifPresent(s -> cb.call(s.batches()))).register(registry);
        CounterWithCallback.builder().name("queuedeck_store_writes_total")
                .help("Writes made durable by those commits.")
                .callback(cb -> stats.get().ifPresent(s -> cb.call(s.writes()))).register(registry);
        CounterWithCallback.builder().name("queuedeck_store_commit_seconds_total")
                .help("Time spent in task store commits, commit and sync.")
                .callback(cb -> stats.get().ifPresent(s -> cb.call(s.commitNanos() / 1e9))).register(registry);
        GaugeWithCallback.builder().name("queuedeck_store_size_bytes")
                .help("Size of the task store on disk.")
                .callback(cb -> stats.get().ifPresent(s -> cb.call(s.sizeBytes()))).register(registry);
        GaugeWithCallback.builder().name("queuedeck_store_tasks")
                .help("Task records the task store holds (active, dead-lettered, and finished within the idempotency window).")
                .callback(cb -> stats.get().ifPresent(s -> cb.call(s.tasks()))).register(registry);
    }

    /** Gauges of the data directory's disk: usable bytes (read at each scrape) and the floor under which readiness fails. */
    public void dataDirFree(LongSupplier bytes, long floor) {
        GaugeWithCallback.builder().name("queuedeck_data_dir_free_bytes")
                .help("Usable bytes on the data directory's disk.")
                .callback(cb -> {
                    long free = bytes.getAsLong();
                    if (free >= 0) { // unreadable: no sample rather than a made-up one
                        cb.call(free);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("queuedeck_data_dir_free_floor_bytes")
                .help("The free space under which /readyz fails (store.min_free_mb; 0: never).")
                .callback(cb -> cb.call(floor)).register(registry);
    }

    public void bodyBytesInFlight(LongSupplier bytes, long limit) {
        GaugeWithCallback.builder().name("queuedeck_request_body_bytes_in_flight")
                .help("Request body bytes received and not yet parsed, over all requests.")
                .callback(cb -> cb.call(bytes.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("queuedeck_request_body_bytes_in_flight_limit")
                .help("The cap on request body bytes in flight; requests past it get 503 server_busy.")
                .callback(cb -> cb.call(limit)).register(registry);
    }

    /** Writes every metric in the Prometheus text format. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The registry, for adding process or JVM metrics beside the engine's. */
    public PrometheusRegistry registry() {
        return registry;
    }

    // ---------------------------------------------------------------- from snapshots

    private void registerEngineCounters() {
        counter("queuedeck_tasks_submitted", "Tasks accepted by the engine.", c -> c.submitted());
        counter("queuedeck_tasks_rejected", "Submissions the engine refused at admission (invalid, conflicting, unservable).",
                c -> c.rejected());
        counter("queuedeck_tasks_retried", "Failed attempts queued again.", c -> c.retried());
        counter("queuedeck_tasks_dead_lettered", "Tasks that exhausted their attempts.", c -> c.deadLettered());
        counter("queuedeck_tasks_preempted", "Times a running task gave up its GPU slot.", c -> c.preemptions());
        CounterWithCallback.builder().name("queuedeck_tasks_completed")
                .help("Tasks that reached a final state, by outcome.")
                .labelNames("outcome")
                .callback(cb -> {
                    EngineSnapshot s = snapshots.get();
                    if (s != null) {
                        EngineSnapshot.Counters c = s.counters();
                        cb.call(c.succeeded(), "succeeded");
                        cb.call(c.cancelled(), "cancelled");
                        cb.call(c.deadLettered(), "dead_lettered");
                        cb.call(c.timedOut(), "timed_out");
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("queuedeck_events_dropped")
                .help("Engine events lost by slow subscribers.")
                .callback(cb -> {
                    EngineSnapshot s = snapshots.get();
                    if (s != null) {
                        cb.call(s.eventsDropped());
                    }
                })
                .register(registry);
    }

    private void registerQueueGauges() {
        gauge("queuedeck_queue_depth_by_priority", "Waiting tasks per priority (0 most urgent).", "priority", (s, cb) -> {
            for (int p = 0; p < s.queuedByPriority().size(); p++) {
                cb.call(s.queuedByPriority().get(p), Integer.toString(p));
            }
        });
        gauge("queuedeck_queue_depth_by_tier", "Waiting tasks per tier; dead_letter counts dead-lettered tasks kept.", "tier",
                (s, cb) -> {
                    for (Map.Entry<Tier, Integer> e : s.queuedByTier().entrySet()) {
                        cb.call(e.getValue(), e.getKey().name().toLowerCase(Locale.ROOT));
                    }
                });
        gauge("queuedeck_queue_depth_by_level", "Waiting tasks per policy level (MLFQ levels; one for flat policies).",
                "level", (s, cb) -> {
                    for (int l = 0; l < s.queuedByLevel().size(); l++) {
                        cb.call(s.queuedByLevel().get(l), Integer.toString(l));
                    }
                });
        gauge("queuedeck_queued_tasks", "Waiting tasks (queued or preempted).", null, (s, cb) -> cb.call(s.queued()));
        gauge("queuedeck_running_tasks", "Tasks on GPU instances.", null, (s, cb) -> cb.call(s.running()));
        gauge("queuedeck_oldest_queued_age_seconds", "How long the longest-waiting task has waited.", null,
                (s, cb) -> cb.call(s.oldestWaitMs() / 1e3));
        gauge("queuedeck_dispatch_paused", "1 while dispatch is paused.", null, (s, cb) -> cb.call(s.dispatchPaused() ? 1 : 0));
    }

    /** Flow control per tier (docs/flow-control.md): what waits and runs, and what was shed, spilled, parked, timed out, demoted, evicted. */
    private void registerFlow() {
        gauge("queuedeck_saturated", "1 while every slot is busy (or every backend reports itself too busy).", null,
                (s, cb) -> cb.call(s.flow().saturated() ? 1 : 0));
        gauge("queuedeck_tier_running", "Running tasks per tier.", "tier", (s, cb) -> {
            for (FlowStats.TierFlow t : s.flow().tiers()) {
                cb.call(t.running(), t.tier().name().toLowerCase(Locale.ROOT));
            }
        });
        gauge("queuedeck_tier_queued_bytes", "Counted body bytes of each tier's waiting tasks.", "tier", (s, cb) -> {
            for (FlowStats.TierFlow t : s.flow().tiers()) {
                cb.call(t.waitingBytes(), t.tier().name().toLowerCase(Locale.ROOT));
            }
        });
        CounterWithCallback.builder().name("queuedeck_tier_flow")
                .help("What flow control did per tier: shed (refused, 429 or 503), spilled, parked, timed_out (queue_ttl),"
                        + " demoted, evicted.")
                .labelNames("tier", "action")
                .callback(cb -> {
                    EngineSnapshot s = snapshots.get();
                    if (s != null) {
                        for (FlowStats.TierFlow t : s.flow().tiers()) {
                            String tier = t.tier().name().toLowerCase(Locale.ROOT);
                            cb.call(t.shed(), tier, "shed");
                            cb.call(t.spilled(), tier, "spilled");
                            cb.call(t.parked(), tier, "parked");
                            cb.call(t.timedOut(), tier, "timed_out");
                            cb.call(t.demoted(), tier, "demoted");
                            cb.call(t.evicted(), tier, "evicted");
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("queuedeck_release_tier_flow")
                .help("What flow control did per release (stable or canary, by the release that classified the task) and"
                        + " tier: shed, spilled, parked, timed_out (queue_ttl), demoted; a canary with tier limits of its"
                        + " own holds its tasks to them (decision 0081).")
                .labelNames("release", "tier", "action")
                .callback(cb -> {
                    EngineSnapshot s = snapshots.get();
                    if (s != null) {
                        for (FlowStats.ReleaseFlow r : s.flow().releases()) {
                            String tier = r.tier().name();
                            cb.call(r.shed(), r.release(), tier, "shed");
                            cb.call(r.spilled(), r.release(), tier, "spilled");
                            cb.call(r.parked(), r.release(), tier, "parked");
                            cb.call(r.timedOut(), r.release(), tier, "timed_out");
                            cb.call(r.demoted(), r.release(), tier, "demoted");
                        }
                    }
                })
                .register(registry);
    }

    private void registerInstanceGauges() {
        GaugeWithCallback.builder().name("queuedeck_instance_state")
                .help("1 for each instance's current health state, 0 for the others.")
                .labelNames("gpu", "model", "state")
                .callback(cb -> {
                    EngineSnapshot s = snapshots.get();
                    if (s != null) {
                        for (InstanceStatus i : s.instances()) {
                            for (InstanceState state : InstanceState.values()) {
                                cb.call(i.state() == state ? 1 : 0, Integer.toString(i.id()), i.model(),
                                        state.name().toLowerCase(Locale.ROOT));
                            }
                        }
                    }
                })
                .register(registry);
        instanceGauge("queuedeck_instance_batch_running", "Tasks in each instance's batch.", InstanceStatus::running);
        instanceGauge("queuedeck_instance_batch_capacity", "Batch slots of each instance.", InstanceStatus::batchCapacity);
        instanceGauge("queuedeck_instance_kv_used_tokens", "KV-cache tokens reserved on each instance.", InstanceStatus::kvUsedTokens);
        instanceGauge("queuedeck_instance_kv_capacity_tokens", "KV-cache size of each instance, in tokens.",
                InstanceStatus::kvCapacityTokens);
        instanceGauge("queuedeck_instance_draining", "1 while an instance drains (takes no new work).",
                i -> i.draining() ? 1 : 0);
        BackendGauges.register(registry, snapshots);
    }

    private interface GaugeFill {
        void fill(EngineSnapshot snapshot, GaugeWithCallback.Callback callback);
    }

    private void gauge(String name, String help, String label, GaugeFill fill) {
        GaugeWithCallback.Builder builder = GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            EngineSnapshot s = snapshots.get();
            if (s != null) {
                fill.fill(s, cb);
            }
        });
        if (label != null) {
            builder.labelNames(label);
        }
        builder.register(registry);
    }

    private void instanceGauge(String name, String help, java.util.function.ToDoubleFunction<InstanceStatus> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("gpu", "model").callback(cb -> {
            EngineSnapshot s = snapshots.get();
            if (s != null) {
                for (InstanceStatus i : s.instances()) {
                    cb.call(value.applyAsDouble(i), Integer.toString(i.id()), i.model());
                }
            }
        }).register(registry);
    }

    private void counter(String name, String help, java.util.function.ToLongFunction<EngineSnapshot.Counters> value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            EngineSnapshot s = snapshots.get();
            if (s != null) {
                cb.call(value.applyAsLong(s.counters()));
            }
        }).register(registry);
    }

    private Histogram latency(String name, String help) {
        return Histogram.builder().name(name).help(help).labelNames("priority_class")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);
    }

    /** The name of the tier a priority belongs to, by the latest snapshot's table (the default before the first). */
    private String tierLabel(int priority) {
        EngineSnapshot s = snapshots.get();
        return (s == null ? Tiers.DEFAULT.of(priority) : s.tierOf(priority)).name();
    }
}
