package io.queuedeck.engine.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.queuedeck.engine.metrics.EngineMetrics;

/**
 * How the API refuses: every error, whether a handler's, Javalin's or an unexpected one, is
 * answered {@code {"error": {"code", "message", "field"}}} with its status; no answer carries a
 * stack trace, and 429 and 503 always say when to come back ({@code Retry-After}).
 */
final class ErrorResponses {
    /** Marks a context whose error body is already written, so Javalin's status mappers leave it alone. */
    static final String ERROR_WRITTEN = "queuedeck.error-written";
    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());

    private ErrorResponses() {}

    /** Maps every exception and Javalin's own 404 and 405 to the JSON shape; counts refused submissions in {@code metrics} (may be null). */
    static void register(Javalin app, EngineMetrics metrics) {
        app.exception(ApiException.class, (e, ctx) -> write(ctx, e, metrics));
        // Javalin's own texts may name its internals: ours say what was refused. An unknown path or
        // method arrives here as Javalin's exception or, without one, as the bare status below.
        app.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 405) {
                allow(ctx, e);
            }
            write(ctx, refusal(ctx, e.getStatus()), metrics);
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.log(System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed", e);
            write(ctx, new ApiException(500, "internal", "the server failed to handle this request"), metrics);
        });
        for (int status : new int[] {404, 405}) {
            app.error(status, ctx -> {
                if (ctx.attribute(ERROR_WRITTEN) == null) {
                    write(ctx, refusal(ctx, status), metrics);
                }
            });
        }
    }

    /** A 405 names the methods the path takes (RFC 9110, 15.5.6): Javalin lists them in its one detail. */
    private static void allow(Context ctx, HttpResponseException e) {
        e.getDetails().values().stream().findFirst()
                .ifPresent(methods -> ctx.header("Allow", methods.replace(" ", "").replace(",", ", ")));
    }

    private static ApiException refusal(Context ctx, int status) {
        return new ApiException(status, codeFor(status), switch (status) {
            // the method as sent: Javalin calls every method it does not know INVALID
            case 404 -> "no such endpoint: " + ctx.req().getMethod() + " " + ctx.path();
            case 405 -> ctx.req().getMethod() + " is not allowed on " + ctx.path();
            case 413 -> "the request body is too large";
            default -> "the request was refused (HTTP " + status + ")";
        });
    }

    private static void write(Context ctx, ApiException e, EngineMetrics metrics) {
        if (metrics != null && ctx.method() == io.javalin.http.HandlerType.POST
                && (isSubmission(ctx.path()) || OpenAiFrontDoor.serves(ctx.path()))) {
            metrics.recordRejected(e.code());
        }
        ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        } else if ((e.status() == 429 || e.status() == 503) && ctx.res().getHeader("Retry-After") == null) {
            ctx.header("Retry-After", "1");
        }
        // an OpenAI client reads error.type; a refusal before the front door's handler must carry it too
        byte[] body = OpenAiFrontDoor.serves(ctx.path())
                ? OpenAiFrontDoor.error(e.status(), e.code(), e.getMessage(), e.field()).getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : Json.write(e.body());
        ctx.status(e.status()).contentType("application/json").result(body);
    }

    /**
     * The REST routes that take tasks: only their refusals are counted as rejected submissions
     * (a prefix counted /v1/tasksXYZ's 404s and bulk refusals too, which set off the rejection alert).
     */
    private static boolean isSubmission(String path) {
        String routed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path; // as the router reads it
        return routed.equals("/v1/tasks") || routed.equals("/v1/tasks:batch");
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 417 -> "expectation_failed";
            case 426 -> "upgrade_required";
            case 501 -> "not_implemented";
            case 505 -> "http_version_not_supported";
            case 431 -> "headers_too_large";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }
}
