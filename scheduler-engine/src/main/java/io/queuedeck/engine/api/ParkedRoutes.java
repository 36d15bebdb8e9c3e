package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.bulk.BulkOperations;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Work a tier parked ({@code degrade: park}; docs/flow-control.md): {@code GET /v1/tiers/{tier}/parked}
 * lists it, {@code POST /v1/tiers/{tier}/parked:replay} queues it again, all of it or what a filter
 * selects, oldest first, each task as an operator's dead-letter retry (fresh attempts), and records
 * the replay in the audit trail. The loop walks the tier's parked tasks only, never every task.
 */
final class ParkedRoutes {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    private final Engine engine;
    private final EngineAnswers answers;
    private final Auditor auditor;
    private final BiFunction<Context, Class<?>, Object> bodies;
    private final Listings listings;

    ParkedRoutes(Engine engine, EngineAnswers answers, Auditor auditor, BiFunction<Context, Class<?>, Object> bodies,
                 Listings listings) {
        this.engine = engine;
        this.answers = answers;
        this.auditor = auditor;
        this.bodies = bodies;
        this.listings = listings;
    }

    /** The body of a replay: which parked tasks ({} for all), how many at most, and whether only to count them. */
    record ReplayBody(SearchParams.FilterBody filter, Integer limit, @JsonProperty("dry_run") com.fasterxml.jackson.databind.JsonNode dryRun) {}

    /**
     * {@code GET /v1/tiers/{tier}/parked}: each task as {@code GET /v1/tasks/{id}} shows it, oldest
     * first; {@code next_cursor} (and {@code more}) when more parked tasks may match: the page ended
     * at its limit or its bytes, or the walk at its bound (a page may then hold fewer than its limit,
     * even none).
     */
    record Parked(String tier, List<TaskReport> tasks, boolean more, @JsonProperty("next_cursor") String nextCursor) {}

    /** A replay's answer: the tasks queued again, and those that could not be (replayed or cancelled meanwhile). */
    record Replayed(String tier, @JsonProperty("dry_run") boolean dryRun, int matched, List<String> replayed,
                    List<Skipped> skipped) {}

    record Skipped(@JsonProperty("task_id") String taskId, String reason) {}

    void register(Javalin app) {
        app.get("/v1/tiers/{tier}/parked", this::list);
        app.post("/v1/tiers/{tier}/parked:replay", this::replay);
    }

    private void list(Context ctx) {
        TaskAccess.require(ctx, "read parked tasks", Scope.READ, Scope.OPERATE);
        Tier tier = tier(ctx);
        String tenant = TaskAccess.listTenant(ctx, ctx.queryParam("tenant"));
        TaskFilter filter = SearchParams.fromQuery(ctx, tenant);
        Integer limit = ctx.queryParam("limit") == null ? null : parseLimit(ctx.queryParam("limit"));
        String cursor = ctx.queryParam("cursor");
        long after = cursor == null ? -1 : Listings.after(cursor);
        // held as task listings are (decision 0100): a turn to build it, at most 4 MiB of JSON, the
        // client's share of the bytes being written; 40 tasks of heavy metadata made one page of 14.5 MB,
        // and twenty unread ones ran the heap out
        listings.send(ctx, listings.inTurn(() -> {
            TaskPage matched = parked(tier, filter, limit, after);
            List<TaskReport> page = Listings.fitting(matched.tasks(), view -> TaskReport.of(view, engine.clock()::toInstant));
            long next = page.size() < matched.tasks().size() ? matched.tasks().get(page.size() - 1).sequence()
                    : matched.nextSequence();
            return Json.write(new Parked(name(tier), page, next >= 0, next >= 0 ? Listings.cursor(next) : null));
        }));
    }

    private void replay(Context ctx) {
        TaskAccess.require(ctx, "replay parked tasks", Scope.OPERATE);
        Tier tier = tier(ctx);
        ReplayBody body = (ReplayBody) bodies.apply(ctx, ReplayBody.class);
        if (body == null || body.filter() == null) { // as for bulk actions: "all" is said, never implied
            throw ApiException.invalid("filter", "filter is required: the body must be {\"filter\": {...}, \"limit\": N}"
                    + " ({\"filter\": {}} replays every parked task of the tier, up to the limit)");
        }
        SearchParams.FilterBody given = body.filter();
        given.refuseBlank("filter."); // before the tenant is checked: a blank one is no tenant at all
        String tenant = TaskAccess.listTenant(ctx, given.tenant(), "filter.tenant");
        TaskFilter filter = SearchParams.filter(given, tenant);
        List<TaskView> matched = parkedAll(tier, filter, body.limit());
        if (Json.flag("dry_run", body.dryRun())) {
            Routes.json(ctx, 200, new Replayed(name(tier), true, matched.size(), List.of(), List.of()));
            return;
        }
        List<String> replayed = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        boolean bound = TaskAccess.client(ctx) != null && TaskAccess.client(ctx).tenant() != null;
        try {
            for (TaskView task : matched) {
                try {
                    // a tenant's own client is held to the byte budget and its share: replaying, it took 2.3x its share
                    answers.await(engine.send(new Command.RetryDeadLetter(task.id(), bound)));
                    replayed.add(task.id());
                } catch (ApiException e) {
                    if (e.status() == 429) {
                        skipped.add(new Skipped(task.id(), e.getMessage() + "; it and the rest stay parked"));
                        break;
                    }
                    if (e.status() != 404 && e.status() != 409) {
                        throw e;
                    }
                    skipped.add(new Skipped(task.id(), e.getMessage())); // an operator got there first
                }
            }
        } finally { // what was replayed is recorded, even when the engine stopped answering half way
            auditor.record(ctx, "tier.replay_parked", name(tier), replayed.size(), BulkOperations.describe(filter)
                    + (skipped.isEmpty() ? "" : "; " + skipped.size() + " skipped"));
        }
        Routes.json(ctx, 200, new Replayed(name(tier), false, matched.size(), replayed, skipped));
    }

    private TaskPage parked(Tier tier, TaskFilter filter, Integer limit, long after) {
        return answers.await(engine.send(new Command.ListParked(tier, filter, checked(limit), after)));
    }

    /** Up to {@code limit} matching parked tasks, walked a bounded command at a time, so the loop serves others between. */
    private List<TaskView> parkedAll(Tier tier, TaskFilter filter, Integer limit) {
        int max = checked(limit);
        List<TaskView> matched = new ArrayList<>();
        long after = -1;
        do {
            TaskPage page = answers.await(engine.send(new Command.ListParked(tier, filter, max - matched.size(), after)));
            matched.addAll(page.tasks());
            after = page.nextSequence();
        } while (after >= 0 && matched.size() < max);
        return matched;
    }

    private static int checked(Integer limit) {
        int max = limit == null ? DEFAULT_LIMIT : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT + ", got " + max);
        }
        return max;
    }

    private static int parseLimit(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("limit", "limit must be a whole number between 1 and " + MAX_LIMIT + ", got '"
                    + (text.length() > 20 ? text.substring(0, 20) + "…" : text) + "'");
        }
    }

    private Tier tier(Context ctx) {
        String given = ctx.pathParam("tier");
        QueueRoutes.nearMiss("tier", given, engine.tiers().list().stream().map(Tier::name).toList()); // decision 0141
        return engine.tiers().named(given).filter(t -> !t.deadLetter())
                .orElseThrow(() -> new ApiException(404, "not_found", "no tier '" + ApiException.shorten(given)
                        + "' parks work; tiers: " + engine.tiers().names()));
    }

    private static String name(Tier tier) {
        return tier.name();
    }
}
