package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fair share across tenants with Virtual Token Counters (Sheng et al., "Fairness in Serving Large
 * Language Models", OSDI 2024).
 *
 * <p>Each tenant has a counter of the service it received, charged {@code input_weight} per
 * prompt token when one of its tasks is dispatched and {@code output_weight} per generated token
 * at every decode step. Dispatch serves the waiting tenant with the smallest counter, its tasks in
 * rank order. A tenant that becomes active (a new request finds nothing of it waiting) is
 * lifted to the smallest counter among the active tenants, so idling earns no credit to burst with later.
 *
 * <p>O(log n) in waiting tasks per operation, plus a scan over tenants with waiting tasks.
 * Tasks without a tenant share the tenant {@code "-"}.
 */
@PolicyName("fair")
final class FairSharePolicy implements SchedulingPolicy {
    private static final String NO_TENANT = "-";
    private final double inputWeight;
    private final double outputWeight;
    private final Map<String, Tenant> tenants = new LinkedHashMap<>();
    private final Map<String, Double> counters = new HashMap<>();
    private int size;

    private static final class Tenant {
        final IndexedTaskHeap waiting = new IndexedTaskHeap(Comparator.comparingLong(Task::rank));
    }

    FairSharePolicy(PolicyConfig config) {
        inputWeight = config.doubleValue("input_weight", 1.0, 0, 1_000);
        outputWeight = config.doubleValue("output_weight", 2.0, 0, 1_000);
    }

    @Override
    public String name() {
        return "fair";
    }

    /** The counter of {@code tenant}: service received, in weighted tokens. */
    double counter(String tenant) {
        return counters.getOrDefault(tenant == null ? NO_TENANT : tenant, 0.0);
    }

    /**
     * A new request whose tenant has nothing waiting makes it active: lift it to the smallest
     * counter among the tenants already waiting. Here and not in {@link #enqueue}: a task that
     * waits again (reprioritized, retried) does not make its tenant newly active.
     */
    @Override
    public void admit(Task task, long now) {
        String name = tenantOf(task);
        if (!tenants.containsKey(name)) {
            double floor = Double.MAX_VALUE;
            for (String active : tenants.keySet()) {
                floor = Math.min(floor, counters.getOrDefault(active, 0.0));
            }
            if (floor != Double.MAX_VALUE) {
                counters.merge(name, floor, Math::max);
            }
        }
    }

    @Override
    public void enqueue(Task task, long now) {
        tenants.computeIfAbsent(tenantOf(task), name -> new Tenant()).waiting.add(task);
        size++;
    }

    @Override
    public Task peek(long now) {
        String best = bestTenant();
        return best == null ? null : tenants.get(best).waiting.peek();
    }

    @Override
    public Task poll(long now) {
        String best = bestTenant();
        if (best == null) {
            return null;
        }
        Tenant tenant = tenants.get(best);
        Task task = tenant.waiting.poll();
        size--;
        if (tenant.waiting.size() == 0) {
            tenants.remove(best);
        }
        counters.merge(best, inputWeight * task.contextTokens(), Double::sum);
        return task;
    }

    @Override
    public boolean remove(Task task) {
        String name = tenantOf(task);
        Tenant tenant = tenants.get(name);
        if (tenant == null || !tenant.waiting.remove(task)) {
            return false;
        }
        size--;
        if (tenant.waiting.size() == 0) {
            tenants.remove(name);
        }
        return true;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int compare(Task a, Task b) {
        int byCounter = Double.compare(counter(a.spec().tenant()), counter(b.spec().tenant()));
        return byCounter != 0 ? byCounter : Long.compare(a.rank(), b.rank());
    }

    @Override
    public void onStep(Task running, long now) {
        counters.merge(tenantOf(running), outputWeight, Double::sum);
    }

    /** The step that generated a task's last token is reported as its completion, not as a step. */
    @Override
    public void onCompleted(Task task, long now) {
        counters.merge(tenantOf(task), outputWeight, Double::sum);
    }

    private String bestTenant() {
        String best = null;
        double bestCounter = Double.MAX_VALUE;
        for (String name : tenants.keySet()) {
            double counter = counters.getOrDefault(name, 0.0);
            if (counter < bestCounter) {
                best = name;
                bestCounter = counter;
            }
        }
        return best;
    }

    private static String tenantOf(Task task) {
        String tenant = task.spec().tenant();
        return tenant == null ? NO_TENANT : tenant;
    }
}
