package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.TierLimits.Fairness;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The waiting tasks of one tier, shared fairly between tenants: each tenant's tasks in their own
 * instance of the live policy, and the tenant with the least virtual time served next. A
 * dispatch charges the tenant {@code cost / weight}: one turn (round robin) or the task's tokens
 * (VTC, Sheng et al., OSDI 2024). A tenant that starts waiting again is lifted to the least
 * virtual time of the waiting tenants, so idling earns no credit. Every operation is O(log
 * tenants) plus the policy's own. Loop thread only.
 */
final class TenantBand {
    private final Supplier<SchedulingPolicy> factory;
    private final Fairness fairness;
    private final FlowSettings flow;
    private final Map<String, SchedulingPolicy> queues = new HashMap<>();
    private final Map<String, Double> virtualTime = new HashMap<>();
    /** Tenants with waiting tasks, least virtual time first (then by name, for a stable order). */
    private final TreeSet<String> active;
    private int size;

    TenantBand(Supplier<SchedulingPolicy> factory, Fairness fairness, FlowSettings flow) {
        this.factory = factory;
        this.fairness = fairness;
        this.flow = flow;
        this.active = new TreeSet<>((a, b) -> {
            int byTime = Double.compare(virtualTime.getOrDefault(a, 0.0), virtualTime.getOrDefault(b, 0.0));
            return byTime != 0 ? byTime : a.compareTo(b);
        });
    }

    static String tenantOf(Task task) {
        String tenant = task.spec().tenant();
        return tenant == null ? "" : tenant;
    }

    /** The policy instance that holds (or would hold) {@code task}. */
    SchedulingPolicy policyFor(Task task) {
        return queues.computeIfAbsent(fairness == Fairness.NONE ? "" : tenantOf(task), t -> factory.get());
    }

    void enqueue(Task task, long now) {
        SchedulingPolicy policy = policyFor(task);
        String tenant = fairness == Fairness.NONE ? "" : tenantOf(task);
        if (policy.size() == 0 && fairness != Fairness.NONE) {
            double floor = active.isEmpty() ? 0 : virtualTime.getOrDefault(active.first(), 0.0);
            virtualTime.merge(tenant, floor, Math::max);
        }
        policy.enqueue(task, now);
        active.add(tenant);
        size++;
    }

    Task peek(long now) {
        return active.isEmpty() ? null : queues.get(active.first()).peek(now);
    }

    Task poll(long now) {
        if (active.isEmpty()) {
            return null;
        }
        String tenant = active.pollFirst();
        SchedulingPolicy policy = queues.get(tenant);
        Task task = policy.poll(now);
        size--;
        if (fairness != Fairness.NONE) {
            double cost = fairness == Fairness.VTC ? task.promptTokens() + task.outputTokens() : 1;
            virtualTime.merge(tenant, cost / flow.weight(tenant), Double::sum);
        }
        if (policy.size() > 0) {
            active.add(tenant);
        }
        return task;
    }

    boolean remove(Task task) {
        String tenant = fairness == Fairness.NONE ? "" : tenantOf(task);
        SchedulingPolicy policy = queues.get(tenant);
        if (policy == null || !policy.remove(task)) {
            return false;
        }
        size--;
        if (policy.size() == 0) {
            active.remove(tenant);
        }
        return true;
    }

    int size() {
        return size;
    }

    Iterable<SchedulingPolicy> policies() {
        return queues.values();
    }
}
