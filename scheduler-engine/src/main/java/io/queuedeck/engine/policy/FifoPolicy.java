package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * First come, first served, whatever the priority: by rank, that is arrival order as operators
 * left it (a place within a lane gives a task a rank between its new neighbours'; decision 0010).
 */
@PolicyName("fifo")
final class FifoPolicy extends HeapPolicy {
    FifoPolicy(PolicyConfig config) {
        super(FifoPolicy::order);
    }

    /** Rank order. Written out rather than composed: see {@link HeapPolicy}. */
    static int order(Task a, Task b) {
        return Long.compare(a.rank(), b.rank());
    }

    @Override
    public boolean keepsLaneOrder() {
        return true;
    }

    @Override
    public String name() {
        return "fifo";
    }
}
