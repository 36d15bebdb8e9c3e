package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.queuedeck.engine.task.FieldError;
import io.queuedeck.engine.task.VisibleText;
import java.util.List;

/**
 * The body of every error answer: {@code {"error": {"code", "message", "field"}}}. {@code field}
 * is the JSON path of the offending field (absent when the problem is not one field);
 * {@code details} lists every field error when there is more than one.
 */
public record ApiError(Detail error) {

    /**
     * What went wrong, in words a client can act on. Messages and field paths quote what the client
     * sent: every error passes here, so here its invisible characters are made visible
     * ({@link VisibleText}), whichever check built the message.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, String field, List<FieldError> details) {
        public Detail {
            message = VisibleText.of(message);
            field = VisibleText.of(field);
            if (details != null) {
                details = details.stream()
                        .map(d -> new FieldError(VisibleText.of(d.field()), VisibleText.of(d.message())))
                        .toList();
            }
        }
    }
}
