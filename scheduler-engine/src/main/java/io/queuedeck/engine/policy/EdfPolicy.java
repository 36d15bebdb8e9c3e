package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Earliest deadline first. Tasks with a deadline go first, earliest deadline first; tasks without
 * one follow, by priority then rank order. Non-preemptive: a deadline is served by starting
 * early, and a preemption would cost the victim a second prefill.
 */
@PolicyName("edf")
final class EdfPolicy extends HeapPolicy {
    EdfPolicy(PolicyConfig config) {
        super(EdfPolicy::order);
    }

    /** Deadlines first, earliest first; then priority, then rank. */
    static int order(Task a, Task b) {
        // deadlineAt is Long.MAX_VALUE without a deadline, so tasks without one sort last.
        int byDeadline = Long.compare(a.deadlineAt(), b.deadlineAt());
        if (byDeadline != 0) {
            return byDeadline;
        }
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    @Override
    public String name() {
        return "edf";
    }
}
