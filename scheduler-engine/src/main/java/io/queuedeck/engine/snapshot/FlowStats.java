package io.queuedeck.engine.snapshot;

import io.queuedeck.engine.tier.Tier;
import java.util.List;

/**
 * Flow control at one moment (docs/flow-control.md): whether the engine is saturated, its
 * slots, and per tier what waits, what runs and what flow control did; counts since start.
 *
 * @param saturated whether every slot is busy (or every backend reports itself too busy)
 * @param slots     tasks all healthy instances run at once
 * @param tiers     core, normal and batch, in that order
 * @param tenants   per tier and tenant (the Flow view's rows), tier by tier
 * @param releases  per release ({@code stable}, {@code canary}) and tier, what flow control did to the
 *                  tasks that release classified (decision 0081)
 */
public record FlowStats(boolean saturated, int slots, List<TierFlow> tiers, List<TenantFlow> tenants,
                        List<ReleaseFlow> releases) {

    /** Nothing known (a snapshot built by hand). */
    public static final FlowStats NONE = new FlowStats(false, 0, List.of());

    public FlowStats {
        tiers = List.copyOf(tiers);
        tenants = List.copyOf(tenants);
        releases = List.copyOf(releases);
    }

    /** Without per-release figures. */
    public FlowStats(boolean saturated, int slots, List<TierFlow> tiers, List<TenantFlow> tenants) {
        this(saturated, slots, tiers, tenants, List.of());
    }

    /** Without per-tenant figures. */
    public FlowStats(boolean saturated, int slots, List<TierFlow> tiers) {
        this(saturated, slots, tiers, List.of());
    }

    /**
     * One tenant in one tier (counts since start; a task without a tenant counts as tenant "").
     *
     * @param weight     its weight for fairness ({@code tenants.weights}, 1 when not listed)
     * @param waiting    its tasks waiting in the tier now
     * @param dispatched its tasks of the tier started
     * @param timedOut   its tasks that waited past the tier's queue_ttl and left as TIMED_OUT
     * @param evicted    its running tasks of the tier preempted for a higher tier's
     * @param waitP50Ms  median queue wait of its last 256 dispatches in the tier
     * @param waitP99Ms  99th percentile of the same
     */
    public record TenantFlow(Tier tier, String tenant, double weight, int waiting, long dispatched, long timedOut,
                             long evicted, double waitP50Ms, double waitP99Ms) {}

    /**
     * What flow control did to one release's tasks in one tier (counts since start; the tier's
     * {@link TierFlow} counts are the sums of both releases').
     *
     * @param release {@code stable} or {@code canary}: the release that classified the task
     */
    public record ReleaseFlow(String release, Tier tier, long shed, long spilled, long parked, long timedOut,
                              long demoted) {}

    /**
     * One tier.
     *
     * @param waiting      tasks waiting in the tier
     * @param waitingBytes their counted body bytes
     * @param running      tasks of the tier running now
     * @param shed         new tasks refused because the tier was full (429 or 503)
     * @param spilled      new tasks that went on to the next tier because this one was full
     * @param parked       new tasks held in the dead letters because this one was full
     * @param timedOut     tasks that waited past the tier's queue_ttl and left as TIMED_OUT
     * @param demoted      tasks that waited past the tier's queue_ttl and moved to the next tier
     * @param evicted      running tasks of the tier preempted for a waiting task of a higher tier
     */
    public record TierFlow(Tier tier, int waiting, long waitingBytes, int running, long shed, long spilled, long parked,
                           long timedOut, long demoted, long evicted) {}
}
