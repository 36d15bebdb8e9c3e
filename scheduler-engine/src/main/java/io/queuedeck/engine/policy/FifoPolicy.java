package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/** First come, first served: submission order, whatever the priority. */
@PolicyName("fifo")
final class FifoPolicy extends HeapPolicy {
    FifoPolicy(PolicyConfig config) {
        super(FifoPolicy::order);
    }

    /** Submission order. Written out rather than composed: see {@link HeapPolicy}. */
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
