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
 * @param finishedIds    finished tasks, already handed on, that were not read back whole (see
 *                       {@link TaskStore#load(Instant, long)}): their ids and expiries only
 */
public record StoreContents(List<StoredTask> tasks, Map<String, TierMode> tierModes, Map<Integer, TierMode> laneModes,
                            boolean dispatchPaused, List<FinishedId> finishedIds) {
    public StoreContents {
        tasks = List.copyOf(tasks);
        tierModes = Map.copyOf(tierModes);
        laneModes = Map.copyOf(laneModes);
        finishedIds = List.copyOf(finishedIds);
    }

    /** Every task read back whole. */
    public StoreContents(List<StoredTask> tasks, Map<String, TierMode> tierModes, Map<Integer, TierMode> laneModes,
                         boolean dispatchPaused) {
        this(tasks, tierModes, laneModes, dispatchPaused, List.of());
    }

    public static StoreContents empty() {
        return new StoreContents(List.of(), Map.of(), Map.of(), false);
    }

    /** A finished task known by id only: enough to answer "maybe seen" until it expires, and to number new tasks after it. */
    public record FinishedId(String id, long sequence, Instant expiresAt) {}
}
