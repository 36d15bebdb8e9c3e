package io.queuedeck.console.testing;

import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.LatencySummary;
import io.queuedeck.engine.snapshot.LatencyStats;
import io.queuedeck.engine.tier.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Hand-built engine snapshots for view-model tests. */
public final class Snapshots {
    private Snapshots() {}

    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    public static LatencyStats stats(long count, double p50, double p99) {
        return new LatencyStats(count, p50, p50, p99, p99, p99, p99);
    }

    public static LatencySummary latency(long count, double e2eP50, double e2eP99) {
        return new LatencySummary(stats(count, e2eP50 / 4, e2eP99 / 4), stats(count, e2eP50 / 10, e2eP99 / 10),
                stats(count, e2eP50, e2eP99));
    }

    public static InstanceStatus gpu(int id, InstanceState state, int running) {
        return new InstanceStatus(id, "llama-2-7b", state, running, 32, running * 1000L, 120_000, state == InstanceState.SLOW ? 3 : 1);
    }

    /** A builder with the values of an idle four-GPU engine at {@link #T0}. */
    public static Builder snapshot() {
        return new Builder();
    }

    public static final class Builder {
        private Instant at = T0;
        private long clock;
        private String policy = "mlfq";
        private boolean paused;
        private List<Integer> byPriority = new ArrayList<>(Collections.nCopies(10, 0));
        private final List<LatencySummary> perPriority = new ArrayList<>(Collections.nCopies(10, latency(0, 0, 0)));
        private List<Integer> byLevel = List.of(0, 0, 0);
        private int running;
        private List<InstanceStatus> instances = List.of(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.UP, 0),
                gpu(2, InstanceState.UP, 0), gpu(3, InstanceState.UP, 0));
        private EngineSnapshot.Counters counters = new EngineSnapshot.Counters(0, 0, 0, 0, 0, 0, 0, 0, 0);
        private double tps;
        private double tokens;
        private double oldestWaitMs;
        private LatencySummary recent = latency(0, 0, 0);
        private EngineSnapshot.SecondLatency lastSecond = EngineSnapshot.SecondLatency.NONE;
        private final List<io.queuedeck.engine.tier.TierMode> laneModes =
                new java.util.ArrayList<>(java.util.Collections.nCopies(10, io.queuedeck.engine.tier.TierMode.ACTIVE));
        private final List<LatencySummary> secondByPriority = new ArrayList<>(Collections.nCopies(10, LatencySummary.EMPTY));
        private Map<Tier, io.queuedeck.engine.tier.TierMode> tierModes = new java.util.LinkedHashMap<>(Map.of(
                Tier.CORE, io.queuedeck.engine.tier.TierMode.ACTIVE, Tier.NORMAL, io.queuedeck.engine.tier.TierMode.ACTIVE,
                Tier.BATCH, io.queuedeck.engine.tier.TierMode.ACTIVE));

        private io.queuedeck.engine.snapshot.FlowStats flow = io.queuedeck.engine.snapshot.FlowStats.NONE;
        private Map<String, String> parameters = Map.of();

        public Builder at(Instant value) { at = value; return this; }
        /** Flow-control figures (none by default). */
        public Builder flow(io.queuedeck.engine.snapshot.FlowStats value) { flow = value; return this; }
        /** The engine clock, nanoseconds. */
        public Builder clock(long nanos) { clock = nanos; return this; }
        public Builder policy(String value) { policy = value; return this; }
        public Builder policyParameters(Map<String, String> value) { parameters = value; return this; }
        public Builder paused(boolean value) { paused = value; return this; }
        public Builder queued(int priority, int count) { byPriority.set(priority, count); return this; }
        public Builder levels(List<Integer> value) { byLevel = value; return this; }
        public Builder running(int value) { running = value; return this; }
        public Builder instances(InstanceStatus... value) { instances = List.of(value); return this; }
        public Builder counters(long submitted, long rejected, long succeeded, long deadLettered) {
            counters = new EngineSnapshot.Counters(submitted, rejected, succeeded, 0, 0, 0, deadLettered, 0, 0);
            return this;
        }
        public Builder throughput(double tasksPerSecond, double tokensPerSecond) { tps = tasksPerSecond; tokens = tokensPerSecond; return this; }
        public Builder oldestWaitMs(double value) { oldestWaitMs = value; return this; }
        public Builder recent(LatencySummary value) { recent = value; return this; }
        public Builder recent(int priority, LatencySummary value) { secondByPriority.set(priority, value); return this; }
        /** Since-start latency of one priority class. */
        public Builder sinceStart(int priority, LatencySummary value) { perPriority.set(priority, value); return this; }
        public Builder tierMode(Tier tier, io.queuedeck.engine.tier.TierMode mode) { tierModes.put(tier, mode); return this; }
        /** The engine's tier table and modes, replacing the default tiers. */
        public Builder tierModes(Map<Tier, io.queuedeck.engine.tier.TierMode> modes) { tierModes = new java.util.LinkedHashMap<>(modes); return this; }
        public Builder laneMode(int priority, io.queuedeck.engine.tier.TierMode mode) { laneModes.set(priority, mode); return this; }
        public Builder lastSecond(Instant second, LatencySummary overall) {
            lastSecond = new EngineSnapshot.SecondLatency(second, overall, List.copyOf(secondByPriority));
            return this;
        }

        public EngineSnapshot build() {
            int queued = byPriority.stream().mapToInt(Integer::intValue).sum();
            Map<Tier, Integer> byTier = new java.util.LinkedHashMap<>();
            for (Tier tier : io.queuedeck.engine.tier.Tiers.DEFAULT.list()) {
                byTier.put(tier, 0);
            }
            for (int p = 0; p < byPriority.size(); p++) {
                byTier.merge(io.queuedeck.engine.tier.Tiers.DEFAULT.of(p), byPriority.get(p), Integer::sum);
            }
            byTier.put(Tier.DEAD_LETTER, (int) counters.deadLettered());
            return new EngineSnapshot(clock, at, policy, paused, queued, List.copyOf(byPriority), byLevel, Map.copyOf(byTier),
                    running, instances, counters, tps, tokens, oldestWaitMs, recent, recent, List.copyOf(perPriority), 0, Map.copyOf(tierModes),
                    List.copyOf(laneModes), lastSecond, flow, parameters);
        }
    }
}
