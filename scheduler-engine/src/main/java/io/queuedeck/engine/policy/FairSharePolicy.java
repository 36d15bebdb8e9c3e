package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fair share across tenants with Virtual Token Counters (Sheng et al., "Fairness in Serving Large
 * Language Models", OSDI 2024).
 *
 * <p>Each tenant has a counter of the service it received, charged {@code input_weight} per
 * prompt token when one of its tasks is dispatched and {@code output_weight} per generated token
 * at every decode step. Dispatch serves the waiting tenant with the smallest counter (on a tie, the
 * one whose first waiting task came first), its tasks in rank order. A tenant that becomes active
 * (a new request finds nothing of it waiting) is lifted to the smallest counter among the active
 * tenants, so idling earns no credit to burst with later.
 *
 * <p>Giving up ({@link GiveUp}, decision 0079): a task that has lost its class's TTFT objective
 * ({@code give_up_seconds}, {@code late_give_up_seconds}; priorities 0..{@code strict_through},
 * default 2, never) goes behind its tenant's tasks that can still meet theirs, and a tenant whose
 * waiting tasks have all lost theirs goes behind every tenant that has one that has not. Counters
 * order the tenants within each group, so fairness between tenants holds among the tasks that can
 * still meet their objectives, and among the late ones.
 *
 * <p>O(log n) per operation: the waiting tenants are kept sorted (late or not, counter, first
 * task), and a tenant is re-sorted when its counter or its first task changes.
 * Tasks without a tenant share the tenant {@code "-"}.
 */
@PolicyName("fair")
final class FairSharePolicy implements SchedulingPolicy {
    private static final String NO_TENANT = "-";
    private final double inputWeight;
    private final double outputWeight;
    private final GiveUp.Lost lost;
    private final boolean never;
    /** Every tenant seen, with its counter; those with waiting tasks are also in {@link #waiting}. */
    private final Map<String, Tenant> tenants = new HashMap<>();
    private final TreeSet<Tenant> waiting = new TreeSet<>(FairSharePolicy::order);
    private int size;

    /** Sorts before every late tenant and after every other one. */
    private static final Tenant LATE_PROBE = new Tenant(Integer.MIN_VALUE);
    static {
        LATE_PROBE.lateHead = true;
        LATE_PROBE.counter = Double.NEGATIVE_INFINITY;
        LATE_PROBE.headRank = Long.MIN_VALUE;
    }

    private static final class Tenant {
        final IndexedTaskHeap tasks = new IndexedTaskHeap(FairSharePolicy::taskOrder);
        /** Tells apart two tenants whose keys are equal. */
        final int id;
        double counter;
        /** The sort key while the tenant is in {@link #waiting}: fixed there, changed only outside it. */
        boolean lateHead;
        long headRank;

        Tenant(int id) {
            this.id = id;
        }
    }

    FairSharePolicy(PolicyConfig config) {
        inputWeight = config.doubleValue("input_weight", 1.0, 0, 1_000);
        outputWeight = config.doubleValue("output_weight", 2.0, 0, 1_000);
        int strictThrough = GiveUp.strictThrough(config);
        GiveUp giveUp = GiveUp.of(config);
        never = giveUp.never();
        lost = giveUp.above(strictThrough);
    }

    /** Within a tenant: given up last, then rank. */
    private static int taskOrder(Task a, Task b) {
        int byLate = Boolean.compare(a.givenUp(), b.givenUp());
        return byLate != 0 ? byLate : Long.compare(a.rank(), b.rank());
    }

    /** Tenants whose first task can still meet its objective first; then counter; then first task. */
    private static int order(Tenant a, Tenant b) {
        int byLate = Boolean.compare(a.lateHead, b.lateHead);
        if (byLate != 0) {
            return byLate;
        }
        int byCounter = Double.compare(a.counter, b.counter);
        if (byCounter != 0) {
            return byCounter;
        }
        int byRank = Long.compare(a.headRank, b.headRank);
        return byRank != 0 ? byRank : Integer.compare(a.id, b.id);
    }

    @Override
    public String name() {
        return "fair";
    }

    /** The counter of {@code tenant}: service received, in weighted tokens. */
    double counter(String tenant) {
        Tenant t = tenants.get(tenant == null ? NO_TENANT : tenant);
        return t == null ? 0 : t.counter;
    }

    /**
     * A new request whose tenant has nothing waiting makes it active: lift it to the smallest
     * counter among the tenants already waiting. Here and not in {@link #enqueue}: a task that
     * waits again (reprioritized, retried) does not make its tenant newly active.
     */
    @Override
    public void admit(Task task, long now) {
        Tenant tenant = tenant(task);
        if (tenant.tasks.size() == 0) {
            double floor = smallestWaitingCounter();
            if (floor != Double.MAX_VALUE) {
                tenant.counter = Math.max(tenant.counter, floor);
            }
        }
    }

    /** The smallest counter among waiting tenants: the first of each group, O(log n). */
    private double smallestWaitingCounter() {
        double floor = Double.MAX_VALUE;
        if (!waiting.isEmpty()) {
            Tenant first = waiting.first();
            floor = first.counter;
            if (!first.lateHead) {
                Tenant firstLate = waiting.ceiling(LATE_PROBE);
                if (firstLate != null) {
                    floor = Math.min(floor, firstLate.counter);
                }
            }
        }
        return floor;
    }

    @Override
    public void enqueue(Task task, long now) {
        task.setGivenUp(false);
        Tenant tenant = tenant(task);
        waiting.remove(tenant);
        tenant.tasks.add(task);
        size++;
        resort(tenant);
    }

    @Override
    public Task peek(long now) {
        Tenant best = best(now);
        return best == null ? null : best.tasks.peek();
    }

    @Override
    public Task poll(long now) {
        Tenant best = best(now);
        if (best == null) {
            return null;
        }
        waiting.remove(best);
        Task task = best.tasks.poll();
        size--;
        best.counter += inputWeight * task.contextTokens();
        resort(best);
        return task;
    }

    @Override
    public boolean remove(Task task) {
        Tenant tenant = tenants.get(tenantOf(task));
        if (tenant == null || tenant.tasks.size() == 0) {
            return false;
        }
        waiting.remove(tenant);
        boolean removed = tenant.tasks.remove(task);
        if (removed) {
            size--;
        }
        resort(tenant);
        return removed;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int compare(Task a, Task b) {
        int byLate = Boolean.compare(a.givenUp(), b.givenUp());
        if (byLate != 0) {
            return byLate;
        }
        int byCounter = Double.compare(counter(a.spec().tenant()), counter(b.spec().tenant()));
        return byCounter != 0 ? byCounter : Long.compare(a.rank(), b.rank());
    }

    @Override
    public void onStep(Task running, long now) {
        charge(running, outputWeight);
    }

    /** The step that generated a task's last token is reported as its completion, not as a step. */
    @Override
    public void onCompleted(Task task, long now) {
        charge(task, outputWeight);
    }

    private void charge(Task task, double amount) {
        Tenant tenant = tenant(task);
        boolean wasWaiting = waiting.remove(tenant);
        tenant.counter += amount;
        if (wasWaiting) {
            waiting.add(tenant);
        }
    }

    /**
     * The waiting tenant to serve next. A first task that has lost its objective is given up on
     * (its tenant re-sorted) before it is handed out: each task once, O(log n) each.
     */
    private Tenant best(long now) {
        while (!waiting.isEmpty()) {
            Tenant first = waiting.first();
            Task head = first.tasks.peek();
            if (never || !GiveUp.toGiveUp(head, now, lost)) {
                return first;
            }
            waiting.remove(first);
            GiveUp.moveLateHeads(first.tasks, now, lost);
            resort(first);
        }
        return null;
    }

    /** Puts a tenant that is out of {@link #waiting} back in under its new key, if it has tasks waiting. */
    private void resort(Tenant tenant) {
        Task head = tenant.tasks.peek();
        if (head != null) {
            tenant.lateHead = head.givenUp();
            tenant.headRank = head.rank();
            waiting.add(tenant);
        }
    }

    private Tenant tenant(Task task) {
        return tenants.computeIfAbsent(tenantOf(task), name -> new Tenant(tenants.size()));
    }

    private static String tenantOf(Task task) {
        String tenant = task.spec().tenant();
        return tenant == null ? NO_TENANT : tenant;
    }
}
