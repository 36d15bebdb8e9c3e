package io.queuedeck.engine.task;

import java.util.List;

/**
 * An immutable picture of a task at one moment, for the API, the console and tests. Times are
 * engine-clock nanoseconds; -1 means "not yet".
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
        List<Task.Transition> history) {}
