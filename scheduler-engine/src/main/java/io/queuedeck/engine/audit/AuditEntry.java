package io.queuedeck.engine.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * One operator action or state-changing API call (decision 0041).
 *
 * @param number  increasing, unique within one store
 * @param at      when it was accepted
 * @param actor   who: an API client's name, {@code anonymous} on a server without tokens, or the
 *                console's operator ({@code console:<user>})
 * @param source  {@code api} or {@code console}
 * @param action  what, as a short key: {@code task.cancel}, {@code bulk.reprioritize}, {@code queue.pause}, ...
 * @param target  what it was done to: a task id, a lane, a filter, an operation id
 * @param tasks   how many tasks it changed (0 for actions on no task, such as a policy switch)
 * @param detail  anything else worth reading later, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(long number, Instant at, String actor, String source, String action, String target,
                         int tasks, String detail) {

    /** One line for a chart marker's label or a notification. */
    public String summary() {
        return action + (target == null || target.isEmpty() ? "" : " " + target)
                + (tasks > 1 ? " (" + tasks + " tasks)" : "") + " by " + actor;
    }

    /** Whether {@code lowerText} (lower case) occurs in any text field. */
    boolean mentions(String lowerText) {
        return contains(actor, lowerText) || contains(action, lowerText) || contains(target, lowerText)
                || contains(detail, lowerText) || contains(source, lowerText);
    }

    private static boolean contains(String field, String lowerText) {
        return field != null && field.toLowerCase(java.util.Locale.ROOT).contains(lowerText);
    }
}
