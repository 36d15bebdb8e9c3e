package io.queuedeck.engine.loop;

import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.store.StoreBusyException;
import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.StoredTask;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The loop's side of the task store: it turns every change recovery needs into a
 * {@link StoreWrite} for the {@link StoreWriter} (never waiting for it), remembers finished tasks
 * for the idempotency window, and puts a stored queue back at start. Without a store it does
 * nothing. Loop thread only.
 *
 * <p>Memory for finished tasks is bounded when the store can look them up by id (decision 0058):
 * the most recent {@code rememberedViews} are kept whole, and a {@link FinishedFilter} of fixed size
 * says which other ids may have finished within the window; for those the command is answered from
 * the store, read on the store writer's thread ({@link StoreLookup}). The store deletes expired
 * records itself every {@link #SWEEP_INTERVAL_NANOS}. A store that cannot look up (Redis, for now)
 * keeps the earlier behaviour: every finished task of the window in memory.
 */
final class Durability {
    private static final System.Logger LOG = System.getLogger(Durability.class.getName());
    /** Writes the store writer may owe before new tasks are refused; ~10 MB of records at most. */
    static final long MAX_PENDING_WRITES = 65_536;

    private final SchedulerLoop loop;
    private final StoreWriter writer;
    private final long windowNanos;
    /** Finished tasks by id, oldest expiry first: the window, not a count, bounds it. */
    private final LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>();
    /** Finished tasks kept whole; the rest of the window is the filter's and the store's. */
    private final int maxRemembered;
    /** What the remembered tasks' bodies count (their metadata may be far larger than their inputs), and its bound. */
    private long rememberedBytes;
    private final long maxRememberedBytes;
    /** Null unless the store looks finished tasks up by id. */
    private final FinishedFilter filter;
    private long nextSweep;
    /** {@code remembered.size()} for other threads (metrics, tests). */
    private volatile int rememberedCount;

    /** How often the store is told to delete expired records, on its own thread. */
    static final long SWEEP_INTERVAL_NANOS = 10_000_000_000L;

    private record Remembered(TaskSpec spec, TaskView view, long expiresAt) {
        /** What it holds: its body and its answer (a backend's answer may be far larger than the body). */
        long bytes() {
            return TaskTable.bodyBytes(spec) + 2L * (view.output() == null ? 0 : view.output().length());
        }
    }

    /**
     * @param writer          null: no store, nothing is written or remembered
     * @param rememberedViews finished tasks kept whole in memory when the store can be asked about the others
     * @param rememberedBytes the most their bodies may count ({@link TaskTable#bodyBytes}) in that case
     */
    Durability(SchedulerLoop loop, StoreWriter writer, long windowNanos, int rememberedViews, long rememberedBytes) {
        this.loop = loop;
        this.maxRememberedBytes = rememberedBytes;
        this.writer = writer;
        this.windowNanos = windowNanos;
        boolean bounded = writer != null && writer.findsFinished();
        this.maxRemembered = bounded ? rememberedViews : Integer.MAX_VALUE;
        this.filter = bounded ? new FinishedFilter(windowNanos, FinishedFilter.DEFAULT_BITS) : null;
    }

    boolean on() {
        return writer != null;
    }

    /**
     * Refuses a new task while the writer is more than {@link #MAX_PENDING_WRITES} behind: a stalled
     * disk must not fill the heap with writes (and submissions waiting for their answers).
     */
    void checkKeepingUp() {
        long pending = writer == null ? 0 : writer.pending();
        if (pending > MAX_PENDING_WRITES) {
            throw new StoreBusyException("the task store is " + pending + " writes behind (limit " + MAX_PENDING_WRITES
                    + "); the task was not queued; retry later");
        }
    }

    /** Queues the task's current record. */
    void saved(Task task) {
        if (writer != null) {
            writer.write(new StoreWrite.PutTask(record(task, null, false)));
        }
    }

    /** Deletes the record of a task the engine gave back unfinished ({@code Command.Withdraw}). */
    void withdrawn(Task task) {
        if (writer != null) {
            writer.write(new StoreWrite.RemoveTask(task.id(), task.sequence()));
        }
    }

    /** The completion feed has handed these final views on durably (any thread). */
    void handedOn(List<TaskView> views) {
        if (writer != null) {
            for (TaskView view : views) {
                writer.writeAndWake(new StoreWrite.HandedOn(view.id(), view.sequence()));
            }
        }
    }

    /**
     * A task reached a final state. A dead letter is kept until it is replayed; any other final
     * task is kept, and answers an identical resubmission, until the window passes.
     */
    void finished(Task task, long now) {
        if (writer == null) {
            return;
        }
        forgetExpired(now);
        boolean handedOn = !loop.outboxOpen(); // no one reads final views: there is nothing to hand on after a restart
        if (task.state() == TaskState.DEAD_LETTERED) {
            writer.write(new StoreWrite.PutTask(record(task, null, handedOn)));
            return;
        }
        long expiresAt = saturatedAdd(now, windowNanos);
        writer.write(new StoreWrite.PutTask(record(task, loop.clock.toInstant(expiresAt), handedOn)));
        remember(task.id(), task.spec(), task.view(now), expiresAt, now);
        sweepIfDue(now);
    }

    private void remember(String id, TaskSpec spec, TaskView view, long expiresAt, long now) {
        forget(remembered.remove(id));
        Remembered kept = new Remembered(spec, view, expiresAt);
        remembered.put(id, kept);
        rememberedBytes += kept.bytes();
        if (filter != null) {
            filter.add(id, expiresAt, now);
            // the filter and the store answer for the eldest from now on
            Iterator<Remembered> eldest = remembered.values().iterator();
            while ((remembered.size() > maxRemembered || rememberedBytes > maxRememberedBytes) && remembered.size() > 1) {
                forget(eldest.next());
                eldest.remove();
            }
        }
        rememberedCount = remembered.size();
    }

    private void forget(Remembered gone) {
        if (gone != null) {
            rememberedBytes -= gone.bytes();
        }
    }

    /** Asks the store, on its thread, to delete what expired; the loop never scans for it. */
    private void sweepIfDue(long now) {
        if (filter == null || now < nextSweep) {
            return;
        }
        nextSweep = saturatedAdd(now, SWEEP_INTERVAL_NANOS);
        Instant at = loop.clock.toInstant(now);
        writer.withStore(store -> {
            try {
                store.forgetExpired(at);
            } catch (RuntimeException e) { // a store that is down (Redis away, a full disk): the next sweep tries again
                LOG.log(System.Logger.Level.WARNING, "expired idempotency records not deleted: " + e.getMessage());
            }
        });
    }

    /**
     * A stored tier mode goes back on its tier; one whose tier the config no longer names (renamed
     * or removed) is not applied but stays stored, and is logged, so it is not lost silently and
     * comes back with the name (decision 0061).
     */
    private void restoreTierMode(String name, TierMode mode) {
        loop.tiers.named(name).filter(tier -> !tier.deadLetter()).ifPresentOrElse(tier -> loop.lanes.setTier(tier, mode),
                () -> LOG.log(System.Logger.Level.WARNING,
                        "the store holds tier mode {0} for a tier named ''{1}'', which the tiers config ({2}) does not"
                                + " define: not applied; it applies again if a tier takes that name", mode, name, loop.tiers));
    }

    void tierMode(Tier tier, TierMode mode) {
        if (writer != null) {
            writer.write(new StoreWrite.SetTierMode(tier.name(), mode));
        }
    }

    void laneMode(int priority, TierMode mode) {
        if (writer != null) {
            writer.write(new StoreWrite.SetLaneMode(priority, mode));
        }
    }

    void dispatchPaused(boolean paused) {
        if (writer != null) {
            writer.write(new StoreWrite.SetDispatchPaused(paused));
        }
    }

    /** Keeps how an operator left an instance (offline, draining, or back in service) for a restart. */
    void instanceHold(int instance, InstanceStatus status) {
        if (writer != null) {
            writer.write(new StoreWrite.SetInstanceHold(instance, new StoreContents.InstanceHold(status.model(),
                    status.backend() == null ? "" : status.backend().url(),
                    status.state() == InstanceState.OFFLINE, status.draining())));
        }
    }

    /**
     * Whether {@code task} finished (other than as a dead letter, which is kept until replayed) at
     * least one idempotency window ago: its id may be used again, though the loop may still list it.
     */
    boolean pastWindow(Task task, long now) {
        return task.state().isFinal() && task.state() != TaskState.DEAD_LETTERED && task.finishedAt() >= 0
                && saturatedAdd(task.finishedAt(), windowNanos) <= now;
    }

    /**
     * The final view of a task finished within the window under this id, if the spec is the same;
     * null if no such task is remembered.
     *
     * @throws TaskConflictException when the id was used by a different spec
     */
    TaskView answerFor(TaskSpec spec, long now) {
        if (writer == null) {
            return null;
        }
        forgetExpired(now);
        sweepIfDue(now);
        Remembered earlier = remembered.get(spec.taskId());
        if (earlier == null || earlier.expiresAt() <= now) {
            return null;
        }
        return sameOrConflict(spec, earlier.spec(), earlier.view());
    }

    private static TaskView sameOrConflict(TaskSpec spec, TaskSpec earlier, TaskView view) {
        if (!earlier.asRequested().equals(spec.asRequested())) {
            throw new TaskConflictException("task_id '" + spec.taskId() + "' is already used by a different task");
        }
        return view;
    }

    /**
     * Whether a task with this id may have finished within the window without being remembered
     * whole: only the store can tell ({@link #lookUp}). False without a store that can be asked.
     */
    boolean mayHaveFinished(String id, long now) {
        return filter != null && filter.mayContain(id, now) && !isRemembered(id, now);
    }

    private boolean isRemembered(String id, long now) {
        Remembered earlier = remembered.get(id);
        return earlier != null && earlier.expiresAt() > now;
    }

    /** A command's answer that waits for the store's record of {@code id}; {@code resume} runs on the loop. */
    StoreLookup lookUp(String id, Function<StoredTask, Object> resume) {
        return new StoreLookup(id, resume);
    }

    /**
     * Like {@link #answerFor}, for the record the store found (null: none): the earlier task's view
     * if the spec is the same, null if there is no such task.
     *
     * @throws TaskConflictException when the id was used by a different spec
     */
    TaskView answerFromStore(TaskSpec spec, StoredTask found, long now) {
        TaskView view = fromStore(found, now);
        return view == null ? null : sameOrConflict(spec, found.spec(), view);
    }

    /**
     * The final view of a finished task the store found (null: none, or expired since), kept whole
     * again as a recent one. It starts at this moment: the store keeps no history or timings.
     */
    TaskView fromStore(StoredTask found, long now) {
        if (found == null || found.expiresAt() == null || found.expired(loop.clock.toInstant(now))) {
            return null;
        }
        TaskView view = finalView(found, now);
        remember(found.id(), found.spec(), view, loop.clock.toNanos(found.expiresAt()), now);
        return view;
    }

    /** The final view of a task finished within the window (across restarts), or null. */
    TaskView remembered(String id) {
        Remembered earlier = remembered.get(id);
        return earlier == null || earlier.expiresAt() <= loop.clock.nanos() ? null : earlier.view();
    }

    /** Finished tasks kept whole in memory now; any thread. */
    int rememberedCount() {
        return rememberedCount;
    }

    /**
     * Drops remembered tasks whose window has passed; O(1) per dropped task. Without a filter they
     * are removed from the store here too; with one, the store's own sweep deletes them.
     */
    private void forgetExpired(long now) {
        Iterator<Map.Entry<String, Remembered>> oldest = remembered.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<String, Remembered> entry = oldest.next();
            if (entry.getValue().expiresAt() > now) {
                break;
            }
            forget(entry.getValue());
            oldest.remove();
            if (filter == null) {
                writer.write(new StoreWrite.RemoveTask(entry.getKey(), entry.getValue().view().sequence()));
            }
        }
        rememberedCount = remembered.size();
    }

    /**
     * Puts a stored queue back, before any command runs: modes first, then each task where it
     * stood. A task that was running or waiting to retry waits again, its attempts counted; one
     * that was running its last attempt is dead-lettered; one that would wait again past its
     * deadline times out at once; a front-door task that would wait again is cancelled (its client
     * left with the old process). Finished tasks are remembered for the
     * idempotency window, and those not yet handed on go to the outbox again. Sequences and ranks
     * go on after the highest recovered. Dispatches once at the end.
     */
    void recover(StoreContents contents, int maxAttempts) {
        long now = loop.clock.nanos();
        contents.tierModes().forEach(this::restoreTierMode);
        contents.laneModes().forEach(loop.lanes::setLane);
        loop.restorePaused(contents.dispatchPaused());
        contents.instanceHolds().forEach(loop::restoreInstance);
        List<StoredTask> stored = new ArrayList<>(contents.tasks());
        stored.sort(Comparator.comparingLong(StoredTask::rank));
        List<StoredTask> finished = new ArrayList<>();
        int requeued = 0, wasRunning = 0, dead = 0, handedOnAgain = 0;
        long maxSequence = -1;
        long minRank = Long.MAX_VALUE, maxRank = Long.MIN_VALUE;
        for (StoredTask s : stored) {
            maxSequence = Math.max(maxSequence, s.sequence());
            switch (s.state()) {
                case SUCCEEDED, CANCELLED, TIMED_OUT -> finished.add(s);
                case DEAD_LETTERED -> {
                    Task task = restore(s, TaskState.DEAD_LETTERED, s.error(), now);
                    loop.restoreDeadLetter(task);
                    dead++;
                    if (!s.handedOn()) {
                        loop.handOnAgain(task.view(now));
                        handedOnAgain++;
                    }
                }
                case RUNNING -> {
                    wasRunning++;
                    if (s.attempts() >= maxAttempts) {
                        Task task = restore(s, TaskState.DEAD_LETTERED, "interrupted by a restart during its last attempt", now);
                        loop.restoreDeadLetter(task);
                        saved(task);
                        dead++;
                    } else {
                        requeue(restore(s, TaskState.QUEUED, s.error(), now), now, true);
                        requeued++;
                    }
                    minRank = Math.min(minRank, s.rank());
                    maxRank = Math.max(maxRank, s.rank());
                }
                case QUEUED, PREEMPTED, FAILED, RETRY_WAIT -> {
                    requeue(restore(s, TaskState.QUEUED, s.error(), now), now, s.state() != TaskState.QUEUED);
                    requeued++;
                    minRank = Math.min(minRank, s.rank());
                    maxRank = Math.max(maxRank, s.rank());
                }
            }
        }
        for (StoreContents.FinishedId old : contents.finishedIds()) { // known by id: the store answers for them
            maxSequence = Math.max(maxSequence, old.sequence());
            if (filter != null) {
                filter.add(old.id(), loop.clock.toNanos(old.expiresAt()), now);
            }
        }
        finished.sort(Comparator.comparing(StoredTask::expiresAt, Comparator.nullsLast(Comparator.naturalOrder())));
        for (StoredTask s : finished) {
            long expiresAt = s.expiresAt() == null ? Long.MAX_VALUE : loop.clock.toNanos(s.expiresAt());
            TaskView view = finalView(s, now);
            remember(s.id(), s.spec(), view, expiresAt, now); // sorted by expiry: the latest stay whole
            if (!s.handedOn()) {
                loop.handOnAgain(view); // it finished just before the stop: its callback may not be recorded
                handedOnAgain++;
            }
        }
        for (ModelQueues.ModelQueue queue : loop.queues.all()) {
            if (queue.instances().length == 0 && queue.policy().size() > 0) {
                LOG.log(System.Logger.Level.WARNING, queue.policy().size() + " recovered tasks wait for model '" + queue.model()
                        + "', which no instance serves now: they are kept, and run after a restart with an instance that"
                        + " serves it (or cancel them)");
            }
        }
        if (maxRank != Long.MIN_VALUE) {
            loop.placement.continueAfter(minRank, maxRank);
        }
        loop.commands.continueAfter(maxSequence);
        if (!stored.isEmpty()) { // what a restart found, for the operator and for a crash's post-mortem
            LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "recovered %,d tasks: %,d back in the"
                    + " queue (%,d of them were running), %,d dead letters, %,d finished; %,d final results handed on again"
                    + " (their callbacks may not have been recorded)", stored.size(), requeued, wasRunning, dead,
                    finished.size(), handedOnAgain));
        }
        loop.dispatch();
    }

    private void requeue(Task task, long now, boolean changed) {
        loop.restoreWaiting(task, now);
        if (io.queuedeck.engine.exec.openai.OpenAiInput.fromFrontDoor(task.spec())) {
            loop.commands.abandonRecovered(task, now);
        } else if (loop.deadlines.overdue(task, now)) { // its deadline passed while the process was down
            loop.deadlines.timeOut(task, now);
        } else if (changed) {
            saved(task);
        }
    }

    private Task restore(StoredTask s, TaskState state, String error, long now) {
        long arrivedAt = s.arrivedAt() == null ? now : Math.min(now, loop.clock.toNanos(s.arrivedAt()));
        boolean waitingSinceArrival = s.state() == TaskState.QUEUED && s.attempts() == 0;
        Task task = Task.recovered(s.spec(), s.sequence(), s.outputTokens(), arrivedAt, now, state, waitingSinceArrival,
                s.priority(), s.attempts(), error);
        task.setRank(s.rank());
        if (s.spec().deadline() != null) {
            task.setDeadlineAt(loop.clock.toNanos(s.spec().deadline()));
        }
        return task;
    }

    /**
     * A recovered finished task's view. It arrived when its record says (the restart in records
     * from before arrivals were kept) and finished one idempotency window before its record
     * expires; the rest of its timings went with the old process.
     */
    private TaskView finalView(StoredTask s, long now) {
        int generated = s.generatedTokens() != null ? s.generatedTokens()
                : s.state() == TaskState.SUCCEEDED ? s.outputTokens() : 0; // an older record: a success generated all it was to
        long arrivedAt = s.arrivedAt() == null ? now : Math.min(now, loop.clock.toNanos(s.arrivedAt()));
        long finishedAt = s.expiresAt() == null ? now
                : Math.max(arrivedAt, Math.min(now, loop.clock.toNanos(s.expiresAt()) - windowNanos));
        return new TaskView(s.id(), s.spec(), s.state(), s.priority(), 0, -1, s.sequence(), arrivedAt, -1, -1, finishedAt, 0,
                generated, s.outputTokens(), s.attempts(), 0, s.error(), s.output(),
                List.of(new Task.Transition(null, s.state(), finishedAt)), s.generation());
    }

    private StoredTask record(Task task, Instant expiresAt, boolean handedOn) {
        return new StoredTask(task.id(), task.spec(), task.state(), loop.ownPriority(task), task.sequence(), task.rank(),
                task.outputTokens(), task.attempts(), task.error(), task.state() == TaskState.SUCCEEDED ? task.output() : null,
                expiresAt, handedOn, loop.clock.toInstant(task.arrivedAt()),
                task.state().isFinal() ? task.generatedTokens() : null, task.state().isFinal() ? task.generation() : null);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
