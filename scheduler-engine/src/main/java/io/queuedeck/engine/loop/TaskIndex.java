package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import java.util.HashMap;
import java.util.Map;

/**
 * Every known task by sequence, with a {@link SequenceSet} of sequences overall, per state and per
 * tenant, kept as tasks arrive, move and are forgotten: a move clears one bit and sets another, so
 * the dispatch cycle barely notices it. A page walks the matching set from the cursor: a state or
 * a tenant alone costs O(limit) bit scans; a tenant and a state together leapfrog between the two
 * sets, so the cost grows with how the tenant's tasks and the state's interleave, never with every
 * task the engine knows. Loop thread only.
 */
final class TaskIndex {
    private final SequenceSet all = SequenceSet.withValues(); // every known task, kept by its sequence
    private final SequenceSet[] byState = new SequenceSet[TaskState.values().length];
    private final Map<String, SequenceSet> byTenant = new HashMap<>();

    TaskIndex() {
        for (int i = 0; i < byState.length; i++) {
            byState[i] = new SequenceSet();
        }
    }

    /** A task the table did not know; indexed under its current state. */
    void add(Task task) {
        long sequence = task.sequence();
        if (all.contains(sequence)) {
            return;
        }
        all.add(sequence, task);
        byState[task.state().ordinal()].add(sequence);
        String tenant = task.spec().tenant();
        if (tenant != null) {
            byTenant.computeIfAbsent(tenant, t -> new SequenceSet()).add(sequence);
        }
    }

    /** The task moved from {@code from} to its current state. */
    void moved(Task task, TaskState from) {
        long sequence = task.sequence();
        if (from != task.state() && all.contains(sequence)) {
            byState[from.ordinal()].remove(sequence);
            byState[task.state().ordinal()].add(sequence);
        }
    }

    /** The table forgot the task. */
    void remove(Task task) {
        long sequence = task.sequence();
        if (!all.contains(sequence)) {
            return;
        }
        all.remove(sequence);
        byState[task.state().ordinal()].remove(sequence);
        String tenant = task.spec().tenant();
        if (tenant != null) {
            SequenceSet tasks = byTenant.get(tenant);
            tasks.remove(sequence);
            if (tasks.size() == 0) {
                byTenant.remove(tenant); // a tenant seen once costs nothing once its tasks are forgotten
            }
        }
    }

    /** The first task in {@code state} after sequence {@code after}, or null. */
    Task next(TaskState state, long after) {
        long found = byState[state.ordinal()].next(after);
        return found < 0 ? null : (Task) all.get(found);
    }

    /** The first task after sequence {@code after} that passes the query's filters, or null. */
    Task next(TaskQuery query, long after) {
        return next(query.state(), query.tenant(), after);
    }

    /** The first task after sequence {@code after} in {@code state} of {@code tenant} (null: any), or null. */
    Task next(TaskState state, String tenant, long after) {
        long found;
        if (tenant != null) {
            SequenceSet ofTenant = byTenant.get(tenant);
            if (ofTenant == null) {
                return null;
            }
            found = state == null ? ofTenant.next(after)
                    : SequenceSet.nextInBoth(byState[state.ordinal()], ofTenant, after);
        } else {
            found = (state == null ? all : byState[state.ordinal()]).next(after);
        }
        return found < 0 ? null : (Task) all.get(found);
    }
}
