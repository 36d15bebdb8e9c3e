package io.queuedeck.console.gateway;

import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * What changed in the engine and what the operator did, with times: fault injections and
 * recoveries, policy switches, pauses. Engine-side changes are found by comparing consecutive
 * snapshots (so nothing is missed when a frame is skipped, and the engine's event firehose is
 * not needed); operator actions are recorded when the engine accepts them. The faults screen
 * lists these entries; the latency chart draws them as markers. FX thread.
 */
public final class ChangeLog {
    /** Kept entries; the oldest go first. */
    public static final int CAPACITY = 1_000;

    /** What kind of change an entry is (its colour and whether it marks a chart). */
    public enum Kind { FAULT, RECOVERY, POLICY, DISPATCH, OPERATOR }

    /** One entry. */
    public record Entry(Instant at, Kind kind, String text) {}

    private final ObservableList<Entry> entries = FXCollections.observableArrayList();
    private final ObservableList<Entry> readOnly = FXCollections.unmodifiableObservableList(entries);
    private final Clock clock;
    private final Map<Integer, InstanceStatus> lastInstances = new HashMap<>();
    private String lastPolicy;
    private Boolean lastPaused;
    private Map<io.queuedeck.engine.tier.Tier, io.queuedeck.engine.tier.TierMode> lastTierModes;

    public ChangeLog(Clock clock) {
        this.clock = clock;
    }

    /** Newest last. */
    public ObservableList<Entry> entries() {
        return readOnly;
    }

    /** Records an operator action now. */
    public void record(Kind kind, String text) {
        add(new Entry(clock.instant(), kind, text));
    }

    /** Compares {@code s} with the previous snapshot and records what changed. */
    public void apply(EngineSnapshot s) {
        Instant at = s.takenAt();
        if (lastPolicy != null && !lastPolicy.equals(s.policy())) {
            add(new Entry(at, Kind.POLICY, "policy " + lastPolicy + " → " + s.policy()));
        }
        if (lastPaused != null && lastPaused != s.dispatchPaused()) {
            add(new Entry(at, Kind.DISPATCH, s.dispatchPaused() ? "dispatch paused" : "dispatch resumed"));
        }
        if (lastTierModes != null) {
            for (var entry : s.tierModes().entrySet()) {
                var before = lastTierModes.get(entry.getKey());
                if (before != null && before != entry.getValue()) {
                    add(new Entry(at, Kind.DISPATCH, entry.getKey().name().toLowerCase(Locale.ROOT) + " tier "
                            + before.name().toLowerCase(Locale.ROOT) + " → " + entry.getValue().name().toLowerCase(Locale.ROOT)));
                }
            }
        }
        lastTierModes = s.tierModes();
        lastPolicy = s.policy();
        lastPaused = s.dispatchPaused();
        for (InstanceStatus now : s.instances()) {
            InstanceStatus before = lastInstances.put(now.id(), now);
            if (before == null) {
                continue;
            }
            if (before.state() != now.state()) {
                boolean recovered = now.state() == InstanceState.UP;
                add(new Entry(at, recovered ? Kind.RECOVERY : Kind.FAULT, instanceName(now.id()) + " "
                        + before.state().name().toLowerCase(Locale.ROOT) + " → " + now.state().name().toLowerCase(Locale.ROOT)));
            } else if (before.slowdown() != now.slowdown()) {
                add(new Entry(at, now.slowdown() == 1.0 ? Kind.RECOVERY : Kind.FAULT,
                        String.format(Locale.ROOT, "GPU %d speed ×%.1f → ×%.1f slower", now.id(), before.slowdown(), now.slowdown())));
            }
        }
    }

    /** Instance {@code id} as the last snapshot shows it: "Backend 0" on an inference server, else "GPU 0". FX thread. */
    public String instanceName(int id) {
        InstanceStatus last = lastInstances.get(id);
        return (last != null && last.backend() != null ? "Backend " : "GPU ") + id;
    }

    private void add(Entry entry) {
        if (entries.size() >= CAPACITY) {
            entries.remove(0);
        }
        entries.add(entry);
    }
}
