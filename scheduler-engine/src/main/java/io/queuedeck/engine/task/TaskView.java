package io.queuedeck.engine.task;

import java.util.List;

/**
 * An immutable picture of a task at one moment, for the API, the console and tests. Times are
 * engine-clock nanoseconds; -1 means "not yet". {@code generation} is what a real inference
 * server reported about the output (null on simulated GPUs). {@code givenUp}: the live policy has
 * given up on it as late (decision 0074) and serves it after every task that can still meet its objective.
 * {@code movedByHand}: an operator's or client's moves of it while it waited (another priority, a
 * place in its lane), oldest first; kept in memory only, not across a restart.
 */
public record TaskView(
        String id,
        TaskSpec spec,
        TaskState state,
        int priority,
        int level,
        int instance,
        long sequence,
        long arrivedAt,
        long firstDispatchAt,
        long firstTokenAt,
        long finishedAt,
        long waitedNanos,
        int generatedTokens,
        int outputTokens,
        int attempts,
        int preemptions,
        String error,
        String output,
        List<Task.Transition> history,
        Generation generation,
        boolean givenUp,
        List<Task.Moved> movedByHand) {

    public TaskView {
        movedByHand = movedByHand == null ? List.of() : movedByHand;
    }

    /** A view of a task nobody moved by hand. */
    public TaskView(String id, TaskSpec spec, TaskState state, int priority, int level, int instance, long sequence,
                    long arrivedAt, long firstDispatchAt, long firstTokenAt, long finishedAt, long waitedNanos,
                    int generatedTokens, int outputTokens, int attempts, int preemptions, String error, String output,
                    List<Task.Transition> history, Generation generation, boolean givenUp) {
        this(id, spec, state, priority, level, instance, sequence, arrivedAt, firstDispatchAt, firstTokenAt, finishedAt,
                waitedNanos, generatedTokens, outputTokens, attempts, preemptions, error, output, history, generation, givenUp,
                List.of());
    }

    /** A view with a real inference server's report, of a task not given up on as late. */
    public TaskView(String id, TaskSpec spec, TaskState state, int priority, int level, int instance, long sequence,
                    long arrivedAt, long firstDispatchAt, long firstTokenAt, long finishedAt, long waitedNanos,
                    int generatedTokens, int outputTokens, int attempts, int preemptions, String error, String output,
                    List<Task.Transition> history, Generation generation) {
        this(id, spec, state, priority, level, instance, sequence, arrivedAt, firstDispatchAt, firstTokenAt, finishedAt,
                waitedNanos, generatedTokens, outputTokens, attempts, preemptions, error, output, history, generation, false);
    }

    /** A view of a task with no report from a real inference server (simulated, or not finished). */
    public TaskView(String id, TaskSpec spec, TaskState state, int priority, int level, int instance, long sequence,
                    long arrivedAt, long firstDispatchAt, long firstTokenAt, long finishedAt, long waitedNanos,
                    int generatedTokens, int outputTokens, int attempts, int preemptions, String error, String output,
                    List<Task.Transition> history) {
        this(id, spec, state, priority, level, instance, sequence, arrivedAt, firstDispatchAt, firstTokenAt, finishedAt,
                waitedNanos, generatedTokens, outputTokens, attempts, preemptions, error, output, history, null);
    }
}
