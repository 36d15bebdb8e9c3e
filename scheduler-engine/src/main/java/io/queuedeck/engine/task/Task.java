package io.queuedeck.engine.task;

import java.util.ArrayList;
import java.util.List;

/**
 * A task inside the engine. Mutable, and owned by the scheduler loop: only the loop thread (and
 * the policies and executors it calls) reads or changes it. Everything else sees {@link TaskView}.
 * All times are engine-clock nanoseconds.
 */
public final class Task {
    private final String id;
    private final TaskSpec spec;
    private final long sequence;
    private long rank;
    private final int outputTokens;
    private final long arrivedAt;
    /** The moves since, made only once the task moves: a waiting task holds no list (decision 0090). */
    private List<Transition> moves;

    private TaskState state = TaskState.QUEUED;
    private int priority;
    private long stateSince;
    private long queuedSince;
    private long waitedNanos;
    private long firstDispatchAt = -1;
    private long firstTokenAt = -1;
    private long finishedAt = -1;
    private int generatedTokens;
    private long serviceNanos;
    private int attempts;
    private int preemptions;
    private int instance = -1;
    private String error;
    private String output;
    private Generation generation;

    // Scheduling bookkeeping, used by the policy that holds the task.
    private int heapIndex = -1;
    private int level;
    private long levelServiceNanos;
    private long enqueuedAt;
    private double policyKey;
    private boolean givenUp;
    /** Placed within its lane by an operator: never given up on while it waits there. */
    private boolean placed;
    /** Given its priority by hand (a reprioritization, not a rule): never given up on either. */
    private boolean prioritizedByHand;
    /** Null until a first move by hand: most tasks never have one. */
    private java.util.ArrayDeque<Moved> movedByHand;
    private long deadlineAt = Long.MAX_VALUE;

    /**
     * @param spec         a validated, complete spec
     * @param sequence     submission order, unique and increasing: the first {@link #rank()} and the
     *                     order of task listings
     * @param outputTokens how many tokens the task will generate on a simulated GPU
     * @param now          arrival time
     */
    public Task(TaskSpec spec, long sequence, int outputTokens, long now) {
        this.id = spec.taskId();
        this.spec = spec;
        this.sequence = sequence;
        this.rank = sequence;
        this.outputTokens = outputTokens;
        this.priority = spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority();
        this.arrivedAt = now;
        this.stateSince = now;
        this.queuedSince = now;
        this.enqueuedAt = now;
    }

    /**
     * A task read back from a store at start, with the attempts it had made. It keeps its arrival,
     * so its age goes on (and with it aging and giving up). One that waited from its arrival to
     * the stop waits on without a break; any other stands in {@code state} from {@code now} on,
     * its moves and timings from before the restart not kept.
     *
     * @param arrivedAt        its arrival on this clock, at most {@code now}
     * @param waitingSinceArrival whether it had done nothing but wait since it arrived
     */
    public static Task recovered(TaskSpec spec, long sequence, int outputTokens, long arrivedAt, long now,
                                 TaskState state, boolean waitingSinceArrival, int priority, int attempts,
                                 String error) {
        Task task = new Task(spec, sequence, outputTokens, arrivedAt);
        task.state = state;
        task.priority = priority;
        task.attempts = attempts;
        task.error = error;
        boolean waitsOn = waitingSinceArrival && state == TaskState.QUEUED;
        if (!waitsOn) {
            task.stateSince = now;
            task.queuedSince = now;
            if (state != TaskState.QUEUED) {
                task.moves = new ArrayList<>(4);
                task.moves.add(new Transition(TaskState.QUEUED, state, now));
            }
        }
        if (state.isFinal()) {
            task.finishedAt = now;
        }
        return task;
    }

    /** One lifecycle move, stamped with the engine clock. */
    public record Transition(TaskState from, TaskState to, long at) {}

    /**
     * A move by hand while it waited: from one priority to another (the same for a place in its
     * lane), and where in the lane ("front", "back", "before ID", "after ID"; null: its lane's order).
     */
    public record Moved(long at, int from, int to, String where) {}

    /** Moves kept per task, the newest: an operator's history, not a log to grow without bound. */
    static final int MOVES_KEPT = 16;

    /**
     * Moves the task to {@code to} at time {@code now}.
     *
     * @throws IllegalTransitionException when the lifecycle forbids the move
     */
    public void transitionTo(TaskState to, long now) {
        if (!TaskState.isAllowed(state, to)) {
            throw new IllegalTransitionException(id, state, to);
        }
        if (state.isWaiting() || state == TaskState.RETRY_WAIT) {
            waitedNanos += now - queuedSince;
        }
        if (to.isWaiting() || to == TaskState.RETRY_WAIT) {
            queuedSince = now;
        }
        if (to == TaskState.RUNNING && firstDispatchAt < 0) {
            firstDispatchAt = now;
        }
        if (!to.isWaiting()) {
            placed = false; // the operator's place held until it left the lane
        }
        if (to.isFinal() || to == TaskState.FAILED) {
            finishedAt = now;
        }
        if (to == TaskState.PREEMPTED) {
            preemptions++;
        }
        if (moves == null) {
            moves = new ArrayList<>(4);
        }
        moves.add(new Transition(state, to, now));
        state = to;
        stateSince = now;
    }

    /** Records one generated token; the first one fixes the time to first token. */
    public void addToken(long now) {
        if (generatedTokens++ == 0 && firstTokenAt < 0) {
            firstTokenAt = now;
        }
    }

    /** Forgets the tokens of a failed attempt; the time to first token already measured stays. */
    public void discardOutput() {
        generatedTokens = 0;
    }

    /** Charges GPU time to the task, for policies that share time (MLFQ quanta). */
    public void addService(long nanos) {
        serviceNanos += nanos;
        levelServiceNanos += nanos;
    }

    public String id() { return id; }
    public TaskSpec spec() { return spec; }
    public long sequence() { return sequence; }

    /**
     * The task's place among tasks that tie on everything else a policy orders by: submission
     * order (the sequence, until the loop gives it a spaced-out rank) until an operator moves
     * it within its lane. Change it only while the task is out of its policy's queue.
     */
    public long rank() { return rank; }

    public void setRank(long value) { rank = value; }

    public String model() { return spec.model(); }
    public int promptTokens() { return spec.promptTokens(); }
    public int outputTokens() { return outputTokens; }
    public int remainingTokens() { return outputTokens - generatedTokens; }
    public long arrivedAt() { return arrivedAt; }
    public TaskState state() { return state; }
    public long stateSince() { return stateSince; }
    public int priority() { return priority; }
    public long firstDispatchAt() { return firstDispatchAt; }
    public long firstTokenAt() { return firstTokenAt; }
    public long finishedAt() { return finishedAt; }
    public int generatedTokens() { return generatedTokens; }
    public long serviceNanos() { return serviceNanos; }
    public int attempts() { return attempts; }
    public int preemptions() { return preemptions; }
    public int instance() { return instance; }
    public String error() { return error; }
    public String output() { return output; }
    public Generation generation() { return generation; }
    /** Every move from arrival on, oldest first: an immutable copy. */
    public List<Transition> history() {
        Transition[] all = new Transition[1 + (moves == null ? 0 : moves.size())];
        all[0] = new Transition(null, TaskState.QUEUED, arrivedAt);
        for (int i = 1; i < all.length; i++) {
            all[i] = moves.get(i - 1);
        }
        return List.of(all);
    }

    /** Time spent waiting (queued, preempted, retry wait) up to {@code now}. */
    public long waitedNanos(long now) {
        boolean waitingNow = state.isWaiting() || state == TaskState.RETRY_WAIT;
        return waitedNanos + (waitingNow ? now - queuedSince : 0);
    }

    public void setPriority(int priority) { this.priority = priority; }
    public void setInstance(int instance) { this.instance = instance; }
    public void setError(String error) { this.error = error; }
    public void setOutput(String output) { this.output = output; }
    /** What a real inference server reported with the output; set by its executor before it reports success. */
    public void setGeneration(Generation generation) { this.generation = generation; }
    public void incrementAttempts() { attempts++; }
    /** An operator's replay of a dead letter starts a fresh series of attempts. */
    public void resetAttempts() { attempts = 0; }

    /** Tokens the task holds in a KV cache while it runs: prompt plus everything generated so far. */
    public int contextTokens() { return spec.promptTokens() + generatedTokens; }

    // Policy bookkeeping: one policy holds a task at a time, so one set of fields suffices.
    public int heapIndex() { return heapIndex; }
    public void setHeapIndex(int index) { heapIndex = index; }
    public int level() { return level; }
    public void setLevel(int level) { this.level = level; levelServiceNanos = 0; }
    public long levelServiceNanos() { return levelServiceNanos; }
    public long enqueuedAt() { return enqueuedAt; }
    /** When its present wait began (it last became waiting): its arrival for a task that has only waited. */
    public long queuedSince() { return queuedSince; }
    /** A sort key the holding policy computed when the task joined it. */
    public double policyKey() { return policyKey; }
    public void setPolicyKey(double key) { policyKey = key; }
    /** Whether the holding policy gave up on the task's objective while it waited (decision 0079). */
    public boolean givenUp() { return givenUp; }
    public boolean prioritizedByHand() { return prioritizedByHand; }

    /** Records a move by hand (the newest {@value #MOVES_KEPT} are kept). */
    public void movedByHand(Moved move) {
        if (movedByHand == null) {
            movedByHand = new java.util.ArrayDeque<>(2);
        } else if (movedByHand.size() == MOVES_KEPT) {
            movedByHand.removeFirst();
        }
        movedByHand.addLast(move);
    }
    public void setPrioritizedByHand() { prioritizedByHand = true; }
    public void setGivenUp(boolean late) { givenUp = late; }
    public boolean placed() { return placed; }
    public void setPlaced(boolean byOperator) { placed = byOperator; }
    /** The deadline on the engine clock; {@link Long#MAX_VALUE} when the task has none. */
    public long deadlineAt() { return deadlineAt; }
    public void setDeadlineAt(long at) { deadlineAt = at; }
    public boolean hasDeadline() { return deadlineAt != Long.MAX_VALUE; }
    public void setEnqueuedAt(long now) { enqueuedAt = now; }

    /** An immutable copy for readers outside the loop. */
    public TaskView view(long now) {
        return new TaskView(id, spec, state, priority, level, instance, sequence, arrivedAt, firstDispatchAt,
                firstTokenAt, finishedAt, waitedNanos(now), generatedTokens, outputTokens, attempts, preemptions,
                error, output, history(), generation, givenUp && state.isWaiting(),
                movedByHand == null ? List.of() : List.copyOf(movedByHand));
    }

    @Override
    public String toString() {
        return "Task[" + id + " p" + priority + " " + state + "]";
    }
}
