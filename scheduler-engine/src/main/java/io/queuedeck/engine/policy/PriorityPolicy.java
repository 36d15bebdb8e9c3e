package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Strict priority: the smallest priority number first, rank order within a priority.
 * Non-preemptive by default (a running task keeps its slot); {@code preemptive=true} lets an
 * urgent arrival take the slot of a less urgent running task at the next decode step.
 */
@PolicyName("priority")
final class PriorityPolicy extends HeapPolicy {
    private final boolean preemptive;

    PriorityPolicy(PolicyConfig config) {
        super(PriorityPolicy::order);
        preemptive = config.bool("preemptive", false);
    }

    /** Priority, then rank. Written out rather than composed: see {@link HeapPolicy}. */
    static int order(Task a, Task b) {
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    @Override
    public boolean keepsLaneOrder() {
        return true;
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
