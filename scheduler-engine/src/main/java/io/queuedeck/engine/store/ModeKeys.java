package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the stores keep modes as text pairs: {@code tier:NORMAL → PAUSED}, {@code lane:3 → DRAINING},
 * {@code dispatch → true}. One spelling for every store, so a record written by one reads back in another.
 */
final class ModeKeys {
    static final String DISPATCH = "dispatch";

    private ModeKeys() {}

    static String tier(Tier tier) {
        return "tier:" + tier.name();
    }

    static String lane(int priority) {
        return "lane:" + priority;
    }

    static String paused(boolean paused) {
        return paused ? "true" : "false";
    }

    /** The stored tasks with the modes read back from their pairs. */
    static StoreContents contents(List<StoredTask> tasks, Map<String, String> modes) {
        Map<Tier, TierMode> tierModes = new EnumMap<>(Tier.class);
        Map<Integer, TierMode> laneModes = new HashMap<>();
        boolean paused = false;
        for (Map.Entry<String, String> entry : modes.entrySet()) {
            String key = entry.getKey();
            if (key.equals(DISPATCH)) {
                paused = Boolean.parseBoolean(entry.getValue());
            } else if (key.startsWith("tier:")) {
                tierModes.put(Tier.valueOf(key.substring(5)), TierMode.valueOf(entry.getValue()));
            } else if (key.startsWith("lane:")) {
                laneModes.put(Integer.parseInt(key.substring(5)), TierMode.valueOf(entry.getValue()));
            }
        }
        return new StoreContents(tasks, tierModes, laneModes, paused);
    }
}
