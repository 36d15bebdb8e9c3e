package io.queuedeck.engine.policy;

import java.util.Comparator;

/** First come, first served: submission order, whatever the priority. */
@PolicyName("fifo")
final class FifoPolicy extends HeapPolicy {
    FifoPolicy(PolicyConfig config) {
        super(Comparator.comparingLong(io.queuedeck.engine.task.Task::sequence));
    }

    @Override
    public String name() {
        return "fifo";
    }
}
