package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Priority: the smallest priority number first, rank order within a priority.
 * Non-preemptive by default (a running task keeps its slot); {@code preemptive=true} lets an
 * urgent arrival take the slot of a less urgent running task at the next decode step.
 *
 * <p>{@code aging_seconds=S} (default 0: strict) makes a waiting task one priority level more
 * urgent for every S seconds since it arrived, so that a long wait in a bulk class ends before
 * its objective is lost (decision 0057). As in {@link AgingPolicy} the order at time t compares
 * {@code priority − (t − arrival) / S}, and t cancels: the key {@code priority·S + arrival} is
 * fixed when a task joins, and every operation stays O(log n).
 */
@PolicyName("priority")
final class PriorityPolicy extends HeapPolicy {
    private final boolean preemptive;
    private final double agingNanos;

    PriorityPolicy(PolicyConfig config) {
        this(config.bool("preemptive", false), config.doubleValue("aging_seconds", 0, 0, 86_400) * 1e9);
    }

    private PriorityPolicy(boolean preemptive, double agingNanos) {
        super(agingNanos > 0 ? KeyedPolicy::order : PriorityPolicy::order);
        this.preemptive = preemptive;
        this.agingNanos = agingNanos;
    }

    /** Priority, then rank. Written out rather than composed: see {@link HeapPolicy}. */
    static int order(Task a, Task b) {
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    @Override
    public void enqueue(Task task, long now) {
        if (agingNanos > 0) {
            task.setPolicyKey(task.priority() * agingNanos + task.arrivedAt());
        }
        super.enqueue(task, now);
    }

    @Override
    public boolean keepsLaneOrder() {
        return agingNanos == 0; // with aging, the wait orders a lane as much as the rank
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
