package io.queuedeck.console.gateway;

import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import java.util.Locale;

/**
 * One GPU at one moment, ready to show: an {@link InstanceStatus} of the snapshot in the
 * console's terms. The GPUs and Faults screens both list them (see {@link GpuRows}).
 */
public record GpuRow(int id, String model, InstanceState state, int running, int batchCapacity, long kvUsed,
                     long kvCapacity, double slowdown) {
    public double batchFraction() {
        return batchCapacity == 0 ? 0 : (double) running / batchCapacity;
    }

    public double kvFraction() {
        return kvCapacity == 0 ? 0 : (double) kvUsed / kvCapacity;
    }

    /** "up", "slow ×3", "offline", "down", "loading". */
    public String stateText() {
        return state == InstanceState.SLOW || slowdown != 1.0
                ? String.format(Locale.ROOT, "%s ×%.0f", state.name().toLowerCase(Locale.ROOT), slowdown)
                : state.name().toLowerCase(Locale.ROOT);
    }

    static GpuRow of(InstanceStatus s) {
        return new GpuRow(s.id(), s.model(), s.state(), s.running(), s.batchCapacity(), s.kvUsedTokens(),
                s.kvCapacityTokens(), s.slowdown());
    }
}
