package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EngineSnapshot;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The endpoints: parse, check, one engine command, answer. */
final class Routes {
    private final Engine engine;
    private final long maxBodyBytes;
    private final long timeoutNanos;
    private final EngineMetrics metrics;
    private final CallbackDispatcher callbacks;

    Routes(Engine engine, long maxBodyBytes, Duration timeout, EngineMetrics metrics, CallbackDispatcher callbacks) {
        this.engine = engine;
        this.maxBodyBytes = maxBodyBytes;
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
        this.callbacks = callbacks;
    }

    /** {@code {"priority": n}}: the body of {@code PATCH /v1/tasks/{id}}. */
    record PriorityPatch(Integer priority) {}

    /** {@code 202} answer to a submission. */
    record Accepted(@com.fasterxml.jackson.annotation.JsonProperty("task_id") String taskId, TaskState state) {}

    void register(Javalin app) {
        app.get("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
        app.get("/readyz", this::ready);
        app.post("/v1/tasks", this::submit);
        app.get("/v1/tasks/{id}", this::get);
        app.delete("/v1/tasks/{id}", this::cancel);
        app.patch("/v1/tasks/{id}", this::reprioritize);
        if (metrics != null) {
            app.get("/metrics", this::metrics);
        }
        if (callbacks != null) {
            app.get("/v1/callbacks/dead-letters", ctx -> json(ctx, 200, Map.of("dead_letters", callbacks.deadLetters())));
            app.post("/v1/callbacks/dead-letters/{id}/replay", this::replayCallback);
        }
    }

    private void ready(Context ctx) {
        EngineSnapshot snapshot = engine.latestSnapshot();
        boolean executorUp = snapshot != null
                && snapshot.instances().stream().map(InstanceStatus::state).anyMatch(s -> s.acceptsWork());
        if (!executorUp) {
            throw new ApiException(503, "not_ready", snapshot == null
                    ? "the engine has not published its first snapshot yet" : "no executor instance is accepting work");
        }
        json(ctx, 200, Map.of("status", "ready"));
    }

    private void submit(Context ctx) {
        TaskSpec spec = readJson(ctx, TaskSpec.class);
        if (callbacks != null && spec != null && spec.callbackUrl() != null) {
            callbacks.refusal(spec.callbackUrl()).ifPresent(why -> {
                throw ApiException.invalid("callback_url", why);
            });
        }
        SubmitResult result = await(engine.submit(spec));
        TaskView task = result.task();
        if (result.created()) {
            ctx.header("Location", "/v1/tasks/" + task.id());
            json(ctx, 202, new Accepted(task.id(), task.state()));
        } else {
            json(ctx, 200, report(task));
        }
    }

    private void get(Context ctx) {
        String id = ctx.pathParam("id");
        Optional<TaskView> task = await(engine.task(id));
        json(ctx, 200, report(task.orElseThrow(() -> refusal(new TaskNotFoundException(id)))));
    }

    private void cancel(Context ctx) {
        json(ctx, 200, report(await(engine.cancel(ctx.pathParam("id")))));
    }

    private void reprioritize(Context ctx) {
        PriorityPatch patch = readJson(ctx, PriorityPatch.class);
        if (patch == null || patch.priority() == null) {
            throw ApiException.invalid("priority", "priority is required, e.g. {\"priority\": 2}");
        }
        json(ctx, 200, report(await(engine.reprioritize(ctx.pathParam("id"), patch.priority()))));
    }

    private void replayCallback(Context ctx) {
        String id = ctx.pathParam("id");
        if (!callbacks.replay(id)) {
            throw new ApiException(404, "not_found", "no dead-lettered callback for task '" + id + "'");
        }
        json(ctx, 202, Map.of("task_id", id, "replayed", true));
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32_768);
        metrics.scrape(out);
        ctx.status(200).contentType(EngineMetrics.CONTENT_TYPE).result(out.toByteArray());
    }

    // ---------------------------------------------------------------- plumbing

    private TaskReport report(TaskView view) {
        return TaskReport.of(view, engine.clock()::toInstant);
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    /** Checks the content type and the size, then parses: every failure is a 4xx. */
    <T> T readJson(Context ctx, Class<T> type) {
        String contentType = ctx.header("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).trim().startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be JSON: send 'Content-Type: application/json'"
                    + (contentType == null ? "" : ", got '" + contentType + "'"));
        }
        return Json.read(readBody(ctx), type);
    }

    private byte[] readBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw tooLarge();
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, "bad_request", "the request body could not be read");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "payload_too_large", "the body must be at most " + maxBodyBytes + " bytes");
    }

    /** Waits (on this request's thread, never the loop's) for the engine's answer and maps its refusals. */
    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw refusal(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "engine_timeout", "the engine did not answer in time; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "the server is shutting down");
        }
    }

    static RuntimeException refusal(Throwable cause) {
        return switch (cause) {
            case InvalidTaskException invalid -> new ApiException(400, "invalid_field", invalid.getMessage(),
                    invalid.errors().isEmpty() || invalid.errors().getFirst().field().isEmpty()
                            ? null : invalid.errors().getFirst().field(), invalid.errors());
            case TaskNotFoundException notFound -> new ApiException(404, "not_found", notFound.getMessage());
            case TaskConflictException conflict -> new ApiException(409, "conflict", conflict.getMessage());
            case IllegalArgumentException illegal -> new ApiException(400, "bad_request", illegal.getMessage());
            case RuntimeException other -> other;
            default -> new IllegalStateException(cause);
        };
    }
}
