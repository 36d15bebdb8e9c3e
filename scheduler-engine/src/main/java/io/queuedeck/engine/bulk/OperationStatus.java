package io.queuedeck.engine.bulk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.queuedeck.engine.command.BulkAction;
import java.time.Instant;

/**
 * Where a bulk operation stands, for {@code GET /v1/operations/{id}} and the console's progress bar.
 *
 * @param state     {@code running}, {@code done}, {@code failed}, {@code undoing} or {@code undone}
 * @param matched   tasks the filter selected when the operation started (-1 until known, and then
 *                  left out of the JSON)
 * @param processed selected tasks visited so far
 * @param changed   tasks the action changed (a task that stopped matching, or that the action does
 *                  not apply to, is skipped)
 * @param restored  tasks an undo put back
 * @param changedSince tasks an undo left alone because their priority or place had changed since
 *                  the operation (by hand, or by another operation): the later change stands
 * @param undoable  whether {@code :undo} may be called now
 * @param undoUnavailable why a finished operation cannot be undone (a cancel, undone already, its
 *                  undo records let go to keep newer operations' within their bound); null
 *                  while it can be, or while it runs
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationStatus(String id, BulkAction action, String description, String state,
                              @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Unknown.class) int matched,
                              int processed, int changed, int restored, int changedSince, String actor,
                              String tenant, Instant startedAt, Instant finishedAt, String error, boolean undoable,
                              String undoUnavailable) {
    /** Whether it has stopped moving (done, failed or undone). */
    public boolean finished() {
        return state.equals("done") || state.equals("failed") || state.equals("undone");
    }

    /** Jackson's filter for a count not yet known: true means "leave it out". */
    static final class Unknown {
        @Override
        public boolean equals(Object value) {
            return value instanceof Integer count && count < 0;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
