package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiService;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.config.ServeConfig;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s distributed mode (docs/distributed.md): with {@code --node NAME} and a Redis
 * store, this engine is one node of a queue shared in Redis instead of the owner of its own.
 */
final class ClusterOptions {
    @Option(names = "--node", paramLabel = "NAME",
            description = "Share the queue in Redis with other nodes, as this node (unique per node; letters, digits,"
                    + " '_', '.', '-'). Needs --redis (or store.type redis). Submissions go into the shared queue;"
                    + " this engine claims what it can run (docs/distributed.md).")
    String node;

    @Option(names = "--queue", paramLabel = "NAME", description = "Name of the shared queue (default: default).")
    String queue;

    @Option(names = "--lease", paramLabel = "DURATION",
            description = "How long a claimed task stays with this node without a heartbeat (such as 30s, or ISO-8601 PT30S; default: 30s).")
    Duration lease;

    @Option(names = "--prefetch", converter = WholeNumber.Prefetch.class, description = "Tasks claimed beyond the free batch slots (default: 2).")
    Integer prefetch;

    @Option(names = "--max-attempts", converter = WholeNumber.Positive.class,
            description = "Expired leases after which a task is dead-lettered in the shared queue (default: 3).")
    Integer maxAttempts;

    /**
     * Takes what the flags left open from the config file's {@code store.node}, then the defaults
     * (the flags win); answers the settings in effect, or null when this process is no node.
     */
    ServeConfig.NodeSection settle(ServeConfig.NodeSection file) {
        if (node == null && file == null) { // a node's setting without a node would be silently ignored: refuse it
            String given = queue != null ? "--queue" : lease != null ? "--lease" : prefetch != null ? "--prefetch"
                    : maxAttempts != null ? "--max-attempts" : null;
            if (given != null) {
                throw new IllegalArgumentException(given + " sets a node of a shared queue and needs --node NAME"
                        + " (or store.node in the config file; docs/distributed.md)");
            }
        }
        if (file != null) {
            node = ServeConfig.NodeSection.nameOf(node, file);
            queue = queue != null ? queue : file.queue();
            lease = lease != null ? lease : file.lease();
            prefetch = prefetch != null ? prefetch : file.prefetch();
            maxAttempts = maxAttempts != null ? maxAttempts : file.maxAttempts();
        }
        queue = queue != null ? queue : "default";
        lease = lease != null ? lease : Duration.ofSeconds(30);
        prefetch = prefetch != null ? prefetch : 2;
        maxAttempts = maxAttempts != null ? maxAttempts : 3;
        if (prefetch < 0 || prefetch > io.queuedeck.engine.cluster.ClusterNode.MAX_PREFETCH) { // before Redis is asked anything
            throw new IllegalArgumentException("--prefetch must be between 0 and " + io.queuedeck.engine.cluster.ClusterNode.MAX_PREFETCH
                    + ", got " + prefetch);
        }
        return node == null ? null : new ServeConfig.NodeSection(node, queue, lease, prefetch, maxAttempts);
    }

    /** The shared queue once {@link #open} ran. */
    private SharedQueue shared;

    boolean enabled() {
        return node != null;
    }

    /**
     * Joins the queue at {@code redisUri} as this node, before its engine is built (the engine's
     * store keeps the node's instance holds there); null when not in distributed mode.
     */
    SharedQueue connect(String redisUri, Duration window, io.queuedeck.engine.tier.FlowSettings flow) {
        if (!enabled()) {
            return null;
        }
        if (redisUri == null) {
            throw new IllegalArgumentException(
                    "--node (or store.node) needs a Redis store: --redis redis://HOST:PORT (or store.type redis)");
        }
        SharedQueue shared;
        try {
            shared = SharedQueue.redis(redisUri, queue, node, lease, maxAttempts, window,
                    flow == null ? io.queuedeck.engine.tier.Tiers.DEFAULT : flow.table());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--node: " + e.getMessage(), e);
        }
        this.shared = shared;
        capTiers(flow);
        return shared;
    }

    /** The node for {@code engine} on the queue {@link #connect} joined, not started; null when not in distributed mode. */
    ClusterNode open(Engine engine) {
        if (shared == null) {
            return null;
        }
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queuedeck-node").daemon().factory());
        return ClusterNode.builder(engine, shared, thread).prefetch(prefetch).build();
    }

    /**
     * A tier's {@code max_concurrency} holds across the cluster: Redis counts the tier's leased tasks.
     * Called at the start and again with each config version applied live (the tiers reload).
     */
    void capTiers(io.queuedeck.engine.tier.FlowSettings flow) {
        if (shared == null || flow == null) {
            return;
        }
        shared.capTiersOf(flow);
    }

    /**
     * The config's tenant rates hold across the cluster (after {@link #open}): a token bucket per
     * tenant in Redis; the REST API's own per-node buckets apply as well.
     */
    void rateTenants(ServeConfig.TenantSection tenants) {
        if (shared == null || tenants == null) {
            return;
        }
        java.util.Map<String, SharedQueue.TenantRate> named = new java.util.HashMap<>();
        tenants.rates().forEach((tenant, rate) -> named.put(tenant, rate(rate)));
        shared.rateTenants(named, tenants.defaultRate() == null ? null : rate(tenants.defaultRate()));
    }

    private static SharedQueue.TenantRate rate(io.queuedeck.engine.api.RateLimit rate) {
        return new SharedQueue.TenantRate(rate.requestsPerSecond(), rate.burst());
    }

    /** The REST API's access to tasks other nodes hold or ran (after {@link #open}). */
    io.queuedeck.engine.api.SharedTasks tasks() {
        return new io.queuedeck.engine.cluster.ClusterTasks(shared);
    }

    /**
     * Finished tasks go back to the shared queue; its counters and this node's appear on /metrics.
     * Before the service starts.
     */
    static void attach(ApiService service, ClusterNode node) {
        service.onFinished(node::finished)
                .gauge("queuedeck_node_tasks", "This node's shared-queue counters: claimed, acknowledged, duplicates"
                        + " (completions another node acknowledged first), redeliveries, lost_leases, cancels (cancels from the shared queue applied here), reaped, handed_back (waiting claims returned while no instance here took work), ended_callbacks (callbacks of tasks that ended in the shared queue, sent from here), outages, held.",
                        "event", node::counters)
                .gauge("queuedeck_shared_queue_tasks", "The shared queue's counters across all nodes: enqueued, claimed,"
                        + " redelivered, acked, failed, duplicates, reaped, dead, cancelled.", "event", node::queueCounters)
                .gauge("queuedeck_shared_queue_data_loss", "Times this node found that Redis had lost the shared queue's"
                        + " data (its marker gone or another: a FLUSHALL, a restart without persistence, a failover to an"
                        + " empty replica; decision 0130), and the tasks the queue held before the last time: waiting,"
                        + " leased, leased_here, dead.", "what", node::dataLoss);
    }

    /**
     * Tasks that end in the shared queue call back through the service's dispatcher (decision 0117);
     * once the service has started, so the callbacks it resends at its start are not joined by these.
     */
    static void callBackEnded(ApiService service, ClusterNode node) {
        node.callBackEnded(service::callBack, service::flushCallbacks);
    }
}
