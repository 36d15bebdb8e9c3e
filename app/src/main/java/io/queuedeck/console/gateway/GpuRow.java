package io.queuedeck.console.gateway;

import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import java.util.List;
import java.util.Locale;

/**
 * One GPU at one moment, ready to show: an {@link InstanceStatus} of the snapshot in the
 * console's terms. The GPUs and Faults screens both list them (see {@link GpuRows}). An instance
 * on a real inference server carries its {@code backend}'s load; a simulated GPU has none.
 */
public record GpuRow(int id, String model, InstanceState state, int running, int batchCapacity, long kvUsed,
                     long kvCapacity, double slowdown, boolean draining, BackendLoad backend, boolean serverDraining) {

    /** A row whose server (a backend's) drains exactly when it does: a simulated GPU, or a server of one model. */
    public GpuRow(int id, String model, InstanceState state, int running, int batchCapacity, long kvUsed,
                  long kvCapacity, double slowdown, boolean draining, BackendLoad backend) {
        this(id, model, state, running, batchCapacity, kvUsed, kvCapacity, slowdown, draining, backend, draining);
    }

    public double batchFraction() {
        return batchCapacity == 0 ? 0 : (double) running / batchCapacity;
    }

    /** KV-cache use, 0..1: tokens on a simulated GPU, the server's own figure on a backend (0 if it reports none). */
    public double kvFraction() {
        if (backend != null) {
            return backend.kvCacheUsage() == null ? 0 : backend.kvCacheUsage();
        }
        return kvCapacity == 0 ? 0 : (double) kvUsed / kvCapacity;
    }

    public boolean isBackend() {
        return backend != null;
    }

    /** "up", "slow ×3", "offline", "down", "loading"; "up, draining" while it drains. */
    public String stateText() {
        String text = state == InstanceState.SLOW || slowdown != 1.0
                ? String.format(Locale.ROOT, "%s ×%.0f", state.name().toLowerCase(Locale.ROOT), slowdown)
                : state.name().toLowerCase(Locale.ROOT);
        return draining ? text + ", draining" : text;
    }

    /**
     * A backend's slots: "3 / 8 slots", the server's requests over its slots, which its models share;
     * ", 1 this model" where its other models hold some. The meter shows the same ({@link #slotFraction}).
     */
    public String slotsText() {
        if (backend == null) {
            return "";
        }
        String text = String.format(Locale.ROOT, "%d / %d slots", backend.slotsInUse(), backend.slots());
        return backend.inFlight() == backend.slotsInUse() ? text : text + ", " + backend.inFlight() + " this model";
    }

    /** A backend's slots in use on its whole server, 0..1 (the number beside the meter counts the same). */
    public double slotFraction() {
        return backend == null || backend.slots() == 0 ? batchFraction() : Math.min(1, (double) backend.slotsInUse() / backend.slots());
    }

    /**
     * A backend's speed: "TTFT 142 ms · 512 tok/s", with dashes for what is not measured yet. Offline or
     * down it runs nothing, whatever the last health poll measured: its rates read as dashes at once.
     */
    public String speedText() {
        boolean runsNothing = state == InstanceState.OFFLINE || state == InstanceState.DOWN;
        if (backend == null) {
            if (runsNothing) {
                return "runs nothing"; // not "full speed": it takes no work at all
            }
            return slowdown == 1.0 ? "full speed" : String.format(Locale.ROOT, "steps take ×%.1f longer", slowdown);
        }
        if (runsNothing) {
            // the rates are the last poll's until the next one (seconds away): "512 tok/s" on a card marked offline
            return "runs nothing · TTFT – · – tok/s";
        }
        String ttft = backend.ttftMs() == null ? "TTFT –" : String.format(Locale.ROOT, "TTFT %.0f ms", backend.ttftMs());
        String rate = backend.tokensPerSecond() == null ? "– tok/s"
                : String.format(Locale.ROOT, "%.0f tok/s", backend.tokensPerSecond());
        String busy = backend.busyForSeconds() == null ? ""
                : String.format(Locale.ROOT, " · busy (429) %.0f s more", Math.ceil(backend.busyForSeconds()));
        return ttft + " · " + rate + busy;
    }

    /** What the server says of itself: "server: 7 waiting, 5 running", or that it publishes nothing. */
    public String serverText() {
        if (backend == null) {
            return "";
        }
        if (backend.serverWaiting() == null && backend.serverRunning() == null) {
            return "server: no queue figures (/metrics)";
        }
        return String.format(Locale.ROOT, "server: %s waiting, %s running", count(backend.serverWaiting()),
                count(backend.serverRunning()));
    }

    /** The KV meter's text: a percentage, or a dash where the server reports none. */
    public String kvText() {
        return backend != null && backend.kvCacheUsage() == null ? "–" : String.format(Locale.ROOT, "%.0f%%", kvFraction() * 100);
    }

    private static String count(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.0f", value);
    }

    /** {@code s} among {@code all}: a backend's server drains when every model of it does. */
    static GpuRow of(InstanceStatus s, List<InstanceStatus> all) {
        boolean serverDraining = s.draining();
        if (s.backend() != null) {
            List<Integer> server = BackendLoad.instancesAt(all, s.backend().url());
            serverDraining = all.stream().filter(i -> server.contains(i.id())).allMatch(InstanceStatus::draining);
        }
        return new GpuRow(s.id(), s.model(), s.state(), s.running(), s.batchCapacity(), s.kvUsedTokens(),
                s.kvCapacityTokens(), s.slowdown(), s.draining(), s.backend(), serverDraining);
    }
}
