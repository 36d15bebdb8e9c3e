package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.DrainingException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import io.queuedeck.engine.tier.Tiers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What operators set for each tier and each priority lane (active, paused, draining), and the
 * waiting tasks parked while their lane cannot run. A lane runs only when neither it nor its
 * tier is paused; a draining tier or lane refuses new tasks. Loop thread only.
 */
final class LaneModes {
    private final Tiers tiers;
    /** By tier index. */
    private final TierMode[] tierModes;
    private final TierMode[] laneModes = new TierMode[TaskSpec.MAX_PRIORITY + 1];
    /** Waiting tasks of paused lanes or tiers, per priority, out of their policy until they resume. */
    private final List<LinkedHashSet<Task>> parked = new ArrayList<>();
    private int parkedCount;

    LaneModes(Tiers tiers) {
        this.tiers = tiers;
        this.tierModes = new TierMode[tiers.size()];
        java.util.Arrays.fill(tierModes, TierMode.ACTIVE);
        for (int p = 0; p < laneModes.length; p++) {
            laneModes[p] = TierMode.ACTIVE;
            parked.add(new LinkedHashSet<>());
        }
    }

    /** Refuses a new task whose tier or lane is draining. */
    void checkTakesNew(int priority) {
        Tier tier = tiers.of(priority);
        if (tierModes[tier.index()] == TierMode.DRAINING) {
            throw new DrainingException("the " + tier.name() + " tier is draining and takes no new tasks");
        }
        if (laneModes[priority] == TierMode.DRAINING) {
            throw new DrainingException("the priority " + priority + " lane is draining and takes no new tasks");
        }
    }

    void setTier(Tier tier, TierMode mode) {
        if (tier.deadLetter() || !tiers.list().contains(tier)) {
            throw new IllegalArgumentException("tier must be one of " + tiers.names() + ", got " + tier);
        }
        tierModes[tier.index()] = Objects.requireNonNull(mode, "mode");
    }

    void setLane(int priority, TierMode mode) {
        laneModes[priority] = Objects.requireNonNull(mode, "mode");
    }

    boolean paused(int priority) {
        return laneModes[priority] == TierMode.PAUSED || tierModes[tiers.of(priority).index()] == TierMode.PAUSED;
    }

    /** Takes a waiting task of a paused lane out of circulation (it still counts as waiting). */
    void park(Task task) {
        parked.get(task.priority()).add(task);
        parkedCount++;
    }

    /** Forgets a parked task (cancelled or moved); false when it was not parked. */
    boolean unpark(Task task) {
        for (LinkedHashSet<Task> lane : parked) {
            if (lane.remove(task)) {
                parkedCount--;
                return true;
            }
        }
        return false;
    }

    /** Hands the parked tasks of every lane that may run again to {@code resume}, and forgets them. */
    void unparkResumed(Consumer<Task> resume) {
        for (int p = 0; p < parked.size(); p++) {
            LinkedHashSet<Task> lane = parked.get(p);
            if (lane.isEmpty() || paused(p)) {
                continue;
            }
            lane.forEach(resume);
            parkedCount -= lane.size();
            lane.clear();
        }
    }

    /** Every parked task, lane by lane. */
    void forEachParked(Consumer<Task> action) {
        for (LinkedHashSet<Task> lane : parked) {
            lane.forEach(action);
        }
    }

    int parkedCount() {
        return parkedCount;
    }

    /** Each tier's mode, in tier order. */
    Map<Tier, TierMode> tierModes() {
        Map<Tier, TierMode> out = new LinkedHashMap<>();
        for (Tier tier : tiers.list()) {
            out.put(tier, tierModes[tier.index()]);
        }
        return Collections.unmodifiableMap(out);
    }

    List<TierMode> laneModes() {
        return List.of(laneModes);
    }
}
