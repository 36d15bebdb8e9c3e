package io.queuedeck.engine.bulk;

import io.queuedeck.engine.task.UndoMark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The remembered operations and their undo records, within two bounds (decision 0132). At most
 * {@value #KEEP} operations: past it, the oldest operation of the tenant holding the most goes (one
 * that changed nothing before its others), so one tenant's many operations never push out
 * another's. At most {@code maxRecords} undo records across them: past it, the oldest operation of
 * the tenant holding the most records loses its undo (it stays listed, not undoable, saying why),
 * never the newest operation that has records. Operations without tenant count as one tenant.
 * Scans are over the {@value #KEEP} operations only. Any thread: every method, and every
 * {@link Operation}'s mutable fields, under this object's lock.
 */
final class KeptOperations {
    /** Operations remembered. */
    static final int KEEP = 50;

    private final long maxRecords;
    private final LinkedHashMap<String, Operation> operations = new LinkedHashMap<>();
    private long records;

    KeptOperations(long maxRecords) {
        this.maxRecords = maxRecords;
    }

    synchronized boolean contains(String id) {
        return operations.containsKey(id);
    }

    synchronized Operation get(String id) {
        return operations.get(id);
    }

    synchronized void add(Operation op) {
        operations.put(op.id, op);
        if (operations.size() > KEEP) {
            forget(oldestOfTheBusiestTenant());
        }
    }

    /** The operations {@code tenant} (null: any) may see, newest first. */
    synchronized List<OperationStatus> recent(String tenant) {
        List<OperationStatus> found = new ArrayList<>();
        for (Operation op : operations.values()) {
            if (tenant == null || tenant.equals(op.tenant)) {
                found.add(op.status());
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** Adds one slice's undo records to {@code op} (unless it holds none, or is no longer kept), then keeps the bound. */
    synchronized void record(Operation op, List<UndoMark> marks) {
        if (op.marks == null || operations.get(op.id) != op) {
            return;
        }
        op.marks.addAll(marks);
        records += marks.size();
        while (records > maxRecords) {
            Operation loser = heaviestOldestRecords();
            if (loser == null) {
                break; // the newest alone is over the bound: at most one operation's worth (MAX_TASKS)
            }
            letGo(loser, String.format(Locale.ROOT, "its undo records were let go to keep newer operations'"
                    + " (the remembered operations keep at most %,d in all)", maxRecords));
        }
    }

    /** Lets go of {@code op}'s undo records once it can no longer be undone. */
    synchronized void release(Operation op) {
        if (!op.undoable() && op.marks != null) {
            records -= op.marks.size();
            op.marks = null;
        }
    }

    /** Undo records held across every kept operation. */
    synchronized long records() {
        return records;
    }

    private void forget(Operation op) {
        operations.remove(op.id);
        if (op.marks != null) {
            records -= op.marks.size();
            op.marks = null;
        }
    }

    private void letGo(Operation op, String why) {
        records -= op.marks.size();
        op.marks = null;
        op.marksLost = why;
    }

    /** The oldest operation of the tenant holding the most (its oldest that changed nothing, if it has one). */
    private Operation oldestOfTheBusiestTenant() {
        Map<String, Integer> held = new HashMap<>();
        int most = 0;
        for (Operation op : operations.values()) {
            most = Math.max(most, held.merge(op.tenant, 1, Integer::sum));
        }
        String busiest = null;
        boolean found = false;
        Operation oldest = null;
        for (Operation op : operations.values()) {
            if (!found && held.get(op.tenant) == most) {
                busiest = op.tenant; // of the tenants holding as many, the one with the oldest operation
                found = true;
                oldest = op;
            }
            if (found && Objects.equals(op.tenant, busiest) && op.empty()) {
                return op;
            }
        }
        return oldest;
    }

    /**
     * Of the operations holding undo records, other than the newest of them and one being undone,
     * the oldest of the tenant holding the most records; null if there is none.
     */
    private Operation heaviestOldestRecords() {
        Map<String, Long> held = new HashMap<>();
        Operation newest = null;
        for (Operation op : operations.values()) {
            if (op.marks != null) {
                held.merge(op.tenant, (long) op.marks.size(), Long::sum);
                newest = op;
            }
        }
        Operation loser = null;
        for (Operation op : operations.values()) {
            if (op.marks != null && op != newest && !op.state.equals("undoing")
                    && (loser == null || held.get(op.tenant) > held.get(loser.tenant))) {
                loser = op;
            }
        }
        return loser;
    }
}
