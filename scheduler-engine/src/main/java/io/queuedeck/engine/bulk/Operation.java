package io.queuedeck.engine.bulk;

import io.queuedeck.engine.task.UndoMark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One operation's progress and undo records; every field after the first six is guarded by the {@link KeptOperations} holding it. */
final class Operation {
    final String id;
    final BulkRequest request;
    final String actor, source, tenant;
    final Instant startedAt;
    /**
     * Where each changed task stood and where the operation left it. Null for an action that
     * cannot be undone (a cancel keeps none), and once let go; only ever appended to while the
     * operation runs, and replaced rather than cleared, so an undo may read it without a copy.
     */
    List<UndoMark> marks;
    /** Why the undo records were let go before their time; null while they are kept. */
    String marksLost;
    String state = "running";
    int matched = -1, processed, changed, restored, changedSince;
    Instant finishedAt;
    String error;
    /** A tenant's own client started it: a retry is held to the byte budget (set before it runs). */
    boolean withinBudget;

    Operation(String id, BulkRequest request, String actor, String source, String tenant, Instant startedAt) {
        this.id = id;
        this.request = request;
        this.actor = actor;
        this.source = source;
        this.tenant = tenant;
        this.startedAt = startedAt;
        this.marks = request.action().undoable() ? new ArrayList<>() : null;
    }

    int records() {
        return marks == null ? 0 : marks.size();
    }

    boolean finished() {
        return !state.equals("running") && !state.equals("undoing");
    }

    /** Finished without changing anything: nothing to undo, nothing to follow (it goes first when its tenant's share is full). */
    boolean empty() {
        return state.equals("done") && changed == 0;
    }

    boolean undoable() {
        return marks != null && (state.equals("done") || state.equals("failed")) && changed > 0 && restored == 0;
    }

    OperationStatus status() {
        boolean undoable = undoable();
        String why = null;
        if (!undoable && finished()) {
            why = !request.action().undoable() ? "a " + request.action().key() + " cannot be undone"
                    : marksLost != null ? marksLost
                    : state.equals("undone") || restored > 0 ? "it has been undone"
                    : changed == 0 ? "it changed no task" : null;
        }
        return new OperationStatus(id, request.action(), request.describe(), state, matched, processed, changed,
                restored, changedSince, actor, tenant, startedAt, finishedAt, error, undoable, why);
    }
}
