package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.TierMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a {@link TaskStore} holds, read back at start.
 *
 * @param tasks          every unexpired task record, in no particular order
 * @param tierModes      tiers whose mode was set, by name (the others are active); a name the
 *                       config no longer defines is kept and not applied (decision 0061)
 * @param laneModes      lanes whose mode was set, by priority
 * @param dispatchPaused whether all dispatch was paused
 * @param instanceHolds  instances as an operator left them, by index (none: every one in service)
 * @param finishedIds    finished tasks, already handed on, that were not read back whole (see
 *                       {@link TaskStore#load(Instant, long)}): their ids and expiries only
 */
public record StoreContents(List<StoredTask> tasks, Map<String, TierMode> tierModes, Map<Integer, TierMode> laneModes,
                            boolean dispatchPaused, Map<Integer, InstanceHold> instanceHolds, List<FinishedId> finishedIds) {
    public StoreContents {
        tasks = List.copyOf(tasks);
        tierModes = Map.copyOf(tierModes);
        laneModes = Map.copyOf(laneModes);
        instanceHolds = Map.copyOf(instanceHolds);
        finishedIds = List.copyOf(finishedIds);
    }

    /** Every task read back whole, no instance held. */
    public StoreContents(List<StoredTask> tasks, Map<String, TierMode> tierModes, Map<Integer, TierMode> laneModes,
                         boolean dispatchPaused) {
        this(tasks, tierModes, laneModes, dispatchPaused, Map.of(), List.of());
    }

    public static StoreContents empty() {
        return new StoreContents(List.of(), Map.of(), Map.of(), false);
    }

    /**
     * An instance an operator took out of service, kept across a restart (decision 0118).
     *
     * @param model the model it served
     * @param url   its inference server's base URL; empty for a simulated GPU
     */
    public record InstanceHold(String model, String url, boolean offline, boolean draining) {
        public InstanceHold {
            java.util.Objects.requireNonNull(model, "model");
            java.util.Objects.requireNonNull(url, "url");
        }

        /** Neither offline nor draining: the instance is back in service. */
        public boolean inService() {
            return !offline && !draining;
        }
    }

    /** A finished task known by id only: enough to answer "maybe seen" until it expires, and to number new tasks after it. */
    public record FinishedId(String id, long sequence, Instant expiresAt) {}
}
