package io.queuedeck.engine.bulk;

import io.queuedeck.engine.audit.AuditTrail;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskMark;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.UndoMark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Bulk actions by filter, and their undo (decision 0040). An operation first selects the matching
 * tasks (a sliced read of the index), then sends {@link Command.BulkApply} slices of
 * {@value #SLICE} tasks one after another, so the loop runs everything else between two slices;
 * each slice checks the filter again on the loop. Where each changed task stood, and where it was
 * left, is kept, so an undo of a reprioritize or a move puts every one back at its exact priority
 * and place, unless it has changed since (decision 0132). The work runs on the injected executor,
 * never on the caller's thread; progress is read with {@link #status}. The newest
 * {@value KeptOperations#KEEP} operations are remembered, each tenant's within a share, and their
 * undo records within a bound ({@link KeptOperations}). Any thread.
 */
public final class BulkOperations {
    /** Tasks one operation may select; a larger filter is refused (narrow it, or run several). */
    public static final int MAX_TASKS = 200_000;
    /** Tasks per loop command: a few milliseconds of the loop at most. */
    public static final int SLICE = 500;
    /** Bytes one undo record takes on the heap, about (an {@link UndoMark} and its slot in a list); the id is the task's own. */
    public static final int RECORD_BYTES = 64;

    private final CommandSender engine;
    private final Executor runner;
    private final AuditTrail audit;
    private final EngineClock clock;
    private final KeptOperations kept;
    private static final java.security.SecureRandom IDS = new java.security.SecureRandom();

    /**
     * @param runner      where operations run: a thread of their own on a live engine, the caller on a
     *                    virtual clock (whose commands must come from the thread that drives it)
     * @param undoRecords undo records the remembered operations keep in all (at least 1): past it the
     *                    oldest operation of the tenant holding the most loses its undo, never the newest
     */
    public BulkOperations(CommandSender engine, Executor runner, AuditTrail audit, EngineClock clock, long undoRecords) {
        if (undoRecords < 1) {
            throw new IllegalArgumentException("undo records must be at least 1, got " + undoRecords);
        }
        this.engine = engine;
        this.runner = runner;
        this.audit = audit;
        this.clock = clock;
        this.kept = new KeptOperations(undoRecords);
    }

    /** How many tasks {@code request}'s filter selects now, and how many of them it would change (a dry run). */
    public CompletableFuture<io.queuedeck.engine.command.BulkCount> count(BulkRequest request) {
        return engine.send(new Command.CountBulk(request.filter(), request.action(), request.priority(), request.position()));
    }

    /**
     * Completes when {@code request} can run under the policy now; fails with a
     * {@link TaskConflictException} when it cannot (a move to the front or back under a policy that
     * orders each lane itself), so a caller refuses it before {@link #start} accepts it. A policy
     * switched between the two still ends the run {@code failed} at its first slice, saying why.
     */
    public CompletableFuture<Void> check(BulkRequest request) {
        return engine.send(new Command.CheckBulk(request.action(), request.position()));
    }

    /**
     * Starts {@code request}; answers its first status at once.
     *
     * @param actor  who asked, for the audit trail
     * @param source {@code api} or {@code console}
     * @param tenant the only tenant whose callers may see the operation (the filter's own), or null
     */
    public OperationStatus start(BulkRequest request, String actor, String source, String tenant) {
        return start(request, actor, source, tenant, false);
    }

    /**
     * As {@link #start(BulkRequest, String, String, String)}; with {@code withinBudget} (a tenant's own
     * client) a retry is held to the byte budget and the tenant's share as a submission is: past them
     * the operation fails with the reason, and what it retried before stays queued.
     */
    public OperationStatus start(BulkRequest request, String actor, String source, String tenant, boolean withinBudget) {
        Operation op;
        synchronized (kept) {
            // random, not counted: a tenant must not learn how many operations other tenants ran
            String id;
            do {
                id = String.format(Locale.ROOT, "op-%08x", IDS.nextInt());
            } while (kept.contains(id));
            op = new Operation(id, request, actor, source, tenant, now());
            op.withinBudget = withinBudget;
            kept.add(op);
        }
        runner.execute(() -> run(op));
        return status(op);
    }

    /** The operation, if it is remembered and {@code tenant} (null: any) may see it. */
    public Optional<OperationStatus> status(String id, String tenant) {
        return find(id, tenant).map(this::status);
    }

    /** The remembered operations {@code tenant} (null: any) may see, newest first. */
    public List<OperationStatus> recent(String tenant) {
        return kept.recent(tenant);
    }

    /** Undo records held across the remembered operations. */
    long undoRecords() {
        return kept.records();
    }

    /**
     * Starts putting back every task the operation changed, where it has not changed since; answers
     * the status at once. Refused ({@link TaskConflictException}) for a cancel or a retry, for one
     * still running, for one undone already and for one whose undo records were let go;
     * {@link NoSuchElementException} for one that is not remembered.
     */
    public OperationStatus undo(String id, String actor, String source, String tenant) {
        return undo(id, actor, source, tenant, 0);
    }

    /**
     * Undoes {@code id} for a caller that may use priorities {@code mostUrgentAllowed} to 9 only: an
     * undo that would put a task back at a more urgent priority is refused, as setting it would be.
     *
     * @throws PriorityNotAllowed naming the most urgent priority the undo would restore
     */
    public OperationStatus undo(String id, String actor, String source, String tenant, int mostUrgentAllowed) {
        Operation op = find(id, tenant).orElseThrow(() -> new NoSuchElementException("no operation '" + id + "'"));
        List<UndoMark> marks;
        synchronized (kept) {
            if (!op.request.action().undoable()) {
                throw new TaskConflictException("a " + op.request.action().key() + " cannot be undone");
            }
            if (!op.finished()) {
                throw new TaskConflictException("operation '" + id + "' is " + op.state + "; only a finished one can be undone");
            }
            if (!op.undoable()) { // undone already, records let go past the bound, or it changed nothing (its status says so)
                throw new TaskConflictException("operation '" + id + "' cannot be undone: " + op.status().undoUnavailable());
            }
            List<UndoMark> records = op.marks;
            int mostUrgent = records.stream().mapToInt(UndoMark::priority).min().orElse(TaskSpec.MAX_PRIORITY);
            if (mostUrgent < mostUrgentAllowed) {
                throw new PriorityNotAllowed(mostUrgent);
            }
            op.state = "undoing";
            op.finishedAt = null;
            marks = records; // no longer appended to, and replaced rather than cleared: no copy needed
        }
        runner.execute(() -> runUndo(op, marks, actor, source));
        return status(op);
    }

    private Optional<Operation> find(String id, String tenant) {
        Operation op = kept.get(id);
        return op != null && (tenant == null || tenant.equals(op.tenant)) ? Optional.of(op) : Optional.empty();
    }

    private OperationStatus status(Operation op) {
        synchronized (kept) {
            return op.status();
        }
    }

    private void run(Operation op) {
        BulkRequest request = op.request;
        try {
            List<TaskMark> selected = engine.send(new Command.SelectTasks(request.filter(), MAX_TASKS + 1)).join();
            if (selected.size() > MAX_TASKS) {
                throw new InvalidTaskException("filter", "the filter selects more than " + MAX_TASKS
                        + " tasks; narrow it or run several operations");
            }
            op.matched = selected.size();
            List<String> ids = new ArrayList<>(selected.size());
            for (TaskMark mark : selected) {
                ids.add(mark.taskId());
            }
            // a move to the front gives ever lower ranks: the last slice goes first, so the tasks keep their order
            boolean backwards = "front".equals(request.position());
            int slices = (ids.size() + SLICE - 1) / SLICE;
            for (int s = 0; s < slices; s++) {
                int from = (backwards ? slices - 1 - s : s) * SLICE;
                List<String> slice = ids.subList(from, Math.min(ids.size(), from + SLICE));
                List<UndoMark> changed = engine.send(new Command.BulkApply(slice, request.filter(), request.action(),
                        request.priority(), request.position(), op.withinBudget)).join();
                synchronized (kept) {
                    op.changed += changed.size();
                    op.processed += slice.size();
                    kept.record(op, changed);
                }
            }
            finish(op, "done", null);
        } catch (RuntimeException e) {
            finish(op, "failed", reason(e));
        }
        audit.record(op.actor, op.source, "bulk." + request.action().key(), describe(request.filter()), op.changed,
                op.id + ": " + request.describe() + (op.error == null ? "" : "; failed: " + op.error));
    }

    private void runUndo(Operation op, List<UndoMark> marks, String actor, String source) {
        int restored = 0;
        int changedSince = 0;
        String error = null;
        try {
            for (int from = 0; from < marks.size(); from += SLICE) {
                io.queuedeck.engine.command.Restored slice = engine.send(new Command.RestoreMarks(
                        marks.subList(from, Math.min(marks.size(), from + SLICE)))).join();
                restored += slice.restored();
                changedSince += slice.changedSince();
                synchronized (kept) {
                    op.restored = restored;
                    op.changedSince = changedSince;
                }
            }
        } catch (RuntimeException e) {
            error = reason(e);
        }
        finish(op, error == null ? "undone" : "failed", error);
        audit.record(actor, source, "bulk.undo", op.id, restored, "undo of " + op.request.describe()
                + (changedSince == 0 ? "" : String.format(Locale.ROOT, "; %,d changed since, left as they were", changedSince))
                + (error == null ? "" : "; failed: " + error));
    }

    private void finish(Operation op, String state, String error) {
        synchronized (kept) {
            op.state = state;
            op.error = error;
            op.finishedAt = now();
            kept.release(op); // nothing left to undo: its records go at once
        }
    }

    private static String reason(RuntimeException e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The filter in a few words, for the audit trail: {@code tenant=acme state=queued priority=5..5}. */
    public static String describe(TaskFilter f) {
        StringBuilder out = new StringBuilder();
        append(out, "id", f.id());
        append(out, "model", f.model());
        append(out, "tenant", f.tenant());
        append(out, "class", f.businessClass());
        append(out, "state", f.states() == null ? null
                : f.states().stream().map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList().toString());
        if (f.minPriority() != null || f.maxPriority() != null) {
            append(out, "priority", (f.minPriority() == null ? 0 : f.minPriority()) + ".." + (f.maxPriority() == null ? 9 : f.maxPriority()));
        }
        append(out, "min_age_ms", f.minAgeMillis() == null ? null : f.minAgeMillis().toString());
        append(out, "max_age_ms", f.maxAgeMillis() == null ? null : f.maxAgeMillis().toString());
        append(out, "text", f.text());
        return out.isEmpty() ? "all tasks" : out.toString();
    }

    private static void append(StringBuilder out, String key, String value) {
        if (value != null) {
            out.append(out.isEmpty() ? "" : " ").append(key).append('=').append(value);
        }
    }

    private Instant now() {
        return clock.toInstant(clock.nanos());
    }

    /** An undo that would restore a priority more urgent than its caller may use. */
    public static final class PriorityNotAllowed extends RuntimeException {
        private final int priority;

        PriorityNotAllowed(int priority) {
            super("the undo would put tasks back at priority " + priority, null, false, false);
            this.priority = priority;
        }

        /** The most urgent priority the undo would restore. */
        public int priority() {
            return priority;
        }
    }
}
