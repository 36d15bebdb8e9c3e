package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;

/**
 * Priority: the smallest priority number first, rank order within a priority.
 * Non-preemptive by default (a running task keeps its slot); {@code preemptive=true} lets an
 * urgent arrival (priority 0..{@code preempt_through}, default 2) take the slot of a less urgent
 * running task at the next decode step (decision 0076).
 *
 * <p>{@code aging_seconds=S} (default 0: none) makes a waiting bulk task one priority level more
 * urgent for every S seconds since it arrived (decision 0057). As in {@link AgingPolicy} the order
 * at time t compares {@code priority − (t − arrival) / S}, and t cancels: the key
 * {@code priority·S + arrival} is fixed when a task joins, and every operation stays O(log n).
 *
 * <p>{@code strict_through=P} (default 2: the classes with the 1 s objective; −1: none) keeps
 * priorities 0..P strictly ahead of every other class and of each other: neither aging nor giving
 * up touches them, which is what keeps the urgent classes' isolation (decision 0074).
 *
 * <p>{@code give_up_seconds=D} (default 5, the 5 s TTFT objective of classes 3–6; 0: never) and
 * {@code late_give_up_seconds} (default 60, classes 7–9): a bulk task still waiting D seconds after
 * it arrived has lost its TTFT objective whatever happens next, so it goes behind every bulk task
 * that can still meet its own, keeping its order among the other late ones. Below saturation this
 * turns the wait strict priority moves onto the bulk classes into tasks that still meet their
 * objective (decision 0074). A late task is moved when it reaches the head of the heap (once, in
 * O(log n)): nothing is scanned, and a late task deeper in the heap is already behind the head.
 */
@PolicyName("priority")
final class PriorityPolicy extends HeapPolicy {
    /** Added to a late task's key: beyond any arrival in nanoseconds plus aging. */
    private static final double LATE = 1e19;

    private final boolean preemptive;
    private final EvictionGuard guard;
    private final double agingNanos;
    private final int strictThrough;
    private final double giveUpNanos;
    private final double lateGiveUpNanos;
    private final boolean plain;

    PriorityPolicy(PolicyConfig config) {
        this(config.bool("preemptive", false), EvictionGuard.of(config),
                config.doubleValue("aging_seconds", 0, 0, 86_400) * 1e9,
                (int) config.longValue("strict_through", 2, -1, 9),
                config.doubleValue("give_up_seconds", 5, 0, 86_400) * 1e9,
                config.doubleValue("late_give_up_seconds", 60, 0, 86_400) * 1e9);
    }

    private PriorityPolicy(boolean preemptive, EvictionGuard guard, double agingNanos, int strictThrough,
                           double giveUpNanos, double lateGiveUpNanos) {
        super(agingNanos == 0 && giveUpNanos == 0 && lateGiveUpNanos == 0
                ? PriorityPolicy::order : new Banded(strictThrough, agingNanos > 0));
        this.preemptive = preemptive;
        this.guard = guard;
        this.agingNanos = agingNanos;
        this.strictThrough = strictThrough;
        this.giveUpNanos = giveUpNanos;
        this.lateGiveUpNanos = lateGiveUpNanos;
        this.plain = agingNanos == 0 && giveUpNanos == 0 && lateGiveUpNanos == 0;
    }

    /** Priority, then rank. Written out rather than composed: see {@link HeapPolicy}. */
    static int order(Task a, Task b) {
        int byPriority = Integer.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.rank(), b.rank());
    }

    /**
     * Priorities up to {@code strictThrough} first, each ahead of the next; then the bulk tasks
     * that can still meet their objective, then the late ones; within each, by priority when
     * there is no aging, then key, then rank. Lexicographic, so a total order.
     */
    private record Banded(int strictThrough, boolean aging) implements Comparator<Task> {
        @Override
        public int compare(Task a, Task b) {
            int byBand = Integer.compare(band(a), band(b));
            return byBand != 0 ? byBand : KeyedPolicy.order(a, b);
        }

        private int band(Task t) {
            if (t.priority() <= strictThrough) {
                return t.priority();
            }
            return (t.policyKey() >= LATE ? 20 : 10) + (aging ? 0 : t.priority());
        }
    }

    @Override
    public void enqueue(Task task, long now) {
        if (!plain) {
            task.setPolicyKey(agingNanos > 0 ? task.priority() * agingNanos + task.arrivedAt() : 0);
        }
        super.enqueue(task, now);
    }

    @Override
    public Task peek(long now) {
        moveLateHeads(now);
        return super.peek(now);
    }

    @Override
    public Task poll(long now) {
        moveLateHeads(now);
        return super.poll(now);
    }

    /** Moves heads that have lost their TTFT objective behind the bulk tasks that have not. */
    private void moveLateHeads(long now) {
        if (plain) {
            return;
        }
        for (Task head = super.peek(now); head != null && head.priority() > strictThrough
                && head.policyKey() < LATE; head = super.peek(now)) {
            double giveUp = head.priority() <= 6 ? giveUpNanos : lateGiveUpNanos;
            if (giveUp == 0 || now - head.arrivedAt() < giveUp) {
                return;
            }
            super.remove(head);
            head.setPolicyKey(head.policyKey() + LATE);
            super.enqueue(head, now);
        }
    }

    @Override
    public boolean keepsLaneOrder() {
        // with aging, the wait orders a lane as much as the rank; giving up keeps the lane's order
        // among the tasks that can still meet their objective and puts the late ones after them
        return agingNanos == 0;
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
        // only the urgent classes evict (EvictionGuard)
        return preemptive && guard.mayEvict(waiting) && waiting.priority() < running.priority();
    }
}
