package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.TierMode;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the stores keep modes as text pairs: {@code tier:NORMAL → PAUSED}, {@code lane:3 → DRAINING},
 * {@code dispatch → true}. One spelling for every store, so a record written by one reads back in another.
 */
final class ModeKeys {
    static final String DISPATCH = "dispatch";

    private ModeKeys() {}

    /** Upper case, as when tiers were a fixed enum, so records written then read back the same. */
    static String tier(String tier) {
        return "tier:" + tier.toUpperCase(Locale.ROOT);
    }

    static String lane(int priority) {
        return "lane:" + priority;
    }

    static String paused(boolean paused) {
        return paused ? "true" : "false";
    }

    static String instance(int index) {
        return "instance:" + index;
    }

    /** {@code offline|draining|url|model}: the model last, whatever it holds ({@code |} cannot stand in a URL). */
    static String hold(StoreContents.InstanceHold hold) {
        return hold.offline() + "|" + hold.draining() + "|" + hold.url() + "|" + hold.model();
    }

    /** Null for a value that does not read: the instance serves, and the engine still starts. */
    private static StoreContents.InstanceHold hold(String value) {
        String[] parts = value.split("\\|", 4);
        return parts.length < 4 ? null
                : new StoreContents.InstanceHold(parts[3], parts[2], Boolean.parseBoolean(parts[0]), Boolean.parseBoolean(parts[1]));
    }

    /** The stored tasks with the modes read back from their pairs. */
    static StoreContents contents(List<StoredTask> tasks, Map<String, String> modes) {
        return contents(tasks, modes, List.of());
    }

    /** The same, with finished tasks known by id only. */
    static StoreContents contents(List<StoredTask> tasks, Map<String, String> modes, List<StoreContents.FinishedId> finishedIds) {
        Map<String, TierMode> tierModes = new HashMap<>();
        Map<Integer, TierMode> laneModes = new HashMap<>();
        Map<Integer, StoreContents.InstanceHold> holds = new HashMap<>();
        boolean paused = false;
        for (Map.Entry<String, String> entry : modes.entrySet()) {
            String key = entry.getKey();
            if (key.equals(DISPATCH)) {
                paused = Boolean.parseBoolean(entry.getValue());
            } else if (key.startsWith("tier:")) {
                tierModes.put(key.substring(5).toLowerCase(Locale.ROOT), TierMode.valueOf(entry.getValue()));
            } else if (key.startsWith("lane:")) {
                laneModes.put(Integer.parseInt(key.substring(5)), TierMode.valueOf(entry.getValue()));
            } else if (key.startsWith("instance:") && key.substring(9).matches("\\d{1,9}")) {
                StoreContents.InstanceHold hold = hold(entry.getValue());
                if (hold != null && !hold.inService()) {
                    holds.put(Integer.parseInt(key.substring(9)), hold);
                }
            }
        }
        return new StoreContents(tasks, tierModes, laneModes, paused, holds, finishedIds);
    }
}
