package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Earliest deadline first. Tasks with a deadline go first, earliest deadline first; tasks without
 * one follow, by priority then rank order. Non-preemptive: a deadline is served by starting
 * early, and a preemption would cost the victim a second prefill.
 *
 * <p>Giving up ({@link GiveUp}, decision 0079): a task whose objective is already lost goes behind
 * every task that can still meet its own, in the same order among the late ones. A task with a
 * deadline has lost it once the deadline has passed while it waits (any priority: the deadline is
 * its objective); a task without one has lost its class's TTFT objective ({@code give_up_seconds},
 * {@code late_give_up_seconds}), except priorities 0..{@code strict_through} (default 2), which are
 * never given up on. So among the tasks that can still meet their objectives the order is still
 * earliest deadline first.
 */
@PolicyName("edf")
final class EdfPolicy extends HeapPolicy {

    EdfPolicy(PolicyConfig config) {
        super(EdfPolicy::order);
        int strictThrough = GiveUp.strictThrough(config);
        GiveUp giveUp = GiveUp.of(config);
        giveUpOn(giveUp.never() ? null : (task, now) -> task.hasDeadline() ? now >= task.deadlineAt()
                : task.priority() > strictThrough && giveUp.lostObjective(task, now));
    }

    /** Given up last; then deadlines first, earliest first; then priority, then rank. */
    static int order(Task a, Task b) {
        int byLate = Boolean.compare(a.givenUp(), b.givenUp());
        if (byLate != 0) {
            return byLate;
        }
        // deadlineAt is Long.MAX_VALUE without a deadline, so tasks without one sort last.
        int byDeadline = Long.compare(a.deadlineAt(), b.deadlineAt());
        if (byDeadline != 0) {
            return byDeadline;
        }
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    @Override
    public void enqueue(Task task, long now) {
        task.setGivenUp(false);
        super.enqueue(task, now);
    }

    @Override
    public String name() {
        return "edf";
    }
}
