package io.queuedeck.engine.api;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.store.StoreBusyException;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.QueueFullException;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.SubmitExpiredException;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskNotFoundException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a request waits for the engine's answer (on the request's thread, never the loop's) and
 * what each refusal becomes on the wire. A submission waits for the loop's own answer, so its 503
 * says truthfully whether the task was queued (docs/api/README.md).
 */
final class EngineAnswers {
    /**
     * How long past its accept-by time a submission's answer is still awaited. The loop answers an
     * expired submission with a refusal at once when it reaches it, so only a stalled or dead
     * scheduler thread leaves a request waiting this long.
     */
    private static final long UNANSWERED_NANOS = 30_000_000_000L;
    /** How often a waiting submission checks that the loop is still alive. */
    private static final long LIVENESS_CHECK_NANOS = 100_000_000L;

    private final Engine engine;
    private final long timeoutNanos;

    EngineAnswers(Engine engine, long timeoutNanos) {
        this.engine = engine;
        this.timeoutNanos = timeoutNanos;
    }

    /** Waits (on this request's thread, never the loop's) for the engine's answer and maps its refusals. */
    <T> T await(CompletableFuture<T> future) {
        return await(future, timeoutNanos);
    }

    <T> T await(CompletableFuture<T> future, long nanos) {
        try {
            return future.get(nanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw refusal(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "engine_timeout", "the engine did not answer in time; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "the server is shutting down");
        }
    }

    /**
     * Waits for the loop's own answer to a submission sent with {@code acceptBy}: queued, or
     * refused (503 {@code engine_timeout} when it reached the loop too late, and then nothing was
     * queued). Never answers "not queued" for a task the loop may still queue.
     */
    <T> T awaitSubmit(CompletableFuture<T> future, long acceptBy) {
        long giveUpAt = Math.max(acceptBy, engine.clock().nanos()) + UNANSWERED_NANOS;
        try {
            while (true) {
                long left = giveUpAt - engine.clock().nanos();
                if (left <= 0) {
                    throw new ApiException(503, "engine_unresponsive", "the scheduler has not run for "
                            + UNANSWERED_NANOS / 1_000_000_000 + " s; whether the task was queued is unknown: "
                            + "resubmit with the same task_id");
                }
                try {
                    return future.get(Math.min(left, LIVENESS_CHECK_NANOS), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (!engine.alive()) { // a dead loop answers nothing: say so instead of waiting it out
                        throw new ApiException(503, "engine_down", "the scheduler loop has stopped and this process"
                                + " must be restarted; whether the task was queued is unknown: resubmit with the same task_id");
                    }
                }
            }
        } catch (ExecutionException e) {
            throw refusal(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "the server is shutting down; whether the task was queued is unknown: "
                    + "resubmit with the same task_id");
        }
    }

    static RuntimeException refusal(Throwable cause) {
        return switch (cause) {
            case InvalidTaskException invalid -> new ApiException(400, "invalid_field", invalid.getMessage(),
                    invalid.errors().isEmpty() || invalid.errors().getFirst().field().isEmpty()
                            ? null : invalid.errors().getFirst().field(), invalid.errors());
            case TaskNotFoundException notFound -> new ApiException(404, "not_found", notFound.getMessage());
            case SubmitExpiredException expired -> new ApiException(503, "engine_timeout", expired.getMessage());
            case TaskConflictException conflict -> new ApiException(409, "conflict", conflict.getMessage());
            case io.queuedeck.engine.task.DrainingException draining -> new ApiException(503, "draining",
                    draining.getMessage()).retryAfter(io.queuedeck.engine.task.DrainingException.RETRY_AFTER_SECONDS);
            case QueueFullException full ->
                    new ApiException(429, "queue_full", full.getMessage(), full.field(), List.of());
            case ShedException shed -> (shed.reason() == ShedException.Reason.SATURATED
                    ? new ApiException(503, "saturated", shed.getMessage())
                    : new ApiException(429, "queue_full", shed.getMessage())).retryAfter(shed.retryAfterSeconds());
            case io.queuedeck.engine.task.TenantRateLimitedException rate -> new ApiException(429, "tenant_rate_limited",
                    rate.getMessage(), "tenant", List.of()).retryAfter(rate.retryAfterSeconds());
            case IllegalArgumentException illegal -> new ApiException(400, "bad_request", illegal.getMessage());
            case StoreUnavailableException store -> new ApiException(503, "store_unavailable", store.getMessage());
            case StoreBusyException busy -> new ApiException(503, "store_busy", busy.getMessage());
            case RuntimeException other -> other;
            default -> new IllegalStateException(cause);
        };
    }
}
