package io.queuedeck.engine.loop;

import io.queuedeck.engine.metrics.LatencyMetrics;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.tier.Tier;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link EngineSnapshot}s from the loop's state, and keeps what runs from one published
 * snapshot to the next: throughput, the interval's latency and the wall-clock second being
 * gathered. Loop thread only.
 */
final class SnapshotAssembler {
    private final SchedulerLoop loop;
    private final LatencyMetrics latency;
    private final LoopCounters counters;
    private long lastSnapshotAt, lastSucceeded, lastTokens;
    /** The wall-clock second whose latency is being gathered, and the last one closed. */
    private Instant openSecond;
    private EngineSnapshot.SecondLatency lastSecond = EngineSnapshot.SecondLatency.NONE;

    SnapshotAssembler(SchedulerLoop loop, LatencyMetrics latency, LoopCounters counters) {
        this.loop = loop;
        this.latency = latency;
        this.counters = counters;
    }

    /**
     * Everything now. Only the periodic publisher's snapshots close the interval
     * ({@code endInterval}); any other is a pure read, and the next published one still covers
     * its whole interval.
     */
    EngineSnapshot take(boolean endInterval) {
        long now = loop.clock.nanos();
        double seconds = Math.max(1e-9, (now - lastSnapshotAt) / 1e9);
        double tps = (counters.succeeded - lastSucceeded) / seconds;
        double tokensPerSecond = (counters.tokensGenerated - lastTokens) / seconds;
        if (endInterval) {
            lastSnapshotAt = now;
            lastSucceeded = counters.succeeded;
            lastTokens = counters.tokensGenerated;
        }
        int[] waitingByPriority = loop.waitingByPriority();
        List<Integer> byPriority = Arrays.stream(waitingByPriority).boxed().toList();
        Map<Tier, Integer> byTier = new LinkedHashMap<>();
        for (Tier tier : loop.tiers.list()) {
            byTier.put(tier, 0);
        }
        for (int p = 0; p < waitingByPriority.length; p++) {
            byTier.merge(loop.tiers.of(p), waitingByPriority[p], Integer::sum);
        }
        byTier.put(Tier.DEAD_LETTER, counters.deadLetters);
        long oldestEnqueue = loop.oldestEnqueue();
        LatencySummary recent = endInterval ? latency.takeInterval() : latency.interval();
        if (endInterval) {
            closeSecond(loop.clock.toInstant(now));
        }
        return new EngineSnapshot(now, loop.clock.toInstant(now), loop.queues.policyName(), loop.dispatchPaused(),
                loop.waitingCount(), byPriority, loop.queues.sizeByLevel(), Collections.unmodifiableMap(byTier), loop.runningCount(),
                loop.executor.status(), counters.toRecord(), tps, tokensPerSecond,
                oldestEnqueue == WaitOrder.NONE ? 0 : (now - oldestEnqueue) / 1e6, latency.total(), recent, latency.byPriority(),
                loop.events.dropped(), loop.lanes.tierModes(), loop.lanes.laneModes(), lastSecond,
                loop.flow.stats(), loop.queues.policyConfig().values());
    }

    /** At the first published snapshot of a new wall-clock second, the one before it is closed. */
    private void closeSecond(Instant takenAt) {
        Instant second = takenAt.truncatedTo(ChronoUnit.SECONDS);
        if (openSecond == null) {
            openSecond = second;
        } else if (!second.equals(openSecond)) {
            LatencyMetrics.Interval closed = latency.takeSecond();
            lastSecond = new EngineSnapshot.SecondLatency(openSecond, closed.overall(), closed.byPriority());
            openSecond = second;
        }
    }
}
