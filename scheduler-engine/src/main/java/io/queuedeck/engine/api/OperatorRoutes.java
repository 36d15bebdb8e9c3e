package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditExport;
import io.queuedeck.engine.audit.AuditPage;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.bulk.BulkRequest;
import io.queuedeck.engine.bulk.OperationStatus;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.WireNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;

/**
 * Operators' endpoints (decisions 0040, 0041): {@code POST /v1/tasks:bulk}, {@code GET /v1/operations},
 * {@code GET /v1/operations/{id}}, {@code POST /v1/operations/{id}:undo} and {@code GET /v1/audit}.
 * A tenant-bound client's bulk filter is narrowed to its tenant, and it sees only its tenant's
 * operations; another tenant's operation answers 404 like an unknown one.
 */
final class OperatorRoutes {
    private final Engine engine;
    private final EngineAnswers answers;
    private final Auditor auditor;
    private final BiFunction<Context, Class<?>, Object> bodies;
    /** A node of a shared queue: a bulk action reaches this node's engine only, so it must say so (scope: node). */
    private final boolean node;

    OperatorRoutes(Engine engine, EngineAnswers answers, Auditor auditor, BiFunction<Context, Class<?>, Object> bodies, boolean node) {
        this.engine = engine;
        this.answers = answers;
        this.auditor = auditor;
        this.bodies = bodies;
        this.node = node;
    }

    /** The body of {@code POST /v1/tasks:bulk}. */
    record BulkBody(SearchParams.FilterBody filter, String action, Integer priority, Integer lane, String tier,
                    String position, @JsonProperty("dry_run") com.fasterxml.jackson.databind.JsonNode dryRun, String scope) {}

    /** A dry run's answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DryRun(@JsonProperty("dry_run") boolean dryRun, String action, String description, int matched,
                  @JsonProperty("would_change") int wouldChange, boolean undoable, @JsonProperty("filter") String filter) {}

    void register(Javalin app) {
        app.post("/v1/tasks:bulk", this::bulk);
        app.get("/v1/operations", ctx -> {
            TaskAccess.require(ctx, "read operations", Scope.READ, Scope.OPERATE);
            Routes.json(ctx, 200, Map.of("operations", engine.operations().recent(tenant(ctx))));
        });
        app.get("/v1/operations/{id}", this::operation);
        app.post("/v1/operations/{id}", this::undo); // {id}:undo — the colon form, as in tasks:bulk
        app.get("/v1/audit", this::audit);
    }

    private void bulk(Context ctx) {
        TaskAccess.require(ctx, "run bulk actions", Scope.OPERATE);
        BulkBody body = (BulkBody) bodies.apply(ctx, BulkBody.class);
        if (body == null) {
            throw ApiException.invalid("filter", "the body must be {\"filter\": {...}, \"action\": \"reprioritize|move|cancel|retry\", ...}");
        }
        if (body.scope() != null && !body.scope().equals("node")) {
            throw ApiException.invalid("scope", "scope must be node (this server's own engine), got '"
                    + ApiException.shorten(body.scope()) + "'");
        }
        if (node && body.scope() == null) { // it matched 0 of the shared queue's waiting tasks, and said nothing
            throw ApiException.invalid("scope", "a bulk action acts on this node's own engine only, not on the tasks"
                    + " waiting in the shared queue: add \"scope\": \"node\" (the console's search acts across the cluster)");
        }
        if (body.filter() != null) {
            body.filter().refuseBlank("filter."); // before the tenant is checked: a blank one is no tenant at all
        }
        String tenant = TaskAccess.listTenant(ctx, body.filter() == null ? null : body.filter().tenant(), "filter.tenant");
        TaskFilter filter = SearchParams.filter(body.filter(), tenant);
        BulkRequest request = request(ctx, body, filter);
        if (Json.flag("dry_run", body.dryRun())) {
            io.queuedeck.engine.command.BulkCount count = answers.await(engine.operations().count(request));
            Routes.json(ctx, 200, new DryRun(true, request.action().key(), request.describe(), count.matched(),
                    count.wouldChange(), request.action().undoable(), io.queuedeck.engine.bulk.BulkOperations.describe(filter)));
            return;
        }
        // refused as its dry run is, before anything is accepted: it answered 202 and then ended failed
        answers.await(engine.operations().check(request));
        Client client = TaskAccess.client(ctx);
        // a tenant's own client retrying dead letters is held to the byte budget, as its parked replay is
        OperationStatus started = engine.operations().start(request, Auditor.actor(ctx), "api", tenant,
                client != null && client.tenant() != null);
        ctx.header("Location", "/v1/operations/" + started.id());
        Routes.json(ctx, 202, started);
    }

    private BulkRequest request(Context ctx, BulkBody body, TaskFilter filter) {
        BulkAction action = BulkAction.byKey(body.action()); // exactly: "Cancel" is refused, naming "cancel" (decision 0141)
        if (action == null) {
            List<String> actions = java.util.Arrays.stream(BulkAction.values()).map(BulkAction::key).toList();
            throw ApiException.invalid("action", body.action() == null ? "action is required, one of " + actions
                    : WireNames.refusal("action", body.action(), actions));
        }
        Integer priority = body.priority();
        if (action == BulkAction.MOVE) {
            if (body.priority() != null) {
                throw ApiException.invalid("priority", "a move names its lane (lane: 0..9) or tier (tier: "
                        + engine.tiers().names() + ")");
            }
            if (body.lane() != null && body.tier() != null) {
                throw ApiException.invalid("tier", "give lane or tier, not both");
            }
            if (body.lane() == null && body.tier() == null) {
                throw ApiException.invalid("lane", "a move needs its lane (lane: 0..9) or tier (tier: "
                        + engine.tiers().names() + ")");
            }
            priority = body.tier() != null ? tierLane(body.tier()) : body.lane();
        } else if (body.lane() != null || body.tier() != null) {
            throw ApiException.invalid(body.lane() != null ? "lane" : "tier", "lane and tier apply to move only");
        }
        Client client = TaskAccess.client(ctx);
        if (client != null && priority != null) {
            client.checkPriority(action == BulkAction.MOVE ? "lane" : "priority", priority);
        }
        try {
            return new BulkRequest(filter, action, priority, body.position());
        } catch (InvalidTaskException e) {
            throw ApiException.invalid(e.errors().getFirst().field(), e.getMessage());
        }
    }

    /** A move to a tier goes to the tier's most urgent lane (decision 0040). */
    private int tierLane(String tier) {
        return engine.tiers().named(tier).filter(t -> !t.deadLetter()).map(io.queuedeck.engine.tier.Tier::first)
                .orElseThrow(() -> ApiException.invalid("tier", WireNames.refusal("tier", tier, tierNames())));
    }

    /** The tiers a task can be moved to, as the config names them. */
    private List<String> tierNames() {
        return engine.tiers().list().stream().map(io.queuedeck.engine.tier.Tier::name).toList();
    }

    private void operation(Context ctx) {
        TaskAccess.require(ctx, "read operations", Scope.READ, Scope.OPERATE);
        String id = ctx.pathParam("id");
        Routes.json(ctx, 200, engine.operations().status(id, tenant(ctx)).orElseThrow(() -> unknown(id)));
    }

    private void undo(Context ctx) {
        String path = ctx.pathParam("id");
        if (!path.endsWith(":undo")) {
            throw new ApiException(404, "not_found", "unknown operation action; use POST /v1/operations/{id}:undo");
        }
        TaskAccess.require(ctx, "undo operations", Scope.OPERATE);
        String id = path.substring(0, path.length() - ":undo".length());
        Client client = TaskAccess.client(ctx);
        try {
            Routes.json(ctx, 202, engine.operations().undo(id, Auditor.actor(ctx), "api", tenant(ctx),
                    client == null ? 0 : client.policy().mostUrgentPriority()));
        } catch (io.queuedeck.engine.bulk.BulkOperations.PriorityNotAllowed e) {
            client.checkPriority("operation", e.priority()); // an undo may not restore what the client may not set
            throw e;
        } catch (NoSuchElementException e) {
            throw unknown(id);
        } catch (TaskConflictException e) {
            throw new ApiException(409, "conflict", e.getMessage());
        }
    }

    /**
     * {@code GET /v1/audit}: read scope on a client not bound to a tenant (or admin), since entries
     * name every tenant's tasks and every client; {@code format=csv} or {@code json} exports.
     */
    private void audit(Context ctx) {
        // tenant_bound, as every other view of all tenants answers a bound client
        TaskAccess.requireUnbound(ctx, "read the audit trail, which names every tenant's tasks", Scope.READ);
        String format = ctx.queryParam("format");
        boolean export = format != null && !format.isEmpty();
        if (export && !format.equals("csv") && !format.equals("json")) {
            throw ApiException.invalid("format", "format must be csv or json, got '" + ApiException.shorten(format) + "'"
                    + WireNames.hint(format, List.of("csv", "json")));
        }
        int limit = Routes.intParam(ctx, "limit", export ? AuditQuery.MAX_LIMIT : 100, 1, AuditQuery.MAX_LIMIT);
        int offset = Routes.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        Instant since = instant(ctx, "since"), until = instant(ctx, "until");
        if (since != null && until != null && until.isBefore(since)) {
            // swapped bounds matched nothing, an empty trail an operator would read as "nothing happened"
            throw ApiException.invalid("until", "until must not be before since (" + since + "), got '" + until + "'");
        }
        AuditQuery query = new AuditQuery(ctx.queryParam("q"), blank(ctx.queryParam("actor")), blank(ctx.queryParam("action")),
                since, until, offset, limit);
        AuditPage page = engine.audit().find(query);
        if ("csv".equals(format)) {
            ctx.header("Content-Disposition", "attachment; filename=\"queuedeck-audit.csv\"");
            ctx.status(200).contentType("text/csv; charset=utf-8")
                    .result(AuditExport.csv(page.entries()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if ("json".equals(format)) {
            ctx.header("Content-Disposition", "attachment; filename=\"queuedeck-audit.json\"");
        }
        Integer next = offset + page.entries().size() < page.total() ? offset + page.entries().size() : null;
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("entries", page.entries());
        answer.put("total", page.total());
        answer.put("next_offset", next);
        Routes.json(ctx, 200, answer);
    }

    private static Instant instant(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(name, name + " must be an RFC 3339 instant such as 2026-01-01T00:00:00Z, got '"
                    + ApiException.shorten(text) + "'");
        }
    }

    /** The tenant whose operations the caller sees: a bound client's own, everyone's otherwise. */
    private static String tenant(Context ctx) {
        Client client = TaskAccess.client(ctx);
        return client == null ? null : client.tenant();
    }

    private static ApiException unknown(String id) {
        return new ApiException(404, "not_found", "no operation '" + ApiException.shorten(id) + "'");
    }

    private static String blank(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

}
