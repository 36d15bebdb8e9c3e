package io.queuedeck.engine.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a bulk action does to each task its filter selects. */
public enum BulkAction {
    /** A new priority; waiting tasks keep their arrival order in the new lane. Undoable. */
    REPRIORITIZE,
    /** Into another lane, optionally to its front or back. Undoable. */
    MOVE,
    /** Cancels tasks that have not finished. Cannot be undone. */
    CANCEL,
    /** Queues dead-lettered tasks again. Cannot be undone. */
    RETRY;

    /** Whether an undo can put every task back. */
    public boolean undoable() {
        return this == REPRIORITIZE || this == MOVE;
    }

    /** Whether it throws work away: confirm before a large one. */
    public boolean destructive() {
        return this == CANCEL;
    }

    /** The name on the wire: {@code reprioritize}, {@code move}, ... */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code key}, or null. */
    @JsonCreator
    public static BulkAction byKey(String key) {
        for (BulkAction action : values()) {
            if (action.key().equals(key)) {
                return action;
            }
        }
        return null;
    }
}
