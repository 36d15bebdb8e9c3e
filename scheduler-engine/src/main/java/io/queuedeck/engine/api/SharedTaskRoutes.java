package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code GET}, {@code PATCH} and {@code DELETE /v1/tasks/{id}} in distributed mode: a task this
 * node's engine runs (leased here) or does not know in the shared queue goes to the engine's own
 * handler; any other task is read and changed in the shared queue, so every node answers for every
 * task. Changes act on waiting tasks; a cancel of a task another node leased is recorded and stops
 * it at that node's next heartbeat (202).
 */
final class SharedTaskRoutes {
    private final SharedTasks shared;
    private final BiFunction<Context, Class<?>, Object> bodies;
    private final Auditor auditor;

    SharedTaskRoutes(SharedTasks shared, Auditor auditor, BiFunction<Context, Class<?>, Object> bodies) {
        this.shared = shared;
        this.auditor = auditor;
        this.bodies = bodies;
    }

    /** The shared record, unless the task runs here or the shared queue does not know it (then: empty). */
    private Optional<SharedTasks.Shared> elsewhere(Context ctx, String id) {
        Optional<SharedTasks.Shared> found = find(ctx, id);
        if (found.isEmpty() || found.get().state().equals("leased") && shared.node().equals(found.get().node())) {
            return Optional.empty();
        }
        Client client = TaskAccess.client(ctx);
        if (client != null && !client.sees(found.get().tenant())) {
            // the very answer an id nobody used gets from the engine (decision 0015), not the shared queue's own 404
            throw EngineAnswers.refusal(new io.queuedeck.engine.task.TaskNotFoundException(id));
        }
        return found;
    }

    /** The shared record of {@code id}, or empty when this node runs it (or nobody knows it): as GET answers. */
    Optional<SharedTasks.Shared> record(Context ctx, String id) {
        return elsewhere(ctx, id);
    }

    /** A bound client's id in its tenant's namespace first, then as given (decision 0075). */
    private Optional<SharedTasks.Shared> find(Context ctx, String id) {
        Client client = TaskAccess.client(ctx);
        if (client == null || client.tenant() == null) {
            return shared.find(id);
        }
        String scoped = TaskAccess.scoped(client.tenant(), id);
        Optional<SharedTasks.Shared> found = shared.find(scoped).filter(task -> client.sees(task.tenant()));
        return found.isPresent() || scoped.equals(id) ? found : shared.find(id);
    }

    /** Redis unreachable: 503 store_unavailable, as for a submission. */
    private static Handler guarded(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (io.queuedeck.engine.store.StoreUnavailableException e) {
                throw EngineAnswers.refusal(e);
            }
        };
    }

    Handler get(Handler local) {
        return guarded(ctx -> {
            TaskAccess.require(ctx, "read tasks", Scope.READ);
            Optional<SharedTasks.Shared> task;
            try {
                task = elsewhere(ctx, ctx.pathParam("id"));
            } catch (io.queuedeck.engine.store.StoreUnavailableException e) {
                localOr(local, ctx, e); // Redis away: a task this node's engine holds is still answered (distributed.md)
                return;
            }
            if (task.isEmpty()) {
                localOrLeasedHere(local, ctx);
                return;
            }
            Routes.json(ctx, 200, task.get());
        });
    }

    /**
     * The engine's answer; where it does not know a task the shared queue says is leased here, the
     * shared record. That is a claim Redis carried out after this node stopped waiting for it (a
     * stalled Redis): the task is kept and runs once its lease runs out, so "no task" would be false.
     */
    private void localOrLeasedHere(Handler local, Context ctx) throws Exception {
        try {
            local.handle(ctx);
        } catch (ApiException e) {
            Optional<SharedTasks.Shared> leased = e.status() == 404 ? leasedHere(ctx, ctx.pathParam("id")) : Optional.empty();
            if (leased.isEmpty()) {
                throw e;
            }
            Routes.json(ctx, 200, leased.get());
        }
    }

    /** The shared record of a task leased to this node, as a client bound to a tenant may see it. */
    Optional<SharedTasks.Shared> leasedHere(Context ctx, String id) {
        Client client = TaskAccess.client(ctx);
        return find(ctx, id).filter(found -> found.state().equals("leased") && shared.node().equals(found.node()))
                .filter(found -> client == null || client.sees(found.tenant()));
    }

    /** The engine's answer when it knows the task; else the shared queue's outage, not a 404 that may be false. */
    private static void localOr(Handler local, Context ctx, io.queuedeck.engine.store.StoreUnavailableException outage) throws Exception {
        try {
            local.handle(ctx);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw outage;
            }
            throw e;
        }
    }

    Handler cancel(Handler local) {
        return guarded(ctx -> {
            TaskAccess.require(ctx, "cancel tasks", Scope.SUBMIT, Scope.OPERATE);
            Optional<SharedTasks.Shared> task = elsewhere(ctx, ctx.pathParam("id"));
            if (task.isEmpty()) {
                local.handle(ctx);
                return;
            }
            String id = task.get().taskId();
            String state = task.get().state();
            if (!state.equals("waiting") && !state.equals("leased")) {
                throw refused(id, state, "cancelled"); // the script would answer "cancelled" for a cancelled task too
            }
            String answer = shared.cancel(id);
            if (answer.equals("cancelled") || answer.equals("cancel_requested")) {
                // recorded as every other cancel is (decision 0041), with where it happened
                auditor.record(ctx, "task.cancel", id, 1, answer.equals("cancelled") ? "shared queue"
                        : "shared queue: its holder " + task.get().node() + " stops it at its next heartbeat");
            }
            switch (answer) {
                case "cancelled" -> Routes.json(ctx, 200, reread(id));
                case "cancel_requested" -> Routes.json(ctx, 202, reread(id));
                default -> throw refused(id, answer, "cancelled");
            }
        });
    }

    Handler reprioritize(Handler local) {
        return guarded(ctx -> {
            TaskAccess.require(ctx, "reprioritize tasks", Scope.OPERATE);
            Optional<SharedTasks.Shared> task = elsewhere(ctx, ctx.pathParam("id"));
            if (task.isEmpty()) {
                local.handle(ctx);
                return;
            }
            String id = task.get().taskId();
            TaskRoutes.PriorityPatch patch = (TaskRoutes.PriorityPatch) bodies.apply(ctx, TaskRoutes.PriorityPatch.class);
            if (patch != null && (patch.position() != null || patch.after() != null)) {
                throw ApiException.invalid(patch.position() != null ? "position" : "after",
                        "a task in the shared queue moves by priority or before another waiting task of its tier"
                                + " (position and after: this node's own queue)");
            }
            if (patch != null && patch.priority() != null && patch.before() != null) { // 200 with the priority dropped
                throw ApiException.invalid("priority", "a task in the shared queue moves to a priority or before another"
                        + " waiting task of its tier, not both: send one, then the other");
            }
            if (patch == null || patch.priority() == null && patch.before() == null) {
                throw ApiException.invalid("priority",
                        "priority is required, e.g. {\"priority\": 2} (or before: another waiting task's id)");
            }
            Client client = TaskAccess.client(ctx);
            String answer;
            if (patch.before() != null) {
                Optional<SharedTasks.Shared> anchor = find(ctx, patch.before());
                if (anchor.isEmpty() || client != null && !client.sees(anchor.get().tenant())) {
                    throw ApiException.invalid("before", "no waiting task " + patch.before() + " in the shared queue");
                }
                if (client != null) {
                    client.checkPriority("before", anchor.get().priority());
                }
                answer = shared.place(id, anchor.get().taskId());
                if (answer.equals("not_beside")) {
                    throw ApiException.invalid("before", "task " + patch.before() + " is not waiting in the same tier");
                }
            } else {
                if (patch.priority() < 0 || patch.priority() > 9) {
                    throw ApiException.invalid("priority", "priority must be 0 to 9, got " + patch.priority());
                }
                if (client != null) {
                    client.checkPriority("priority", patch.priority());
                }
                answer = shared.reprioritize(id, patch.priority());
            }
            if (!answer.equals("changed")) {
                throw refused(id, answer, "moved");
            }
            auditor.record(ctx, patch.before() != null ? "task.place" : "task.reprioritize", id, 1, patch.before() != null
                    ? "before " + patch.before() + " (shared queue)" : "to P" + patch.priority() + " (shared queue)");
            Routes.json(ctx, 200, reread(id));
        });
    }

    private SharedTasks.Shared reread(String id) {
        return shared.find(id).orElseThrow(() -> new ApiException(404, "not_found", "task " + id + " not found"));
    }

    private static ApiException refused(String id, String state, String what) {
        if (state.equals("unknown")) {
            return new ApiException(404, "not_found", "task " + id + " not found");
        }
        return new ApiException(409, "conflict", "task " + id + " is " + state + " in the shared queue; only a waiting task"
                + " can be " + what, null, List.of());
    }
}
