package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.TierMode;
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
 */
public record StoreContents(List<StoredTask> tasks, Map<String, TierMode> tierModes, Map<Integer, TierMode> laneModes,
                            boolean dispatchPaused) {
    public StoreContents {
        tasks = List.copyOf(tasks);
        tierModes = Map.copyOf(tierModes);
        laneModes = Map.copyOf(laneModes);
    }

    public static StoreContents empty() {
        return new StoreContents(List.of(), Map.of(), Map.of(), false);
    }
}
