package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;

/**
 * Earliest deadline first. Tasks with a deadline go first, earliest deadline first; tasks without
 * one follow, by priority then submission order. Non-preemptive: a deadline is served by starting
 * early, and a preemption would cost the victim a second prefill.
 */
@PolicyName("edf")
final class EdfPolicy extends HeapPolicy {
    EdfPolicy(PolicyConfig config) {
        super(Comparator.comparing(Task::hasDeadline).reversed()
                .thenComparingLong(Task::deadlineAt)
                .thenComparingInt(Task::priority)
                .thenComparingLong(Task::sequence));
    }

    @Override
    public String name() {
        return "edf";
    }
}
