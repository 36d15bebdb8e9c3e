package io.queuedeck.console.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.api.ApiService;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.cluster.ClusterTasks;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The console as one node of a queue shared in Redis (docs/distributed.md): its engine claims
 * from the shared queue like a {@code serve} node, and the console reads the whole cluster (every
 * node, every tier's levels, the best waiting tasks, the dead letters) once a second on a thread of
 * its own, never the FX thread. Actions on the shared queue (tier modes, reprioritize, place,
 * cancel, retry, reclaiming a dead node's leases) run on that thread too, apply to every node, and go
 * into the audit trail.
 */
public final class ClusterLink implements AutoCloseable {
    /** Waiting tasks the console shows per tier. */
    public static final int SHOWN = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration WINDOW = Duration.ofHours(24);

    private final Engine engine;
    private final SharedQueue queue;
    private final ClusterNode node;
    private final ClusterTasks tasks;
    private final ScheduledExecutorService nodeThread;
    private final ScheduledExecutorService reader;
    private final AtomicReference<ClusterState> latest;
    private CompletionFeed feed;
    private boolean started;

    private ClusterLink(Engine engine, SharedQueue queue, ClusterSettings settings) {
        this.engine = engine;
        this.queue = queue;
        this.nodeThread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("queuedeck-node").daemon().factory());
        this.reader = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("queuedeck-cluster").daemon().factory());
        this.node = ClusterNode.builder(engine, queue, nodeThread).build();
        this.tasks = new ClusterTasks(queue);
        this.latest = new AtomicReference<>(ClusterState.empty(queue.node(), settings.queue(), settings.redisUri()));
    }

    /**
     * Connects to Redis (blocking: call it off the FX thread) as node {@code settings.nodeName()} of
     * the queue; nothing is claimed until {@link #start}.
     *
     * @throws IllegalArgumentException for a bad URI or name, or when Redis cannot be reached
     */
    public static ClusterLink join(Engine engine, ClusterSettings settings) {
        return over(engine, connect(settings), settings);
    }

    /**
     * Connects to Redis as node {@code settings.nodeName()} of the queue (blocking: off the FX
     * thread), before the engine is built: its store keeps the node's instance holds there (decision 0122).
     *
     * @throws IllegalArgumentException for a bad URI or name, or when Redis cannot be reached
     */
    public static SharedQueue connect(ClusterSettings settings) {
        return SharedQueue.redis(settings.redisUri(), settings.queue(), settings.nodeName(), LEASE, 3, WINDOW);
    }

    /** The link of {@code engine} to the queue {@link #connect} joined; nothing is claimed until {@link #start}. */
    public static ClusterLink over(Engine engine, SharedQueue queue, ClusterSettings settings) {
        return new ClusterLink(engine, queue, settings);
    }

    /** Submissions to the REST API go into the shared queue, and it answers for every node's tasks. */
    public void configure(ApiServer.Builder server) {
        server.intake(node::submit).sharedTasks(tasks);
    }

    /** Feeds finished tasks back through the API's completion feed; before the service starts, and before {@link #start}. */
    public void attach(ApiService service) {
        service.onFinished(node::finished)
                .gauge("queuedeck_node_tasks", "This node's shared-queue counters.", "event", node::counters)
                .gauge("queuedeck_shared_queue_tasks", "The shared queue's counters across all nodes.", "event",
                        node::queueCounters)
                .gauge("queuedeck_shared_queue_data_loss", "Times this node found that Redis had lost the shared queue's"
                        + " data, and the tasks it held before the last time (decision 0130).", "what", node::dataLoss);
    }

    /**
     * Sends the callbacks of tasks that ended in the shared queue through the API's dispatcher
     * (decision 0117): once the service has started (one that failed to start would drop them),
     * before {@link #start}.
     */
    public void callBackEnded(ApiService service) {
        node.callBackEnded(service::callBack, service::flushCallbacks);
    }

    /**
     * Starts claiming and reading the cluster. {@code ownFeed}: finished tasks reach the node through
     * a completion feed of its own (the console runs no REST API, or it did not start).
     */
    public synchronized void start(boolean ownFeed) {
        if (started) {
            return;
        }
        started = true;
        if (ownFeed) {
            feed = new CompletionFeed(engine, nodeThread).onFinished(node::finished);
            feed.start(2);
        }
        node.start();
        reader.scheduleWithFixedDelay(this::read, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Takes the console's config: each tier's {@code max_concurrency} and each tenant's rate hold
     * across the cluster (as on a {@code serve} node); called again with each version applied live.
     */
    public void applyConfig(io.queuedeck.engine.config.ServeConfig config) {
        queue.capTiersOf(config.flow());
        Map<String, SharedQueue.TenantRate> named = new java.util.HashMap<>();
        config.tenants().rates().forEach((tenant, rate) -> named.put(tenant,
                new SharedQueue.TenantRate(rate.requestsPerSecond(), rate.burst())));
        var fallback = config.tenants().defaultRate();
        queue.rateTenants(named, fallback == null ? null
                : new SharedQueue.TenantRate(fallback.requestsPerSecond(), fallback.burst()));
    }

    /** The shared queue as last read; any thread. */
    public ClusterState latest() {
        return latest.get();
    }

    /** This node's name. */
    public String nodeName() {
        return queue.node();
    }

    /**
     * The shared queue's record of a task, as one line for the operator ("waiting, P5, tenant acme,
     * node gpu-b"), read on the cluster thread; empty when the shared queue does not know it.
     */
    public CompletableFuture<java.util.Optional<String>> describe(String id) {
        return CompletableFuture.supplyAsync(() -> {
            Map<String, String> fields = queue.task(id); // one read: the record and its lease agree
            return ClusterTasks.shared(id, fields).map(t -> describe(t, fields.get("lease_left_ms")));
        }, reader);
    }

    /** The line for a task: state, priority, tenant, holding node, attempts, deliveries and, leased, its lease. */
    static String describe(io.queuedeck.engine.api.SharedTasks.Shared t, String leaseLeftMillis) {
        StringBuilder text = new StringBuilder(t.state()).append(", P").append(t.priority());
        if (t.tenant() != null) {
            text.append(", tenant ").append(t.tenant());
        }
        if (t.node() != null && !t.node().isEmpty()) {
            text.append(t.state().equals("leased") ? ", held by node " : ", last on node ").append(t.node());
        }
        text.append(", ").append(t.attempts()).append(t.attempts() == 1 ? " attempt" : " attempts");
        text.append(", ").append(t.deliveries()).append(t.deliveries() == 1 ? " delivery" : " deliveries");
        if (leaseLeftMillis != null && t.state().equals("leased")) {
            long left = Long.parseLong(leaseLeftMillis);
            text.append(left > 0 ? String.format(Locale.ROOT, ", lease %.1f s left", left / 1e3)
                    : ", lease expired (the reaper returns it)");
        }
        if (Boolean.TRUE.equals(t.cancelRequested())) {
            text.append(", cancel asked");
        }
        return text.toString();
    }

    /**
     * A page of the shared queue's tasks that {@code filter} matches (decision 0083a), read by rank on the
     * cluster thread; fails with the reason when the shared queue cannot answer the filter.
     */
    public CompletableFuture<io.queuedeck.engine.cluster.SharedSearch.Result> search(io.queuedeck.engine.task.TaskFilter filter,
                                                                                     int offset, int limit) {
        return CompletableFuture.supplyAsync(() -> io.queuedeck.engine.cluster.SharedSearch.search(queue, filter, offset, limit),
                reader);
    }

    /**
     * A bulk action over every task of the shared queue that {@code filter} matches, each task by its own
     * atomic script, for every node; recorded in the audit trail with the number changed, then the cluster is read again.
     */
    public CompletableFuture<io.queuedeck.engine.cluster.SharedSearch.Applied> bulk(io.queuedeck.engine.task.TaskFilter filter,
            io.queuedeck.engine.command.BulkAction action, Integer priority) {
        return CompletableFuture.supplyAsync(() -> {
            var applied = io.queuedeck.engine.cluster.SharedSearch.apply(queue, filter, action, priority);
            engine.audit().record(ConsoleAudit.actor(), "console", "bulk." + action.key(), "shared queue (cluster)",
                    applied.changed(), null);
            read();
            return applied;
        }, reader);
    }

    /** Reads the cluster now (also after each action), off the FX thread. */
    public CompletableFuture<ClusterState> refresh() {
        return CompletableFuture.supplyAsync(() -> {
            read();
            return latest.get();
        }, reader);
    }

    private void read() {
        ClusterState before = latest.get();
        SharedQueue.DataLoss loss = queue.dataLoss(); // this node's memory: known whether Redis answers or not
        String lost = loss.times() == 0 ? null : loss.message();
        try {
            SharedQueue.Levels levels = queue.levels();
            List<List<SharedQueue.Listed>> waiting = new ArrayList<>();
            for (SharedQueue.TierLevel tier : levels.tiers()) {
                waiting.add(tier.waiting() == 0 ? List.of()
                        : queue.list(SharedQueue.Listing.WAITING, tier.tier(), 0, SHOWN, false).tasks());
            }
            List<SharedQueue.Listed> dead = levels.dead() == 0 ? List.of()
                    : queue.list(SharedQueue.Listing.DEAD, 0, 0, SHOWN, false).tasks();
            List<ClusterState.NodeRow> nodes = queue.nodes().stream().map(ClusterLink::row).toList();
            latest.set(new ClusterState(before.node(), before.queue(), before.redisUri(), null, nodes, levels.tiers(),
                    levels.dead(), List.copyOf(waiting), dead, lost));
        } catch (StoreUnavailableException e) {
            latest.set(new ClusterState(before.node(), before.queue(), before.redisUri(), "Redis unreachable: "
                    + e.getMessage(), before.nodes(), before.tiers(), before.dead(), before.waiting(), before.deadTasks(), lost));
        } catch (RuntimeException e) {
            latest.set(new ClusterState(before.node(), before.queue(), before.redisUri(), e.getMessage(), before.nodes(),
                    before.tiers(), before.dead(), before.waiting(), before.deadTasks(), lost));
        }
    }

    /** A node's announcement ({@code [{"id","model","state","running","batch"}…]}) as a row. */
    static ClusterState.NodeRow row(SharedQueue.NodeStatus status) {
        int instances = 0, running = 0, batch = 0;
        Map<String, Integer> states = new TreeMap<>();
        try {
            for (JsonNode i : JSON.readTree(status.detail().isEmpty() ? "[]" : status.detail())) {
                instances++;
                running += i.path("running").asInt();
                batch += i.path("batch").asInt();
                states.merge(i.path("state").asText("unknown"), 1, Integer::sum);
            }
        } catch (IOException e) {
            // an announcement it cannot read still shows the node and its heartbeat
        }
        StringBuilder text = new StringBuilder();
        states.forEach((state, n) -> text.append(text.isEmpty() ? "" : ", ").append(n).append(' ').append(state));
        return new ClusterState.NodeRow(status.name(), status.ageMillis(), instances, running, batch, text.toString());
    }

    // ---------------------------------------------------------------- actions on every node

    /** Pauses, drains or reactivates a tier on every node; also on this console's own engine by the caller. */
    public CompletableFuture<String> tierMode(int tier, TierMode mode) {
        return act("tier." + mode.name().toLowerCase(Locale.ROOT), "cluster tier " + tier, () -> {
            queue.tierMode(tier, mode);
            return "changed";
        });
    }

    /** The same for a tier named by the engine's {@link Tier} (the console's tier commands). */
    public CompletableFuture<String> tierMode(Tier tier, TierMode mode) {
        return tierMode(tier.index(), mode);
    }

    /**
     * Returns the leases of node {@code name}, which must be gone, to the shared queue at once, as expired
     * ones return (decision 0130); audited, then the cluster is read again. Fails with the reason when the
     * node is alive or unknown.
     */
    public CompletableFuture<String> reclaim(String name) {
        return CompletableFuture.supplyAsync(() -> {
            SharedQueue.Reclaimed r = queue.reclaim(name);
            switch (r.kind()) {
                case ALIVE -> throw new IllegalStateException("node " + name + " is alive (Redis heard from it "
                        + r.heardMillisAgo() + " ms ago): its leases are its own; stop it, then reclaim");
                case UNKNOWN -> throw new IllegalStateException("no node " + name + " in the shared queue");
                case RECLAIMED -> {
                }
            }
            engine.audit().record(ConsoleAudit.actor(), "console", "cluster.node.reclaim", name, r.tasks(),
                    r.requeued() + " requeued, " + r.dead() + " dead-lettered, " + r.cancelled() + " cancelled");
            read();
            return "reclaimed";
        }, reader);
    }

    /** Moves a waiting task to another priority (and so maybe another tier). */
    public CompletableFuture<String> reprioritize(String id, int priority) {
        return act("task.reprioritize", id + " to P" + priority + " (cluster)", () -> queue.reprioritize(id, priority));
    }

    /** Puts a waiting task just before another of its tier (drag-to-reprioritize across nodes). */
    public CompletableFuture<String> place(String id, String beforeId) {
        return act("task.place", id + " before " + beforeId + " (cluster)", () -> queue.place(id, beforeId));
    }

    /** Cancels a waiting task, or asks its holder to stop a leased one. */
    public CompletableFuture<String> cancel(String id) {
        return act("task.cancel", id + " (cluster)", () -> queue.cancel(id));
    }

    /** Puts a dead, failed or cancelled task back in its place. */
    public CompletableFuture<String> retry(String id) {
        return act("task.retry", id + " (cluster)", () -> queue.retry(id));
    }

    /**
     * Runs {@code step} on the reader's thread; an answer other than a success fails the future
     * with the state that forbade it. A success is recorded in the audit trail, then the cluster is read again.
     */
    private CompletableFuture<String> act(String action, String target, java.util.function.Supplier<String> step) {
        return CompletableFuture.supplyAsync(() -> {
            String answer = step.get();
            if (!List.of("changed", "cancelled", "cancel_requested", "retried").contains(answer)) {
                throw new IllegalStateException(target + ": " + (answer.equals("unknown") ? "no such task in the shared queue"
                        : answer.equals("not_beside") ? "the other task is not waiting in the same tier" : "the task is " + answer));
            }
            engine.audit().record(ConsoleAudit.actor(), "console", action, target, action.startsWith("task.") ? 1 : 0, null);
            read();
            return answer;
        }, reader);
    }

    /** Stops claiming and hands back unstarted claims (after the engine drained), then disconnects. */
    @Override
    public synchronized void close() {
        reader.shutdownNow();
        node.close(); // closes the shared queue too
        if (feed != null) {
            feed.close();
        }
        nodeThread.shutdownNow();
    }
}
