package io.queuedeck.engine.loop;

import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.store.StoreBusyException;
import io.queuedeck.engine.store.StoredTask;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.QueueFullException;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.SubmitExpiredException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.Optional;

/**
 * What clients and operators do to one task: admit it, cancel it, replay it from the dead
 * letters, give it another priority. Each either changes the task through the loop's queue
 * primitives or is refused with an exception and changes nothing. Loop thread only.
 */
final class TaskCommands {
    /** Output length of a task that sets no {@code max_tokens}. */
    static final int DEFAULT_OUTPUT_TOKENS = 256;

    private final SchedulerLoop loop;
    private final TaskTable tasks;
    private final LoopCounters counters;
    private long sequence;

    TaskCommands(SchedulerLoop loop, TaskTable tasks, LoopCounters counters) {
        this.loop = loop;
        this.tasks = tasks;
        this.counters = counters;
    }

    /**
     * Admits a validated spec: its {@link SubmitResult}, or first a {@link StoreLookup} when its id
     * may belong to a task finished within the idempotency window that the loop no longer keeps whole.
     *
     * @param outputTokens tokens the task will generate on a simulated GPU (from a trace), or -1
     *                     to take {@code max_tokens}
     * @param acceptBy     the time after which the sender no longer waits: later, nothing is queued
     */
    Object submitOrLookUp(TaskSpec spec, int outputTokens, long acceptBy, long now) {
        return submit(spec, outputTokens, acceptBy, now, true, null);
    }

    /** @param found what the store holds under the id, when it was asked (null: nothing) */
    private Object submit(TaskSpec spec, int outputTokens, long acceptBy, long now, boolean mayAsk, StoredTask found) {
        if (now > acceptBy) {
            throw refused(new SubmitExpiredException("task '" + spec.taskId() + "' reached the scheduler "
                    + (now - acceptBy) / 1_000_000 + " ms after its sender stopped waiting; it was not queued"));
        }
        Task existing = tasks.lookup(spec.taskId());
        if (existing != null && loop.durable.pastWindow(existing, now)) {
            tasks.forget(existing); // finished longer ago than the idempotency window: the id may be used again
            existing = null;
        }
        if (existing != null) {
            if (existing.spec().asRequested().equals(spec.asRequested())) {
                return new SubmitResult(existing.view(now), false);
            }
            throw refused(new TaskConflictException("task_id '" + spec.taskId() + "' is already used by a different task"));
        }
        TaskView earlier;
        try {
            earlier = loop.durable.answerFor(spec, now);
        } catch (TaskConflictException e) {
            throw refused(e);
        }
        if (earlier == null && mayAsk && loop.durable.mayHaveFinished(spec.taskId(), now)) {
            // asked on the store's thread; this runs again with the answer, checking everything anew
            return loop.durable.lookUp(spec.taskId(), record -> submit(spec, outputTokens, acceptBy, loop.clock.nanos(), false, record));
        }
        if (earlier == null && found != null) {
            try {
                earlier = loop.durable.answerFromStore(spec, found, now);
            } catch (TaskConflictException e) {
                throw refused(e);
            }
        }
        if (earlier != null) {
            return new SubmitResult(earlier, false);
        }
        int priority = spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority();
        try {
            loop.lanes.checkTakesNew(priority);
        } catch (io.queuedeck.engine.task.DrainingException e) {
            throw refused(e);
        }
        int tokens = outputTokens > 0 ? outputTokens : spec.maxTokens() != null ? spec.maxTokens() : DEFAULT_OUTPUT_TOKENS;
        // The executor checks the spec as it will run: a task without max_tokens still reserves
        // its default output, and a trace replay its traced output. A task that can never be
        // placed must be refused here, or it would sit at the head of its queue forever.
        int reserved = Math.max(spec.maxTokens() == null ? 0 : spec.maxTokens(), tokens);
        TaskSpec asRun = spec.maxTokens() != null && spec.maxTokens() == reserved ? spec : spec.withMaxTokens(reserved);
        Optional<String> refusal = loop.executor.admissionError(asRun);
        if (refusal.isPresent()) {
            String field = refusedField(refusal.get());
            boolean assumed = field.equals("max_tokens") && spec.maxTokens() == null;
            // a field the client did not send is no field to fix: the prompt is what makes the task too large then,
            // as prompt_tokens if the client gave them, else as the input they were estimated from
            String named = !assumed ? field : spec.promptTokens() != null && spec.input() != null
                    && spec.promptTokens() == io.queuedeck.engine.task.TaskSpecValidator.estimatePromptTokens(spec.input())
                    ? "input" : "prompt_tokens";
            throw refused(new InvalidTaskException(named, refusal.get()
                    + (assumed ? " (max_tokens not given: " + tokens + " assumed)" : "")));
        }
        long cost = TaskTable.bodyBytes(spec);
        QueueFullException full = overBudget(spec, cost);
        if (full != null) {
            throw refused(full);
        }
        try {
            loop.durable.checkKeepingUp();
        } catch (StoreBusyException e) {
            throw refused(e);
        }
        int admitted;
        try {
            admitted = loop.flow.admit(priority, cost, spec);
        } catch (ShedException e) {
            throw refused(e);
        }
        Task task = new Task(spec, sequence++, tokens, now);
        if (admitted != FlowControl.PARK && admitted != priority) {
            task.setPriority(admitted); // spilled to the next tier
        }
        task.setRank(loop.placement.takeRank());
        if (spec.deadline() != null) {
            task.setDeadlineAt(loop.clock.toNanos(spec.deadline()));
        }
        tasks.activate(task);
        loop.durable.saved(task);
        counters.submitted++;
        if (loop.events.active()) {
            loop.events.publish(new EngineEvent.TaskTransitioned(now, task.id(), null, TaskState.QUEUED, task.priority(), -1));
        }
        if (admitted == FlowControl.PARK) {
            task.setError(loop.flow.parkReason());
            loop.move(task, TaskState.DEAD_LETTERED, now);
            counters.deadLettered++;
            counters.deadLetters++;
            loop.retire(task, now);
            loop.flow.parked(task);
            return new SubmitResult(task.view(now), true);
        }
        loop.queues.policyOf(task).admit(task, now);
        loop.flow.armTtl(task);
        loop.enqueueAndDispatch(task, now);
        return new SubmitResult(task.view(now), true);
    }

    private RuntimeException refused(RuntimeException reason) {
        counters.rejected++;
        return reason;
    }

    TaskView cancel(String id) {
        return cancel(id, null);
    }

    /** As {@link #cancel(String)}; {@code reason} (null: none) becomes the task's error, so its record says why. */
    TaskView cancel(String id, String reason) {
        Task task = tasks.require(id);
        long now = loop.clock.nanos();
        if (reason != null && !task.state().isFinal()) {
            task.setError(reason);
        }
        switch (task.state()) {
            case QUEUED, PREEMPTED -> {
                loop.leaveQueue(task);
                loop.move(task, TaskState.CANCELLED, now);
            }
            case RUNNING -> {
                loop.stopRunning(task);
                loop.move(task, TaskState.CANCELLED, now);
                loop.dispatch();
            }
            case RETRY_WAIT -> loop.move(task, TaskState.CANCELLED, now);
            default -> throw new TaskConflictException("task '" + id + "' is already " + task.state() + " and cannot be cancelled");
        }
        counters.cancelled++;
        loop.retire(task, now);
        return task.view(now);
    }

    /**
     * Cancels a recovered front-door task: its answer was to go to a connection the restart closed,
     * so it would wait its turn, and hold its tenant's share of the queue, only to be dropped at dispatch.
     */
    void abandonRecovered(Task task, long now) {
        loop.leaveQueue(task);
        task.setError(FRONT_DOOR_CLIENT_GONE);
        loop.move(task, TaskState.CANCELLED, now);
        counters.cancelled++;
        loop.retire(task, now);
    }

    static final String FRONT_DOOR_CLIENT_GONE = "its front-door client's connection ended with the restart: nobody would read"
            + " the answer";

    /** Takes the waiting ones of {@code ids} out of the engine without an outcome ({@link io.queuedeck.engine.command.Command.Withdraw}). */
    java.util.List<String> withdraw(java.util.List<String> ids) {
        java.util.List<String> withdrawn = new java.util.ArrayList<>();
        for (String id : ids) {
            Task task = tasks.lookup(id);
            if (task != null && task.state().isWaiting()) {
                loop.leaveQueue(task);
                loop.withdraw(task);
                withdrawn.add(id);
            }
        }
        return withdrawn;
    }

    /**
     * Whether {@code task} can be retried: a dead letter, unless it came through the OpenAI front door
     * (run again, it would be cancelled at once: nobody holds its request open any more).
     */
    static boolean retryable(Task task) {
        return task.state() == TaskState.DEAD_LETTERED && !io.queuedeck.engine.exec.openai.OpenAiInput.fromFrontDoor(task.spec());
    }

    /** Queues a dead-lettered task again (an operator's replay), with a fresh set of attempts. */
    TaskView retryDeadLetter(String id) {
        return retryDeadLetter(id, false);
    }

    /** The same; {@code withinBudget}: held to the byte budget and its tenant's share, as a submission is. */
    TaskView retryDeadLetter(String id, boolean withinBudget) {
        Task task = tasks.require(id);
        if (task.state() != TaskState.DEAD_LETTERED) {
            throw new TaskConflictException("task '" + id + "' is " + task.state()
                    + "; only dead-lettered tasks can be retried");
        }
        if (!retryable(task)) {
            throw new TaskConflictException("task '" + id + "' came through the OpenAI front door: its answer goes only to"
                    + " the client that sent it, which has had its error; it cannot be retried (that client may send"
                    + " its request again)");
        }
        if (withinBudget) {
            QueueFullException full = overBudget(task.spec(), TaskTable.bodyBytes(task.spec()));
            if (full != null) {
                throw full; // it stays a dead letter: a tenant's replay took past its share (and the budget) what it could not submit
            }
        }
        long now = loop.clock.nanos();
        loop.flow.unparked(task);
        tasks.activate(task);
        counters.deadLetters--;
        task.resetAttempts();
        task.discardOutput();
        task.setRank(loop.placement.takeRank()); // replayed as a new arrival: its old rank may have been given away
        loop.move(task, TaskState.QUEUED, now);
        loop.flow.armTtl(task);
        loop.enqueueAndDispatch(task, now);
        return task.view(now);
    }

    /** Gives a task a new priority; a waiting task takes its new place at once. */
    TaskView reprioritize(String id, int priority) {
        checkPriority(priority);
        Task task = tasks.require(id);
        if (task.state().isFinal() || task.state() == TaskState.FAILED) {
            throw new TaskConflictException("task '" + id + "' is already " + task.state() + " and cannot be reprioritized");
        }
        if (task.priority() != priority) {
            task.setPrioritizedByHand(); // someone decided its priority: the policy no longer gives up on it
            task.movedByHand(new Task.Moved(loop.clock.nanos(), loop.ownPriority(task), priority, null));
            if (task.state().isWaiting()) {
                loop.leaveQueue(task);
                loop.rejoinQueue(task, priority);
            } else {
                loop.setPriorityOutsideQueue(task, priority);
            }
            loop.durable.saved(task);
        }
        return task.view(loop.clock.nanos());
    }

    static void checkPriority(int priority) {
        if (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY) {
            throw new InvalidTaskException("priority", "priority must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + ", got " + priority);
        }
    }

    /** Recovery: the next task's sequence comes after {@code highest}. */
    void continueAfter(long highest) {
        sequence = Math.max(sequence, highest + 1);
    }

    /** Counts a submission refused before it reached the loop (invalid fields). */
    void countRejected() {
        counters.rejected++;
    }

    /**
     * Why a task of {@code cost} bytes would not fit: the byte budget, or its tenant's share of it
     * (others are not held up by one tenant's); null when it fits.
     */
    private QueueFullException overBudget(TaskSpec spec, long cost) {
        long held = tasks.bodyBytes() + loop.heldElsewhere.getAsLong();
        if (held + cost > loop.maxQueuedBytes) {
            return new QueueFullException(heaviestField(spec, cost), loop.maxQueuedBytes,
                    "queued task bodies and callbacks in flight hold " + held + " bytes and this task counts " + cost
                            + "; the limit (max_queued_bytes) is " + loop.maxQueuedBytes + " bytes; retry later");
        }
        double share = loop.tenantShares.of(spec.tenant());
        if (share >= 1) {
            return null;
        }
        long limit = (long) (share * loop.maxQueuedBytes);
        long tenantHeld = tasks.bodyBytes(spec.tenant()) + loop.heldElsewhereBy.applyAsLong(spec.tenant());
        if (tenantHeld + cost > limit) {
            String who = spec.tenant() == null ? "tasks without a tenant" : "tenant '" + spec.tenant() + "'";
            return new QueueFullException("tenant", limit, who + " holds " + tenantHeld
                    + " bytes of queued task bodies and callbacks in flight and this task counts " + cost
                    + "; its share of max_queued_bytes (" + share + ") is " + limit + " bytes; retry later");
        }
        return null;
    }

    /** The field that weighs most in a task's count against the byte budget: the one to shorten. */
    private static String heaviestField(TaskSpec spec, long cost) {
        long input = spec.input() == null ? 0 : spec.input().length();
        long url = spec.callbackUrl() == null ? 0 : spec.callbackUrl().length();
        long metadata = (cost - TaskTable.TASK_OVERHEAD_BYTES) / 2 - input - url;
        return input >= url && input >= metadata ? "input" : url >= metadata ? "callback_url" : "metadata";
    }

    /** The field an executor's refusal names ("input: …", "metadata.input_format: …", "model '…'"); else the tokens it cannot hold. */
    private static String refusedField(String refusal) {
        if (refusal.startsWith("model")) {
            return "model";
        }
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("^([a-z_]+(?:\\.[a-z_]+)*): ").matcher(refusal);
        return named.find() ? named.group(1) : "max_tokens";
    }
}
