package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.tier.TierMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The whole cluster through any node (distributed mode, docs/distributed.md): {@code GET
 * /v1/cluster} (every node, each tier's levels and mode), {@code POST /v1/cluster/queues/{tier}:
 * {pause|resume|drain}} for every node, {@code POST /v1/cluster/nodes/{node}:reclaim} (a dead node's
 * leases back in the queue now, decision 0130), and {@code GET /v1/tasks} listing the shared queue from
 * Redis, paged by rank ({@code scope=node}: this node's own engine, as without Redis). Every read
 * is a few Redis commands on the request's thread; nothing scans, nothing waits on the loop.
 */
final class ClusterRoutes {
    static final int DEFAULT_PAGE = 100, MAX_PAGE = 500;
    /**
     * Entries a filtered listing reads at most for one page (decision 0071): a page holds
     * {@code limit} matches unless the list ends or this many were read first; next_offset goes on.
     */
    static final int MAX_READ = 5_000;
    /** Search parameters the shared listing filters by; the others search one node's engine only. */
    private static final Set<String> SHARED_FILTERS = Set.of("id", "model", "tenant", "priority", "min_priority", "max_priority");

    private final SharedTasks shared;
    private final Auditor auditor;

    private ClusterRoutes(SharedTasks shared, Auditor auditor) {
        this.shared = shared;
        this.auditor = auditor;
    }

    /** A page of the shared queue's list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SharedList(List<SharedTasks.Shared> tasks, long total, int offset, @JsonProperty("next_offset") Integer nextOffset,
                      String state, String source) {}

    /** Registers the cluster routes; answers {@code GET /v1/tasks}'s handler, {@code local} serving {@code scope=node}. */
    static Handler register(Javalin app, SharedTasks shared, Auditor auditor, Handler local) {
        ClusterRoutes routes = new ClusterRoutes(shared, auditor);
        app.get("/v1/cluster", guarded(ctx -> {
            TaskAccess.require(ctx, "read the cluster", Scope.READ);
            Routes.json(ctx, 200, shared.cluster());
        }));
        app.post("/v1/cluster/queues/{action}", guarded(routes::act));
        app.post("/v1/cluster/nodes/{action}", guarded(routes::reclaim));
        return guarded(ctx -> {
            String scope = ctx.queryParam("scope");
            if ("node".equals(scope)) {
                local.handle(ctx);
            } else if (scope == null || scope.equals("cluster")) {
                routes.list(ctx);
            } else {
                throw ApiException.invalid("scope", "scope must be cluster (the default: the shared queue) or node"
                        + " (this node's engine), got '" + ApiException.shorten(scope) + "'");
            }
        });
    }

    /** Redis unreachable: 503 store_unavailable, as for a submission. */
    private static Handler guarded(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (StoreUnavailableException e) {
                throw EngineAnswers.refusal(e);
            }
        };
    }

    private void act(Context ctx) {
        TaskAccess.requireUnbound(ctx, "pause, resume or drain the cluster's tiers", Scope.OPERATE);
        Client client = TaskAccess.client(ctx);
        if (client != null) {
            client.checkMayControlQueues();
        }
        String action = ctx.pathParam("action");
        int colon = action.lastIndexOf(':');
        String tier = colon < 0 ? "" : action.substring(0, colon); // exactly as written (decision 0141)
        String verb = colon < 0 ? action : action.substring(colon + 1);
        QueueRoutes.nearMiss("action", verb, List.of("pause", "resume", "drain"));
        TierMode mode = switch (verb) {
            case "pause" -> TierMode.PAUSED;
            case "drain" -> TierMode.DRAINING;
            case "resume" -> TierMode.ACTIVE;
            default -> throw new ApiException(404, "not_found", "unknown cluster queue action '" + ApiException.shorten(action)
                    + "'; use POST /v1/cluster/queues/{tier}:{pause|resume|drain}");
        };
        try {
            shared.tierMode(tier, mode);
        } catch (IllegalArgumentException e) {
            // a near miss is a 400 naming the spelling meant, as on every route (decision 0141); the tiers are
            // the shared queue's, so they are read only here, once the name matched none
            QueueRoutes.nearMiss("tier", tier, List.copyOf(shared.cluster().tiers().keySet()));
            throw new ApiException(404, "not_found", e.getMessage());
        }
        auditor.record(ctx, "cluster.tier." + verb, tier, 0, null);
        Routes.json(ctx, 200, shared.cluster());
    }

    /**
     * {@code POST /v1/cluster/nodes/{node}:reclaim}: the leases of a node that is gone return to the queue
     * now, each as an expired one would (decision 0130); 409 while the node is alive, 404 for a node
     * the shared queue does not know.
     */
    private void reclaim(Context ctx) {
        TaskAccess.requireUnbound(ctx, "reclaim a node's leases", Scope.OPERATE);
        String action = ctx.pathParam("action");
        int colon = action.lastIndexOf(':');
        String node = colon < 0 ? "" : action.substring(0, colon);
        if (colon >= 0) {
            QueueRoutes.nearMiss("action", action.substring(colon + 1), List.of("reclaim"));
        }
        if (colon < 0 || node.isEmpty() || !action.substring(colon + 1).equals("reclaim")) {
            throw new ApiException(404, "not_found", "unknown cluster node action '" + ApiException.shorten(action)
                    + "'; use POST /v1/cluster/nodes/{node}:reclaim");
        }
        SharedTasks.Reclaimed answer = shared.reclaim(node);
        switch (answer.outcome()) {
            case "alive" -> throw new ApiException(409, "node_alive", "node '" + ApiException.shorten(node) + "' is alive:"
                    + " Redis heard from it " + answer.heardMillisAgo() + " ms ago, and its leases are its own. A node is"
                    + " gone once silent for twice its announcement period and a second (3 s at most; 15 s while it"
                    + " starts): stop it, then reclaim");
            case "unknown" -> throw new ApiException(404, "not_found", "no node '" + ApiException.shorten(node) + "' in the"
                    + " shared queue: Redis has neither a record nor a lease of it (a node that stopped cleanly handed its"
                    + " claims back)");
            default -> {
            }
        }
        auditor.record(ctx, "cluster.node.reclaim", node, answer.reclaimed(), answer.requeued() + " requeued, "
                + answer.deadLettered() + " dead-lettered, " + answer.cancelled() + " cancelled");
        Routes.json(ctx, 200, answer);
    }

    private void list(Context ctx) {
        TaskAccess.require(ctx, "read tasks", Scope.READ);
        for (String name : SearchParams.SEARCH_ONLY) {
            if (ctx.queryParam(name) != null && !SHARED_FILTERS.contains(name) && !name.equals("offset")) {
                throw ApiException.invalid(name, name + " searches one node's engine only: add scope=node"
                        + " (the shared queue is listed by state, tier, id, model, tenant and priority)");
            }
        }
        if (ctx.queryParam("cursor") != null) {
            throw ApiException.invalid("cursor", "the shared queue pages by offset (next_offset); cursor pages scope=node");
        }
        String state = switch (param(ctx, "state", "waiting")) { // exactly, as every enum of the API (decision 0141)
            case "waiting", "queued", "QUEUED" -> "waiting"; // or as a task's JSON writes its state
            case "leased", "running", "RUNNING" -> "leased";
            case "dead", "dead_lettered", "DEAD_LETTERED" -> "dead";
            default -> throw ApiException.invalid("state", "the shared queue lists waiting (queued), leased (running) or"
                    + " dead (dead_lettered) tasks; a finished one is read by id, got '" + ApiException.shorten(ctx.queryParam("state")) + "'"
                    + io.queuedeck.engine.task.WireNames.hint(ctx.queryParam("state"),
                            List.of("waiting", "queued", "leased", "running", "dead", "dead_lettered")));
        };
        String tier = ctx.queryParam("tier");
        int limit = Routes.intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        int offset = Routes.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE - MAX_PAGE);
        String tenantParam = ctx.queryParam("tenant");
        String tenant = TaskAccess.listTenant(ctx, tenantParam == null || tenantParam.isEmpty() ? null : tenantParam);
        Predicate<SharedTasks.Shared> keep = filter(ctx, tenant);
        boolean filtered = tenant != null || SHARED_FILTERS.stream().anyMatch(name -> ctx.queryParam(name) != null);
        String tierName = tier == null || tier.isEmpty() ? null : tier;
        List<SharedTasks.Shared> tasks = new ArrayList<>(limit);
        long total;
        int at = offset; // the next position to read, by rank
        int chunk = filtered ? MAX_PAGE : limit;
        boolean more;
        do { // filtered: read on by rank until the page is full, the list ends or the read budget is spent
            SharedTasks.Page page;
            try {
                page = shared.list(state, tierName, at, chunk);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("tier", e.getMessage());
            }
            total = page.total();
            for (SharedTasks.Shared task : page.tasks()) {
                at++;
                if (keep.test(task) && tasks.add(task) && tasks.size() == limit) {
                    break;
                }
            }
            more = page.tasks().size() == chunk && tasks.size() < limit && at < total && at - offset < MAX_READ;
        } while (more);
        Integer next = at < total ? at : null;
        Routes.json(ctx, 200, new SharedList(tasks, total, offset, next, state, "shared_queue"));
    }

    private static Predicate<SharedTasks.Shared> filter(Context ctx, String tenant) {
        String id = ctx.queryParam("id");
        Client client = TaskAccess.client(ctx);
        String scopedId = id == null || client == null || client.tenant() == null ? id : TaskAccess.scoped(client.tenant(), id);
        String model = ctx.queryParam("model");
        Integer priority = priority(ctx, "priority");
        Integer min = priority(ctx, "min_priority");
        Integer max = priority(ctx, "max_priority");
        return t -> (id == null || t.taskId().equals(id) || t.taskId().equals(scopedId)) // a bound client's either way
                && (model == null || model.equals(t.model()))
                && (tenant == null || tenant.equals(t.tenant()))
                && (priority == null || t.priority() == priority)
                && (min == null || t.priority() >= min)
                && (max == null || t.priority() <= max);
    }

    private static Integer priority(Context ctx, String name) {
        return ctx.queryParam(name) == null ? null : Routes.intParam(ctx, name, 0, 0, 9);
    }

    private static String param(Context ctx, String name, String fallback) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

}
