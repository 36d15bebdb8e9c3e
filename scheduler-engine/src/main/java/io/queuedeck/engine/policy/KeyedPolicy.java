package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * A policy whose order is a number computed once, when a task joins: smallest key first, then
 * rank order. Keys that depend on time are written so that the order they give does not
 * change as time passes (see {@link AgingPolicy}), which is what keeps every operation O(log n).
 */
abstract class KeyedPolicy extends HeapPolicy {
    KeyedPolicy() {
        super(KeyedPolicy::order);
    }

    /**
     * Given up last (only a policy that gives up marks any, see {@link GiveUp}), then smallest key,
     * then rank (written out: see {@link HeapPolicy}).
     */
    static int order(Task a, Task b) {
        int byLate = Boolean.compare(a.givenUp(), b.givenUp());
        if (byLate != 0) {
            return byLate;
        }
        int byKey = Double.compare(a.policyKey(), b.policyKey());
        return byKey != 0 ? byKey : Long.compare(a.rank(), b.rank());
    }

    /** The key of {@code task}, joining now. */
    abstract double key(Task task, long now);

    @Override
    public void enqueue(Task task, long now) {
        task.setPolicyKey(key(task, now));
        task.setGivenUp(false);
        super.enqueue(task, now);
    }
}
