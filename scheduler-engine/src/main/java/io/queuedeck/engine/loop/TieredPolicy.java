package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.ScoreBreakdown;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The live policy split by tier, for tier caps, shares and tenant fairness (decision 0028): each
 * tier's waiting tasks in a {@link TenantBand} of their own. The next task comes from the first
 * tier, in tier order, that runs fewer tasks than its guaranteed share and has work; if none
 * does, from the first tier under its {@code max_concurrency} that has work. So a flooded tier
 * cannot keep another below its share, and what no share claims goes by urgency. Used only when
 * some tier sets a cap, a share or fairness; otherwise the policy orders all tiers as one.
 * Loop thread only.
 */
final class TieredPolicy implements SchedulingPolicy {
    private final Tier[] order;
    /** Tier index by priority: an array lookup per task. */
    private final int[] tierOf = new int[10];
    private final SchedulingPolicy reference;
    private final TenantBand[] bands;
    private final Map<Task, TenantBand> placed = new IdentityHashMap<>();
    private final FlowControl gate;

    TieredPolicy(Supplier<SchedulingPolicy> factory, FlowSettings flow, FlowControl gate) {
        this.reference = factory.get();
        this.gate = gate;
        this.order = flow.table().list().toArray(Tier[]::new);
        this.bands = new TenantBand[order.length];
        for (int i = 0; i < order.length; i++) {
            bands[i] = new TenantBand(factory, flow.of(order[i]).fairness(), flow);
        }
        for (int p = 0; p < tierOf.length; p++) {
            tierOf[p] = flow.table().of(p).index();
        }
    }

    private int index(Task task) {
        return tierOf[task.priority()];
    }

    private TenantBand chosen() {
        for (int i = 0; i < order.length; i++) {
            if (bands[i].size() > 0 && gate.belowShare(order[i])) {
                return bands[i];
            }
        }
        for (int i = 0; i < order.length; i++) {
            if (bands[i].size() > 0 && gate.mayStart(order[i])) {
                return bands[i];
            }
        }
        return null;
    }

    @Override
    public String name() {
        return reference.name();
    }

    @Override
    public void admit(Task task, long now) {
        bands[index(task)].policyFor(task).admit(task, now);
    }

    @Override
    public void enqueue(Task task, long now) {
        TenantBand band = bands[index(task)];
        band.enqueue(task, now);
        placed.put(task, band);
    }

    @Override
    public Task peek(long now) {
        TenantBand band = chosen();
        return band == null ? null : band.peek(now);
    }

    @Override
    public Task poll(long now) {
        TenantBand band = chosen();
        Task task = band == null ? null : band.poll(now);
        if (task != null) {
            placed.remove(task);
        }
        return task;
    }

    /** Every waiting task, whatever the caps say: for a policy switch, which hands them all over. */
    Task pollAny(long now) {
        for (TenantBand band : bands) {
            if (band.size() > 0) {
                Task task = band.poll(now);
                placed.remove(task);
                return task;
            }
        }
        return null;
    }

    @Override
    public boolean remove(Task task) {
        TenantBand band = placed.remove(task);
        return band != null && band.remove(task);
    }

    @Override
    public int size() {
        return placed.size();
    }

    /** Waiting tasks of one tier. */
    int size(Tier tier) {
        return tier.deadLetter() ? 0 : bands[tier.index()].size();
    }

    @Override
    public int compare(Task a, Task b) {
        int byTier = Integer.compare(index(a), index(b));
        return byTier != 0 ? byTier : bands[index(a)].policyFor(a).compare(a, b);
    }

    @Override
    public boolean preemptive() {
        return reference.preemptive();
    }

    @Override
    public boolean preempts(Task waiting, Task running, int batchSize) {
        // across tiers only eviction (FlowControl) swaps tasks: shares and caps decide that
        return index(waiting) == index(running) && bands[index(waiting)].policyFor(waiting).preempts(waiting, running, batchSize);
    }

    @Override
    public void onStep(Task running, long now) {
        bands[index(running)].policyFor(running).onStep(running, now);
    }

    @Override
    public void onCompleted(Task task, long now) {
        bands[index(task)].policyFor(task).onCompleted(task, now);
    }

    @Override
    public Optional<ScoreBreakdown> explain(Task task, long now) {
        TenantBand band = placed.get(task);
        return band == null ? Optional.empty() : band.policyFor(task).explain(task, now);
    }

    @Override
    public boolean keepsLaneOrder() {
        return reference.keepsLaneOrder();
    }

    @Override
    public void alignForPlace(Task moving, Task neighbour) {
        bands[index(neighbour)].policyFor(neighbour).alignForPlace(moving, neighbour);
    }

    @Override
    public boolean simulationOnly() {
        return reference.simulationOnly();
    }

    @Override
    public long tickIntervalNanos() {
        return reference.tickIntervalNanos();
    }

    @Override
    public void onTick(long now) {
        for (TenantBand band : bands) {
            for (SchedulingPolicy policy : band.policies()) {
                policy.onTick(now);
            }
        }
    }

    @Override
    public int levels() {
        return reference.levels();
    }

    @Override
    public int[] depthByLevel() {
        int[] levels = new int[levels()];
        for (TenantBand band : bands) {
            for (SchedulingPolicy policy : band.policies()) {
                int[] depth = policy.depthByLevel();
                for (int i = 0; i < depth.length && i < levels.length; i++) {
                    levels[i] += depth[i];
                }
            }
        }
        return levels;
    }
}
