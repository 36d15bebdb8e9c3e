package io.queuedeck.engine.api;

import io.queuedeck.engine.task.FieldError;
import java.util.List;

/** A request the API refuses: becomes {@code {"error": {...}}} with {@link #status()}. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    private final List<FieldError> details;
    /** Seconds for {@code Retry-After}, or 0 for the default (1 s on a 429 or 503). */
    private long retryAfterSeconds;

    ApiException(int status, String code, String message, String field, List<FieldError> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.details = details;
    }

    ApiException(int status, String code, String message) {
        this(status, code, message, null, List.of());
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid_field", message, field, List.of());
    }

    /** What a message quotes of a client's text: its first 100 characters, a surrogate pair never split. */
    static String shorten(String text) {
        return io.queuedeck.engine.task.WireNames.shorten(text);
    }

    /** This refusal, telling the client to retry after {@code seconds}. */
    ApiException retryAfter(long seconds) {
        retryAfterSeconds = seconds;
        return this;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    String field() {
        return field;
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }

    ApiError body() {
        return new ApiError(new ApiError.Detail(code, getMessage(), field, details.size() > 1 ? details : null));
    }
}
