package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Giving up on a waiting task that has lost its objective (decisions 0074 and 0079): it goes
 * behind every task that can still meet its own, and keeps its order among the other late ones.
 * Its objective is lost whatever happens next, and serving it first only makes younger tasks late
 * too.
 *
 * <p>A task has lost its class's TTFT objective when it is still waiting {@code give_up_seconds}
 * (default 5, the objective of classes 3–6; 0: never) after it arrived, or
 * {@code late_give_up_seconds} (default 60, classes 7–9). The policy package does not read the
 * simulator's objectives: the defaults are the documented default objectives, and an operator with
 * other objectives sets the parameters. Each policy says which of its tasks it may give up on
 * ({@link Lost}) and reads {@link Task#givenUp()} in its order.
 *
 * <p>A task an operator placed within its lane is not given up on while it waits there: the place
 * is the operator's decision, and it holds (decision 0010). Nor is one given a new priority by hand
 * (decision 0125): moved to a more urgent lane, it was given up on again at once and never ran.
 *
 * <p>A late task is moved when it reaches the head ({@link #moveLateHeads}), once, in O(log n):
 * nothing is scanned and no timer is armed, because a late task deeper in the order is behind the
 * head anyway.
 *
 * @param giveUpNanos     wait after which a task of priority 0–6 has lost its objective; 0: never
 * @param lateGiveUpNanos the same for priorities 7–9
 */
record GiveUp(double giveUpNanos, double lateGiveUpNanos) {

    /** Whether a task waiting at {@code now} has lost its objective, in the policy's own terms. */
    @FunctionalInterface
    interface Lost {
        boolean test(Task task, long now);
    }

    /** The parameters {@code give_up_seconds} and {@code late_give_up_seconds}. */
    static GiveUp of(PolicyConfig config) {
        return new GiveUp(config.doubleValue("give_up_seconds", 5, 0, 86_400) * 1e9,
                config.doubleValue("late_give_up_seconds", 60, 0, 86_400) * 1e9);
    }

    /**
     * {@code strict_through} (default 2: the classes with the 1 s objective; −1: none): priorities
     * 0..P are never given up on, which is what keeps the urgent classes' isolation (decision 0074).
     */
    static int strictThrough(PolicyConfig config) {
        return (int) config.longValue("strict_through", 2, -1, 9);
    }

    /** Whether this rule never gives up. */
    boolean never() {
        return giveUpNanos == 0 && lateGiveUpNanos == 0;
    }

    /** Whether {@code task}, still waiting at {@code now}, has lost its class's TTFT objective. */
    boolean lostObjective(Task task, long now) {
        double giveUp = task.priority() <= 6 ? giveUpNanos : lateGiveUpNanos;
        return giveUp != 0 && now - task.arrivedAt() >= giveUp;
    }

    /** {@link #lostObjective} for priorities above {@code strictThrough}; never for the others. */
    Lost above(int strictThrough) {
        return (task, now) -> task.priority() > strictThrough && lostObjective(task, now);
    }

    /**
     * Whether {@code task} is to be given up on now: it has lost its objective, is not given up on
     * already, and was not placed by an operator (a placed task is served where it was placed,
     * decision 0010). A policy that moves late heads must ask this, not {@code lost} alone: a head
     * that is lost but not to be moved stays the head.
     */
    static boolean toGiveUp(Task task, long now, Lost lost) {
        return !task.givenUp() && !task.placed() && !task.prioritizedByHand() && lost.test(task, now);
    }

    /**
     * Marks heads of {@code heap} that have lost their objective as given up and puts them back,
     * until the head is one that has not. The heap's order must put given-up tasks behind the
     * others; each task is moved at most once while it waits.
     */
    static void moveLateHeads(IndexedTaskHeap heap, long now, Lost lost) {
        for (Task head = heap.peek(); head != null && toGiveUp(head, now, lost); head = heap.peek()) {
            heap.remove(head);
            head.setGivenUp(true);
            heap.add(head);
        }
    }
}
