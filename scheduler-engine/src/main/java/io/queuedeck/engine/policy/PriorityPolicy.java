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
 * <p>Giving up ({@link GiveUp}, decision 0074): priorities 0..{@code strict_through} (default 2,
 * the classes with the 1 s objective; −1: none) stay strictly ahead of every other class and of
 * each other, and neither aging nor giving up touches them, which is what keeps the urgent
 * classes' isolation. A bulk task still waiting {@code give_up_seconds} (default 5, classes 3–6;
 * 0: never) or {@code late_give_up_seconds} (default 60, classes 7–9) after it arrived has lost its
 * TTFT objective whatever happens next, so it goes behind every bulk task that can still meet its
 * own, keeping its order among the other late ones. Below saturation this turns the wait strict
 * priority moves onto the bulk classes into tasks that still meet their objective.
 */
@PolicyName("priority")
final class PriorityPolicy extends HeapPolicy {
    private final boolean preemptive;
    private final EvictionGuard guard;
    private final double agingNanos;
    private final int strictThrough;
    private final boolean plain;

    PriorityPolicy(PolicyConfig config) {
        this(config.bool("preemptive", false), EvictionGuard.of(config),
                config.zeroOrBetween("aging_seconds", 0.001, 86_400) * 1e9,
                GiveUp.strictThrough(config), GiveUp.of(config));
    }

    private PriorityPolicy(boolean preemptive, EvictionGuard guard, double agingNanos, int strictThrough,
                           GiveUp giveUp) {
        super(agingNanos == 0 && giveUp.never() ? PriorityPolicy::order : new Banded(strictThrough, agingNanos > 0));
        this.preemptive = preemptive;
        this.guard = guard;
        this.agingNanos = agingNanos;
        this.strictThrough = strictThrough;
        giveUpOn(giveUp.never() ? null : giveUp.above(strictThrough));
        this.plain = agingNanos == 0 && giveUp.never();
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
            return (t.givenUp() ? 20 : 10) + (aging ? 0 : t.priority());
        }
    }

    @Override
    public void enqueue(Task task, long now) {
        if (!plain) {
            task.setPolicyKey(agingNanos > 0 ? task.priority() * agingNanos + task.arrivedAt() : 0);
            task.setGivenUp(task.placed() && task.givenUp()); // a placed task keeps its neighbour's
        }
        super.enqueue(task, now);
    }

    /** A task placed beside another takes its lateness, so it lands among the late or the others as its neighbour. */
    @Override
    public void alignForPlace(Task moving, Task neighbour) {
        moving.setGivenUp(neighbour.givenUp());
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
