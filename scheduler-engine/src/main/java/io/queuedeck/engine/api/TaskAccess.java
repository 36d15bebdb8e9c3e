package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.DeadLetter;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Who may see and touch which task (decision 0015). A client bound to a tenant submits for that
 * tenant only and sees only its tasks: another tenant's task answers exactly as a task that does
 * not exist (404), so ids cannot be probed. A tokenless server, an admin, a client without scopes
 * and an unbound client see every tenant. The engine has no notion of callers; the check is here,
 * at the edge, before each command.
 */
final class TaskAccess {
    private final Engine engine;
    private final EngineAnswers answers;

    TaskAccess(Engine engine, EngineAnswers answers) {
        this.engine = engine;
        this.answers = answers;
    }

    /** The authenticated client, or null on a server without tokens. */
    static Client client(Context ctx) {
        return ctx.attribute(Routes.CLIENT);
    }

    /** Refuses with 403 {@code scope_missing} unless the caller has one of {@code scopes} (a tokenless server has all). */
    static void require(Context ctx, String what, Scope... scopes) {
        Client client = client(ctx);
        if (client != null) {
            client.require(what, scopes);
        }
    }

    /**
     * Like {@link #require}, and refuses a client bound to a tenant with 403 {@code tenant_bound}:
     * for actions that change every tenant's service (faults, queue and instance control), which a
     * tenant's own client must not steer (decision 0075).
     */
    static void requireUnbound(Context ctx, String what, Scope... scopes) {
        require(ctx, what, scopes);
        Client client = client(ctx);
        if (client != null && client.tenant() != null) {
            throw new ApiException(403, "tenant_bound", "client '" + client.policy().name() + "' is bound to tenant '"
                    + client.tenant() + "' and may not " + what + ": that affects every tenant and needs a client"
                    + " without a tenant");
        }
    }

    /**
     * The spec as a bound client's tenant owns it: a missing {@code tenant} is filled in from the
     * token, a different one is 403 on {@code field}, so no client spends another tenant's rate. An
     * unbound client may choose an id in a bound tenant's namespace only for that tenant's task: 400
     * otherwise, since it would take the id the tenant's own client means by its short form.
     */
    static TaskSpec stamp(Context ctx, TaskSpec spec, String field) {
        Client client = client(ctx);
        if (spec == null || client == null) {
            return spec;
        }
        String idField = field.substring(0, field.length() - "tenant".length()) + "task_id";
        if (client.tenant() == null) {
            String owner = spec.taskId() == null ? null : client.namespaceOwner(spec.taskId());
            if (owner != null && !owner.equals(spec.tenant())) {
                throw ApiException.invalid(idField, "task_id '" + ApiException.shorten(spec.taskId()) + "' is in tenant '" + owner
                        + "''s id namespace (prefix '" + prefix(owner) + "'); submit it with tenant '" + owner
                        + "' or choose an id without that prefix");
            }
            return spec;
        }
        if (spec.tenant() != null && !spec.tenant().equals(client.tenant())) {
            throw new ApiException(403, "tenant_not_allowed", "this client submits for tenant '" + client.tenant()
                    + "' only; leave " + field + " out or set it to '" + client.tenant() + "'", field, List.of());
        }
        TaskSpec own = spec.tenant() == null ? spec.withTenant(client.tenant()) : spec;
        if (own.taskId() == null || own.taskId().isEmpty()) {
            return own; // none: the server chooses one; empty: the validator refuses it as it is
        }
        var problem = TaskSpecValidator.idProblem(own.taskId());
        if (problem.isPresent()) {
            // checked as sent: after the tenant's prefix the refusal quoted an id the client never wrote
            throw ApiException.invalid(idField, problem.get());
        }
        String scoped = scoped(client.tenant(), own.taskId());
        if (scoped.length() > TaskSpecValidator.MAX_ID_LENGTH) {
            throw ApiException.invalid(idField, "task_id with this client's tenant prefix '" + prefix(client.tenant())
                    + "' must be at most " + TaskSpecValidator.MAX_ID_LENGTH + " characters, got " + scoped.length());
        }
        return own.withTaskId(scoped);
    }

    /**
     * A client-chosen id in its tenant's namespace (decision 0075): the tenant's prefix and the id,
     * unless the id already carries the prefix (the id the server answered is used again).
     */
    static String scoped(String tenant, String id) {
        String prefix = prefix(tenant);
        return id.startsWith(prefix) ? id : prefix + id;
    }

    /**
     * The tenant's prefix: its name with '_', ':' and '/' escaped (so no two tenants share a prefix and
     * it holds only id characters), then ':'. The escaped name has no ':', so the first ':' ends it.
     */
    static String prefix(String tenant) {
        StringBuilder out = new StringBuilder(tenant.length() + 4);
        for (int i = 0; i < tenant.length(); i++) {
            char c = tenant.charAt(i);
            switch (c) {
                case '_' -> out.append("__");
                case ':' -> out.append("_c");
                case '/' -> out.append("_s");
                default -> out.append(c);
            }
        }
        return out.append(':').toString();
    }

    /** The tenant a listing is filtered on: a bound client's own, whatever it asks for; 403 on {@code tenant} if it names another. */
    static String listTenant(Context ctx, String requested) {
        return listTenant(ctx, requested, "tenant");
    }

    /**
     * As {@link #listTenant(Context, String)}, the tenant given in {@code field} ({@code filter.tenant}
     * of a bulk action's body). The refusal is the same whether the other tenant has tasks or not.
     */
    static String listTenant(Context ctx, String requested, String field) {
        Client client = client(ctx);
        if (client == null || client.tenant() == null) {
            return requested;
        }
        if (requested != null && !requested.equals(client.tenant())) {
            throw new ApiException(403, "tenant_not_allowed", "this client sees tenant '" + client.tenant()
                    + "' only, not '" + ApiException.shorten(requested) + "'", field, List.of());
        }
        return client.tenant();
    }

    /**
     * The id of the task {@code id} names for the caller, or the very 404 an unknown id gets; only
     * bound clients pay the look-up (see {@link #find}), other callers' ids are used as given.
     */
    String resolve(Context ctx, String id) {
        Client client = client(ctx);
        if (client == null || client.tenant() == null) {
            return id;
        }
        return find(ctx, id).map(TaskView::id).orElseThrow(() -> EngineAnswers.refusal(new TaskNotFoundException(id)));
    }

    /**
     * The task if the caller may see it; another tenant's task is empty, as an unknown one. A bound
     * client's id is looked up in its tenant's namespace first, then without the tenant's prefix
     * (a task of its tenant whose id the server chose or an unbound client gave, or one made before
     * decision 0075), so {@code x} and {@code acme:x} find the same task either way.
     */
    Optional<TaskView> find(Context ctx, String id) {
        Client client = client(ctx);
        if (client == null || client.tenant() == null) {
            return lookup(id);
        }
        String scoped = scoped(client.tenant(), id);
        Optional<TaskView> task = lookup(scoped).filter(view -> client.sees(view.spec().tenant()));
        String bare = scoped.substring(prefix(client.tenant()).length());
        return task.isPresent() || bare.isEmpty() ? task : lookup(bare).filter(view -> client.sees(view.spec().tenant()));
    }

    private Optional<TaskView> lookup(String id) {
        return answers.await(engine.send(new Command.FindTask(id)));
    }

    /** The dead letters whose tasks the caller may see: a bound client's tenant's only (a forgotten task's are hidden). */
    List<DeadLetter> visibleDeadLetters(Context ctx, List<DeadLetter> all) {
        Client client = client(ctx);
        if (client == null || client.tenant() == null) {
            return all;
        }
        List<CompletableFuture<Optional<TaskView>>> lookups = new ArrayList<>(all.size());
        for (DeadLetter letter : all) {
            lookups.add(engine.send(new Command.FindTask(letter.taskId())));
        }
        List<DeadLetter> shown = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (answers.await(lookups.get(i)).filter(view -> visible(ctx, view)).isPresent()) {
                shown.add(all.get(i));
            }
        }
        return shown;
    }

    private static boolean visible(Context ctx, TaskView view) {
        Client client = client(ctx);
        return client == null || client.sees(view.spec().tenant());
    }

}
