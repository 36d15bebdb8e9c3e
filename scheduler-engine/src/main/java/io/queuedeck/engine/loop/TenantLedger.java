package io.queuedeck.engine.loop;

import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per tier and tenant: waiting tasks, dispatches, timeouts, evictions and the queue waits of the
 * last {@value #WAITS_KEPT} dispatches, kept as tasks move (FlowControl calls it from the hooks it
 * already has), so the Flow view reads them from the snapshot and nothing scans the queue. At most
 * {@value #MAX_TENANTS} tenants per tier are told apart; the rest count as {@link #OTHERS}. Loop
 * thread only; the snapshot reads a copy.
 */
final class TenantLedger {
    /** Tenants told apart per tier: bounds memory and the snapshot whatever clients send. */
    static final int MAX_TENANTS = 64;
    /** The tenant the tasks of tenants beyond {@link #MAX_TENANTS} count as. */
    static final String OTHERS = "(others)";
    static final int WAITS_KEPT = 256;

    private FlowSettings settings;
    /** By tier index; the table is fixed for the engine's life. */
    private final List<Map<String, Cell>> tiers = new java.util.ArrayList<>();

    /** One tier × tenant. */
    private static final class Cell {
        int waiting;
        long dispatched;
        long timedOut;
        long evicted;
        final long[] waits = new long[WAITS_KEPT];
        int waitCount;
        /** The percentiles as last computed, and whether a dispatch came since (sorted again only then). */
        double p50Ms;
        double p99Ms;
        boolean dirty;
    }

    TenantLedger(FlowSettings settings) {
        this.settings = settings;
        settings.table().list().forEach(tier -> tiers.add(new LinkedHashMap<>()));
    }

    /** New tenant weights from a reloaded config; what was counted stays. */
    void reconfigure(FlowSettings next) {
        this.settings = next;
    }

    void joined(Task task) {
        Cell cell = cell(task);
        if (cell != null) {
            cell.waiting++;
        }
    }

    void left(Task task) {
        Cell cell = cell(task);
        if (cell != null) {
            cell.waiting--;
        }
    }

    /** A task starts after waiting {@code waitedNanos} in its queue. */
    void started(Task task, long waitedNanos) {
        Cell cell = cell(task);
        if (cell != null) {
            cell.dispatched++;
            cell.waits[(int) (cell.waitCount++ % WAITS_KEPT)] = Math.max(0, waitedNanos);
            cell.dirty = true;
        }
    }

    void timedOut(Task task) {
        Cell cell = cell(task);
        if (cell != null) {
            cell.timedOut++;
        }
    }

    void evicted(Task task, Tier tier) {
        Cell cell = cell(tier, TenantBand.tenantOf(task));
        if (cell != null) {
            cell.evicted++;
        }
    }

    private Cell cell(Task task) {
        return cell(settings.table().of(task.priority()), TenantBand.tenantOf(task));
    }

    private Cell cell(Tier tier, String tenant) {
        if (tier == Tier.DEAD_LETTER) {
            return null;
        }
        Map<String, Cell> cells = tiers.get(tier.index());
        Cell cell = cells.get(tenant);
        if (cell == null) {
            String key = cells.size() < MAX_TENANTS ? tenant : OTHERS;
            cell = cells.computeIfAbsent(key, k -> new Cell());
        }
        return cell;
    }

    /**
     * The figures now, tier by tier, tenants in the order they were first seen: O(cells), plus a
     * sort of {@value #WAITS_KEPT} waits for each cell with a dispatch since the last call.
     */
    List<FlowStats.TenantFlow> stats() {
        List<FlowStats.TenantFlow> out = new ArrayList<>();
        for (Tier tier : settings.table().list()) {
            for (Map.Entry<String, Cell> e : tiers.get(tier.index()).entrySet()) {
                Cell c = e.getValue();
                if (c.dirty) {
                    long[] waits = Arrays.copyOf(c.waits, Math.min(c.waitCount, WAITS_KEPT));
                    Arrays.sort(waits);
                    c.p50Ms = percentileMs(waits, 0.50);
                    c.p99Ms = percentileMs(waits, 0.99);
                    c.dirty = false;
                }
                out.add(new FlowStats.TenantFlow(tier, e.getKey(), settings.weight(e.getKey()), c.waiting, c.dispatched,
                        c.timedOut, c.evicted, c.p50Ms, c.p99Ms));
            }
        }
        return out;
    }

    private static double percentileMs(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
