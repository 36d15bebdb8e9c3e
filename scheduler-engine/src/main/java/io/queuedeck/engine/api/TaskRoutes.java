package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskView;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * One task by id: {@code GET}, {@code DELETE} and {@code PATCH /v1/tasks/{id}}, and the replay of its
 * dead-lettered callback. Every id is read in the caller's tenant's namespace (decision 0075) and
 * another tenant's task answers as an unknown one (decision 0015).
 */
final class TaskRoutes {
    private final Engine engine;
    private final EngineAnswers answers;
    private final TaskAccess access;
    private final Auditor auditor;
    private final CallbackDispatcher callbacks;
    private final BiFunction<Context, Class<?>, Object> bodies;

    TaskRoutes(Engine engine, EngineAnswers answers, TaskAccess access, Auditor auditor, CallbackDispatcher callbacks,
               BiFunction<Context, Class<?>, Object> bodies) {
        this.engine = engine;
        this.answers = answers;
        this.access = access;
        this.auditor = auditor;
        this.callbacks = callbacks;
        this.bodies = bodies;
    }

    /**
     * The body of {@code PATCH /v1/tasks/{id}}: {@code {"priority": n}}, and optionally where in
     * that lane: {@code "position": "front"|"back"}, or {@code "before"}/{@code "after"} another
     * waiting task's id (the lane is then that task's unless a priority is given).
     */
    record PriorityPatch(Integer priority, String position, String before, String after) {
        /** The place asked for, or null for a plain change of priority. */
        Placement placement() {
            int given = (position == null ? 0 : 1) + (before == null ? 0 : 1) + (after == null ? 0 : 1);
            if (given > 1) {
                throw ApiException.invalid(position != null ? "position" : "before",
                        "give one of position, before and after, not several");
            }
            if (position != null) {
                return switch (position) {
                    case "front" -> Placement.front();
                    case "back" -> Placement.back();
                    default -> throw ApiException.invalid("position", "position must be front or back, got '"
                            + ApiException.shorten(position) + "'" + io.queuedeck.engine.task.WireNames.hint(position, java.util.List.of("front", "back")));
                };
            }
            return before != null ? Placement.before(before)
                    : after != null ? Placement.after(after) : null;
        }
    }


    void get(Context ctx) {
        TaskAccess.require(ctx, "read tasks", Scope.READ);
        String id = ctx.pathParam("id");
        Optional<TaskView> task = access.find(ctx, id);
        Routes.json(ctx, 200, report(task.orElseThrow(() -> EngineAnswers.refusal(new TaskNotFoundException(id)))));
    }

    void cancel(Context ctx) {
        TaskAccess.require(ctx, "cancel tasks", Scope.SUBMIT, Scope.OPERATE);
        String id = access.resolve(ctx, ctx.pathParam("id"));
        Routes.json(ctx, 200, report(awaitHeld(id, engine.send(new Command.Cancel(id)), "cancelled")));
        auditor.record(ctx, "task.cancel", id, 1, null);
    }

    /**
     * The loop's answer to an action on task {@code id}. The loop holds only the most recent
     * finished tasks; one it no longer holds but the store knows finished is answered as one that
     * finished a moment ago (409), not as unknown (404), which the same id's GET contradicts.
     */
    private TaskView awaitHeld(String id, java.util.concurrent.CompletableFuture<TaskView> answer, String done) {
        try {
            return answers.await(answer);
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            Optional<TaskView> finished = answers.await(engine.send(new Command.FindTask(id)));
            if (finished.isEmpty()) {
                throw e;
            }
            throw new ApiException(409, "conflict", "task '" + id + "' is already " + finished.get().state()
                    + " and cannot be " + done);
        }
    }

    void reprioritize(Context ctx) {
        TaskAccess.require(ctx, "reprioritize tasks", Scope.OPERATE);
        PriorityPatch patch = (PriorityPatch) bodies.apply(ctx, PriorityPatch.class);
        Placement placement = patch == null ? null : patch.placement();
        if (patch == null || patch.priority() == null && placement == null) {
            throw ApiException.invalid("priority", "priority is required, e.g. {\"priority\": 2}"
                    + " (or a place in the lane: position, before or after)");
        }
        String id = access.resolve(ctx, ctx.pathParam("id"));
        if (placement instanceof Placement.Before b) {
            placement = Placement.before(anchor(ctx, b.taskId(), "before"));
        } else if (placement instanceof Placement.After a) {
            placement = Placement.after(anchor(ctx, a.taskId(), "after"));
        }
        Client client = TaskAccess.client(ctx);
        TaskView moved;
        if (patch.priority() == null && (client == null || placement instanceof Placement.Front
                || placement instanceof Placement.Back)) {
            // the lane is read on the loop (no concurrent move undone); front and back keep the task's priority
            moved = awaitHeld(id, engine.send(new Command.Place(id, null, placement)), "moved");
        } else {
            int priority = patch.priority() != null ? patch.priority() : switch (placement) {
                case Placement.Before b -> priorityOf(b.taskId(), "before");
                case Placement.After a -> priorityOf(a.taskId(), "after");
                default -> throw new IllegalStateException("front and back are placed above");
            };
            if (client != null) {
                client.checkPriority("priority", priority);
            }
            moved = awaitHeld(id, engine.send(placement == null ? new Command.Reprioritize(id, priority)
                    : new Command.Place(id, priority, placement)), "reprioritized");
        }
        Routes.json(ctx, 200, report(moved));
        auditor.record(ctx, placement == null ? "task.reprioritize" : "task.place", id, 1, "to P" + moved.priority()
                + (patch.position() != null ? " " + patch.position() : patch.before() != null ? " before " + patch.before()
                : patch.after() != null ? " after " + patch.after() : ""));
    }

    /**
     * The id of the task a place is given next to, in the caller's namespace; one the caller may not
     * see is refused exactly as an unknown one.
     */
    private String anchor(Context ctx, String anchorId, String field) {
        if (anchorId.length() > TaskFilter.MAX_ID_LENGTH) { // no task has such an id; and it is not echoed whole
            throw ApiException.invalid(field, field + " must be a task id of at most " + TaskFilter.MAX_ID_LENGTH
                    + " characters, got " + anchorId.length());
        }
        Client client = TaskAccess.client(ctx);
        if (client == null || client.tenant() == null) {
            return anchorId;
        }
        return access.find(ctx, anchorId).map(TaskView::id)
                .orElseThrow(() -> ApiException.invalid(field, "no task '" + anchorId + "'"));
    }

    /** The priority of the task a place is given relative to; 400 on {@code field} when it is unknown. */
    private int priorityOf(String anchorId, String field) {
        return answers.await(engine.send(new Command.FindTask(anchorId)))
                .orElseThrow(() -> ApiException.invalid(field, "no task '" + anchorId + "'"))
                .priority();
    }

    void replayCallback(Context ctx) {
        TaskAccess.require(ctx, "replay callbacks", Scope.OPERATE);
        String given = ctx.pathParam("id");
        Client client = TaskAccess.client(ctx);
        String id = client == null || client.tenant() == null ? given : access.find(ctx, given).map(TaskView::id).orElse(null);
        if (id == null || !callbacks.replay(id)) {
            throw new ApiException(404, "not_found", "no dead-lettered callback for task '" + given + "'");
        }
        Routes.json(ctx, 202, Map.of("task_id", id, "replayed", true));
        auditor.record(ctx, "callback.replay", id, 1, null);
    }

    private TaskReport report(TaskView view) {
        return TaskReport.of(view, engine.clock()::toInstant);
    }
}
