package io.queuedeck.engine.bulk;

import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskFilter;
import java.util.Objects;

/**
 * A bulk action by filter, as an API client or the console asks for it.
 *
 * @param priority the new priority (reprioritize) or lane (move)
 * @param position for a move: {@code front} or {@code back} of the lane, or null to keep arrival order
 */
public record BulkRequest(TaskFilter filter, BulkAction action, Integer priority, String position) {
    public BulkRequest {
        Objects.requireNonNull(filter, "filter");
        if (action == null) {
            throw new InvalidTaskException("action", "action is required: reprioritize, move, cancel or retry");
        }
        if ((action == BulkAction.REPRIORITIZE || action == BulkAction.MOVE) && priority == null) {
            throw new InvalidTaskException(action == BulkAction.MOVE ? "lane" : "priority",
                    action.key() + " needs " + (action == BulkAction.MOVE ? "a lane (0..9) or a tier" : "a priority (0..9)"));
        }
        if (priority != null && (priority < 0 || priority > 9)) {
            throw new InvalidTaskException(action == BulkAction.MOVE ? "lane" : "priority",
                    "a priority must be between 0 and 9, got " + priority);
        }
        if (priority != null && (action == BulkAction.CANCEL || action == BulkAction.RETRY)) {
            // a cancel "of priority 3" that cancelled every priority is the mistake this refuses
            throw new InvalidTaskException("priority", "priority applies to reprioritize only; to select tasks by"
                    + " priority, put it in the filter");
        }
        if (position != null && action != BulkAction.MOVE) {
            throw new InvalidTaskException("position", "position applies to move only");
        }
        if (position != null && !position.equals("front") && !position.equals("back")) {
            throw new InvalidTaskException("position", "position must be front or back, got '" + position + "'"
                    + io.queuedeck.engine.task.WireNames.hint(position, java.util.List.of("front", "back")));
        }
    }

    /** The action in an operator's words: {@code reprioritize to P2}, {@code move to the front of P0}, {@code cancel}. */
    public String describe() {
        return switch (action) {
            case REPRIORITIZE -> "reprioritize to P" + priority;
            case MOVE -> "move to " + (position == null ? "" : "the " + position + " of ") + "P" + priority;
            case CANCEL -> "cancel";
            case RETRY -> "retry";
        };
    }
}
