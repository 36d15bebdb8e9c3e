package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;

/**
 * Strict priority: the smallest priority number first, submission order within a priority.
 * Non-preemptive by default (a running task keeps its slot); {@code preemptive=true} lets an
 * urgent arrival take the slot of a less urgent running task at the next decode step.
 */
@PolicyName("priority")
final class PriorityPolicy extends HeapPolicy {
    private final boolean preemptive;

    PriorityPolicy(PolicyConfig config) {
        super(Comparator.comparingInt(Task::priority).thenComparingLong(Task::sequence));
        preemptive = config.bool("preemptive", false);
    }

    @Override
    public String name() {
        return "priority";
    }

    @Override
    public boolean preemptive() {
        return preemptive;
    }

    @Override
    public boolean preempts(Task waiting, Task running, int batchSize) {
        return preemptive && waiting.priority() < running.priority();
    }
}
